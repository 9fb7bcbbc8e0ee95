/**
 * An outgoing SMTP server (`[outgoing]` or an account's `[accounts.NAME.smtp]`, routes.ts), through nodemailer: one connection per message
 * (mailsift sends little, and a fresh connection never carries a stale error). Used by
 * redirect, vacation and notify mailto.
 *
 * Errors become SMTP_SEND_FAILED (one line, no secrets). When the connection broke after the
 * message data went out and before the server answered, the message may have been accepted:
 * the error then carries `inDoubt`, so the ledger row stays in doubt and is not blindly resent.
 */
import type { Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { OutgoingConfig } from '../config/types.js';
import { resolveSecret } from '../config/secrets.js';
import { MailsiftError } from '../errors.js';

export interface SmtpEnvelope {
  /** MAIL FROM; '' is the null reverse-path `<>`. */
  readonly from: string;
  readonly to: readonly string[];
}

/** What the handlers need: send one message, get the server's answer as one line. */
export interface SmtpSender {
  /** A composed message (nodemailer builds and encodes it) or `raw` bytes sent unchanged. */
  send(message: Mail.Options & { readonly envelope: SmtpEnvelope }): Promise<string>;
  close(): void;
}

export interface SmtpSenderOptions {
  /** Socket timeouts in ms (connect, greeting, idle). Default 30 s. */
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The config section the settings come from, for messages (default `[outgoing]`). */
  readonly section?: string;
}

interface NodemailerError extends Error {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function smtpError(err: unknown, server: string): MailsiftError & { inDoubt?: boolean } {
  const e = err as NodemailerError;
  const what = e.responseCode !== undefined ? `refused (${oneLine(e.response ?? e.message)})` : oneLine(e.message ?? String(err));
  const out: MailsiftError & { inDoubt?: boolean } = new MailsiftError('SMTP_SEND_FAILED', `SMTP ${server}: ${what}`, { cause: err });
  // After DATA's final dot the server owns the message once it answers 250; without an answer we cannot know.
  if (e.responseCode === undefined && /^DATA|^\.$|^STREAM/.test(e.command ?? '')) out.inDoubt = true;
  return out;
}

export function createSmtpSender(config: OutgoingConfig, options: SmtpSenderOptions = {}): SmtpSender {
  const server = `${config.host}:${config.port}`;
  const timeout = options.timeoutMs ?? 30_000;
  let transport: Promise<Transporter> | undefined;

  const open = async (): Promise<Transporter> => {
    const { default: nodemailer } = await import('nodemailer');
    const pass = config.user !== undefined && config.password ? await resolveSecret(config.password, `${options.section ?? '[outgoing]'} password of ${config.user}`, options.env ? { env: options.env } : {}) : undefined;
    return nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.tls === 'implicit',
      requireTLS: config.tls === 'starttls',
      ignoreTLS: config.tls === 'none',
      ...(config.user !== undefined && pass !== undefined ? { auth: { user: config.user, pass } } : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 2,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  };

  return {
    async send(message) {
      let t: Transporter;
      try {
        t = await (transport ??= open());
      } catch (err) {
        transport = undefined;
        if (err instanceof MailsiftError) throw err;
        throw smtpError(err, server);
      }
      try {
        const info = (await t.sendMail({ ...message, envelope: { from: message.envelope.from, to: [...message.envelope.to] } })) as { response?: string };
        return oneLine(info.response ?? 'accepted');
      } catch (err) {
        throw smtpError(err, server);
      }
    },
    close() {
      void transport?.then((t) => t.close()).catch(() => undefined);
      transport = undefined;
    },
  };
}
