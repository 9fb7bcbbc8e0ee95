/**
 * SMS through Twilio (`[sms]`). The twilio package is imported on first use only (its import
 * costs about 160 ms, which a daemon that never texts should not pay). The auth token comes
 * from the `auth_token_*` secret, resolved once per sender (a reload builds a new one).
 *
 * No retry storm: the client's own retries are off, and after a failure of the service
 * (network, 5xx, 429, authentication) further SMS fail at once, without a request, for a
 * backoff that doubles from 1 minute up to 1 hour and ends with the next success. A refusal
 * of one message (4xx: a bad number) is that message's failure only.
 */
import type { SmsConfig } from '../config/types.js';
import { resolveSecret } from '../config/secrets.js';
import { MailsiftError } from '../errors.js';

export interface SmsSender {
  /** Send one SMS; resolves with a one-line detail ("SM… queued"). */
  send(to: string, body: string): Promise<string>;
}

export interface SmsSenderOptions {
  /** Where the Twilio REST API is (tests: a local fake). Default Twilio's own. */
  readonly baseUrl?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
  /** First backoff after a service failure (default 60 s); doubles up to `maxBackoffMs` (default 1 h). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly timeoutMs?: number;
}

interface TwilioLikeError {
  status?: number;
  code?: number | string;
  message?: string;
}

/** Twilio allows 1600 characters; a notification is a line, not a letter. */
export const MAX_SMS_CHARS = 480;

export function createSmsSender(config: SmsConfig, options: SmsSenderOptions = {}): SmsSender {
  const now = options.now ?? Date.now;
  const firstBackoff = options.backoffMs ?? 60_000;
  const maxBackoff = options.maxBackoffMs ?? 3_600_000;
  let failures = 0;
  let blockedUntil = 0;
  type Client = Awaited<ReturnType<typeof open>>;
  let client: Promise<Client> | undefined;

  async function open() {
    const [{ default: twilio }, token] = await Promise.all([
      import('twilio'),
      resolveSecret(config.authToken, '[sms] auth token', options.env ? { env: options.env } : {}),
    ]);
    const c = twilio(config.accountSid, token, { autoRetry: false, timeout: options.timeoutMs ?? 30_000 });
    if (options.baseUrl !== undefined) c.api.baseUrl = options.baseUrl;
    return c;
  }

  return {
    async send(to, body) {
      const t = now();
      if (t < blockedUntil) {
        throw new MailsiftError('SMS_SEND_FAILED', `SMS to ${to} not tried: Twilio failed ${failures} time(s) in a row, backing off until ${new Date(blockedUntil).toISOString()}`);
      }
      let c: Client;
      try {
        c = await (client ??= open());
      } catch (err) {
        client = undefined;
        throw err instanceof MailsiftError ? err : new MailsiftError('SMS_SEND_FAILED', `SMS to ${to}: cannot load the Twilio client: ${(err as Error).message}`, { cause: err });
      }
      const from = config.from;
      try {
        const msg = await c.messages.create({ to, body: body.length > MAX_SMS_CHARS ? `${body.slice(0, MAX_SMS_CHARS - 1)}…` : body, ...(from.startsWith('MG') ? { messagingServiceSid: from } : { from }) });
        failures = 0;
        blockedUntil = 0;
        return `SMS ${msg.sid} to ${to} ${msg.status}`;
      } catch (err) {
        const e = err as TwilioLikeError;
        const status = typeof e.status === 'number' ? e.status : undefined;
        // The service (not this message) is the problem: back off.
        if (status === undefined || status >= 500 || status === 429 || status === 401 || status === 403) {
          failures++;
          blockedUntil = now() + Math.min(maxBackoff, firstBackoff * 2 ** (failures - 1));
        }
        // Twilio's 401 text is a bare "Authenticate": say which settings it means.
        const hint = status === 401 ? ' (check [sms] account_sid and the auth token)' : '';
        const what = status !== undefined ? `Twilio answered ${status}${e.code !== undefined ? ` (code ${e.code})` : ''}: ${e.message ?? ''}${hint}` : `Twilio unreachable: ${e.message ?? String(err)}`;
        throw new MailsiftError('SMS_SEND_FAILED', `SMS to ${to}: ${what.replace(/\s+/g, ' ').trim()}`, { cause: err });
      }
    },
  };
}
