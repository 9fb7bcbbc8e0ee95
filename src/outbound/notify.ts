/**
 * notify (RFC 5435): one handler, methods found through a registry by URI scheme
 * (STYLE.md habit 11): mailto (RFC 5436) through the outgoing SMTP server, sms and tel
 * (RFC 5724 / RFC 3966 URIs) as SMS through Twilio.
 *
 * Before sending, in this order (each refusal is "not sent", the operation is done and its
 * detail says why, and the notify_log row says 'suppressed'):
 * 1. an interrupted earlier attempt (ctx.inDoubt): never risk a second SMS;
 * 2. mailto only: the message is Auto-Submitted (RFC 5436 §2.7);
 * 3. quiet hours (`[notify] quiet_hours`), unless `:importance "1"`;
 * 4. the dedup window: the same target about mail from the same sender;
 * 5. the rate limits: `[notify] max_per_hour` (all), `sms_max_per_hour` (sms/tel), and a
 *    rule's own `:options ["max-per-hour=N"]` (counted per account and method URI).
 * Sending failures throw (the message stays, the ledger row is failed, no retry).
 */
import type { NotifyAction } from '../runtime/actions.js';
import type { OutboundContext, OutboundHandler } from '../actions/outbound.js';
import type { NotifyConfig } from '../config/types.js';
import { MailsiftError } from '../errors.js';
import { parseMailto } from '../extensions/notify-methods/mailto.js';
import { parseSms } from '../extensions/notify-methods/sms.js';
import { parseTelephoneSubscriber, type PhoneNumber } from '../extensions/notify-methods/tel.js';
import { messageFacts, type MessageFacts } from './message-facts.js';
import type { NotifyLog } from './notify-log.js';
import type { SmsSender } from './sms.js';
import type { SmtpSender } from './smtp.js';

export const DEFAULT_NOTIFY: NotifyConfig = { maxPerHour: 60, smsMaxPerHour: 10, dedupWindowMs: 10 * 60_000 };

/** One notification method: how to send to the URI's body (after "scheme:"). */
interface MethodSender {
  readonly channel: 'sms' | 'mail';
  /** Throws when the method is not configured or the URI is unusable. */
  send(body: string, text: string, action: NotifyAction, facts: MessageFacts): Promise<string>;
  /** Skip this message entirely (RFC 5436 §2.7), with the reason. */
  skip?(facts: MessageFacts): string | undefined;
}

export interface NotifyDeps {
  readonly log: NotifyLog;
  readonly config?: NotifyConfig;
  readonly smtp?: () => SmtpSender;
  /** Sender of mailto notifications without :from (`[outgoing]` from). */
  readonly mailFrom?: string;
  readonly sms?: SmsSender;
  readonly now?: () => number;
}

/** The default text (RFC 5435 §3.6 leaves it to us): who wrote, and about what. */
function defaultText(facts: MessageFacts): string {
  return `${facts.from ?? facts.sender ?? 'unknown sender'}: ${facts.subject || '(no subject)'}`;
}

function globalNumbers(numbers: readonly PhoneNumber[], uri: string): string[] {
  return numbers.map((n) => {
    if (!/^\+\d+$/.test(n.key)) throw new MailsiftError('SMS_SEND_FAILED', `${uri}: "${n.text}" is not a global (+country) number`);
    return n.key;
  });
}

function smsMethod(deps: NotifyDeps, scheme: 'sms' | 'tel'): MethodSender {
  return {
    channel: 'sms',
    async send(body, text, action) {
      const uri = `${scheme}:${body}`;
      if (!deps.sms) throw new MailsiftError('OUTBOUND_NOT_CONFIGURED', `notify ${uri}: no [sms] section is configured`);
      let numbers: string[];
      let smsBody: string | undefined;
      if (scheme === 'sms') {
        const p = parseSms(body);
        if ('error' in p) throw new MailsiftError('SMS_SEND_FAILED', `${uri}: ${p.error}`);
        numbers = globalNumbers(p.recipients, uri);
        smsBody = p.body;
      } else {
        const n = parseTelephoneSubscriber(decodeURIComponent(body));
        if ('error' in n) throw new MailsiftError('SMS_SEND_FAILED', `${uri}: ${n.error}`);
        numbers = globalNumbers([n], uri);
      }
      const out: string[] = [];
      for (const to of numbers) out.push(await deps.sms.send(to, action.message ?? smsBody ?? text));
      return out.join('; ');
    },
  };
}

function mailtoMethod(deps: NotifyDeps): MethodSender {
  return {
    channel: 'mail',
    skip(facts) {
      const auto = facts.view.header('auto-submitted')[0];
      return auto !== undefined && auto.trim().toLowerCase().split(/[\s;]/)[0] !== 'no' ? `the message is Auto-Submitted: ${auto.trim()}` : undefined;
    },
    async send(body, text, action) {
      if (!deps.smtp || deps.mailFrom === undefined) throw new MailsiftError('OUTBOUND_NOT_CONFIGURED', `notify mailto:${body}: no [outgoing] section is configured`);
      const uri = parseMailto(body);
      if ('error' in uri) throw new MailsiftError('SMTP_SEND_FAILED', `mailto:${body}: ${uri.error}`);
      const to = uri.recipients.filter((r) => !r.cc).map((r) => r.full);
      const cc = uri.recipients.filter((r) => r.cc).map((r) => r.full);
      const headers: Record<string, string> = { 'Auto-Submitted': 'auto-notified' };
      for (const h of uri.headers) headers[h.name] = h.value;
      const answer = await deps.smtp().send({
        // RFC 5436 §2.6: the null return path, so nothing bounces back into the rules.
        envelope: { from: '', to: uri.recipients.map((r) => r.address.address) },
        from: action.from ?? deps.mailFrom,
        ...(to.length > 0 && { to }),
        ...(cc.length > 0 && { cc }),
        subject: uri.subject ?? action.message ?? text,
        text: uri.body ?? text,
        headers,
      });
      return `notified ${uri.recipients.map((r) => r.address.address).join(', ')} (${answer})`;
    },
  };
}

/** Minutes after midnight now, in `timezone` (or local time). */
function minuteOfDay(at: number, timezone: string | undefined): number {
  if (timezone === undefined) {
    const d = new Date(at);
    return d.getHours() * 60 + d.getMinutes();
  }
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

export function inQuietHours(at: number, config: NotifyConfig): boolean {
  const q = config.quietHours;
  if (!q) return false;
  const m = minuteOfDay(at, config.timezone);
  return q.startMinute < q.endMinute ? m >= q.startMinute && m < q.endMinute : m >= q.startMinute || m < q.endMinute;
}

/** `:options ["max-per-hour=5"]`: this rule's own limit. */
function ruleLimit(options: readonly string[]): number | undefined {
  for (const o of options) {
    const m = /^max-per-hour=(\d{1,6})$/i.exec(o);
    if (m) return Number(m[1]);
  }
  return undefined;
}

export function notifyHandler(deps: NotifyDeps): OutboundHandler<NotifyAction> {
  const config = deps.config ?? DEFAULT_NOTIFY;
  const methods = new Map<string, MethodSender>([
    ['mailto', mailtoMethod(deps)],
    ['sms', smsMethod(deps, 'sms')],
    ['tel', smsMethod(deps, 'tel')],
  ]);
  return {
    async run(ctx: OutboundContext<NotifyAction>): Promise<string> {
      const a = ctx.action;
      const colon = a.method.indexOf(':');
      const scheme = a.method.slice(0, colon).toLowerCase();
      const method = methods.get(scheme);
      if (colon < 0 || !method) throw new MailsiftError('OUTBOUND_NOT_CONFIGURED', `notify: no sender for method "${a.method}"`);
      if (ctx.inDoubt) return `not sent to ${a.method}: an earlier attempt was interrupted and may have sent it`;
      const facts = messageFacts(await ctx.message());
      const now = (deps.now ?? Date.now)();
      const sender = (facts.from ?? facts.sender ?? '').toLowerCase();
      const limit = ruleLimit(a.options);
      const rule = limit !== undefined ? `${ctx.ref.account}\u001f${a.method}` : undefined;
      const entry = { at: now, channel: method.channel, target: a.method, ...(rule !== undefined && { rule }), ...(sender !== '' && { sender }) };

      const why = deps.log.atomically((): string | number => {
        const reason =
          method.skip?.(facts) ??
          (a.importance !== 1 && inQuietHours(now, config) ? 'quiet hours' : undefined) ??
          (config.dedupWindowMs > 0 && sender !== '' && deps.log.notifiedSince(a.method, sender, now - config.dedupWindowMs)
            ? `already notified about mail from ${sender} within ${Math.round(config.dedupWindowMs / 60_000)} min`
            : undefined) ??
          (deps.log.lastHour(now) >= config.maxPerHour ? `rate limit: ${config.maxPerHour} notifications per hour` : undefined) ??
          (method.channel === 'sms' && deps.log.lastHour(now, { channel: 'sms' }) >= config.smsMaxPerHour ? `rate limit: ${config.smsMaxPerHour} SMS per hour` : undefined) ??
          (rule !== undefined && deps.log.lastHour(now, { rule }) >= limit! ? `rate limit of this rule: ${limit} per hour` : undefined);
        if (reason !== undefined) {
          deps.log.add({ ...entry, status: 'suppressed', detail: reason });
          return reason;
        }
        return deps.log.add({ ...entry, status: 'pending' });
      });
      if (typeof why === 'string') return `not sent to ${a.method}: ${why}`;

      try {
        const detail = await method.send(a.method.slice(colon + 1), defaultText(facts), a, facts);
        deps.log.finish(why, 'sent', detail);
        return detail;
      } catch (err) {
        deps.log.finish(why, 'failed', (err as Error).message);
        throw err;
      }
    },
  };
}
