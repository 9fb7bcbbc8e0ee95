/**
 * The SMTP listener of an `smtp-intake` account, on smtp-server. It knows nothing of rules:
 * it checks the envelope (only the configured recipients: never an open relay), AUTH and
 * size, collects DATA, and hands the complete message to `deliver`, whose verdict becomes
 * the reply to the final dot (RFC 5321 §4.2.5: 250 means responsibility was taken):
 *
 *   accepted  → 250 (deliver returns only once the message is stored durably)
 *   rejected  → 550 5.7.1 with the reason (Sieve reject/ereject)
 *   temporary → 451 4.3.0 (nothing was stored; the client retries)
 *
 * A client that disconnects in the middle of DATA never reaches `deliver`: smtp-server
 * destroys the data stream without 'end', so nothing is stored and nothing acknowledged.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** MAIL FROM ('' for the null sender <>) and the accepted RCPT TO addresses. */
export interface IntakeEnvelope {
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
}

export interface IntakeSession {
  /** smtp-server's connection id, for logs and the Received header. */
  readonly id: string;
  readonly remoteIp: string;
  /** The HELO/EHLO name the client gave (unverified). */
  readonly helo: string;
  /** The AUTH user, when the client authenticated. */
  readonly user?: string;
  /** STARTTLS was used. */
  readonly secure: boolean;
}

export interface ReceivedMessage {
  readonly envelope: IntakeEnvelope;
  readonly session: IntakeSession;
  /** The DATA as received: dot-unstuffed, line endings as sent, without the final ".". */
  readonly raw: Buffer;
}

export type IntakeVerdict =
  | { readonly kind: 'accepted'; readonly detail: string }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'temporary'; readonly reason: string };

export interface SmtpIntakeOptions {
  readonly host: string;
  /** 0 = any free port (tests). */
  readonly port: number;
  /** Accepted envelope recipients, compared case-insensitively. */
  readonly recipients: readonly string[];
  readonly maxSizeBytes: number;
  /** The name in the greeting and the Received header. */
  readonly serverName: string;
  /** PEM key and certificate: STARTTLS is offered. */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
  /** User → password. When given, AUTH is required before MAIL FROM. */
  readonly users?: ReadonlyMap<string, string>;
  /** Allow AUTH on a connection without TLS (only sensible on loopback). */
  readonly allowInsecureAuth: boolean;
  deliver(message: ReceivedMessage): Promise<IntakeVerdict>;
  /** A delivery that threw (a bug): it was answered 451. */
  onError?(err: unknown): void;
}

export interface SmtpIntake {
  readonly host: string;
  readonly port: number;
  /** Stop listening, let deliveries in flight finish (and be answered), then close every connection. */
  close(): Promise<void>;
}

class SmtpReply extends Error {
  constructor(readonly responseCode: number, message: string) {
    super(message);
  }
}

/** A reply text is one line: a reason with line breaks or control characters would break the protocol. */
export function replyText(text: string, max = 400): string {
  const line = text.replace(/[\r\n\t]+/g, ' ').replace(/[\x00-\x1f\x7f]/g, '').trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Compare digests so the time taken says nothing about the password. */
function passwordMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function sessionOf(s: SMTPServerSession): IntakeSession {
  const user = typeof s.user === 'string' ? s.user : undefined;
  return { id: s.id, remoteIp: s.remoteAddress, helo: s.hostNameAppearsAs || '', ...(user !== undefined && { user }), secure: s.secure };
}

/** Read the whole DATA stream; rejects when it ends badly (the client went away) or is oversized. */
function collect(stream: SMTPServerDataStream): Promise<Buffer | 'oversized'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => {
      ended = true;
      resolve(stream.sizeExceeded ? 'oversized' : Buffer.concat(chunks));
    });
    stream.on('close', () => {
      if (!ended) reject(new Error('the client disconnected during DATA'));
    });
  });
}

export async function startSmtpIntake(options: SmtpIntakeOptions): Promise<SmtpIntake> {
  const accepted = new Set(options.recipients.map((r) => r.toLowerCase()));
  const pending = new Set<Promise<unknown>>();
  const users = options.users && options.users.size > 0 ? options.users : undefined;
  const disabled: string[] = [];
  if (!options.tls) disabled.push('STARTTLS');
  if (!users) disabled.push('AUTH');

  const server = new SMTPServer({
    name: options.serverName,
    banner: 'mailsift SMTP intake',
    logger: false,
    secure: false,
    ...(options.tls && { key: options.tls.key, cert: options.tls.cert }),
    disabledCommands: disabled,
    authOptional: !users,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: options.allowInsecureAuth,
    size: options.maxSizeBytes,
    rejectOversized: true,
    // No DNS on the hot path: remote-host in the rules is the client's IP (docs/smtp-intake.md).
    disableReverseLookup: true,
    onAuth(auth, _session, cb) {
      const expected = users?.get(auth.username ?? '');
      const given = auth.password ?? '';
      // Compare even for an unknown user, so its absence does not show in the timing.
      const ok = passwordMatches(given, expected ?? '\u0000no such user') && expected !== undefined && auth.method !== 'XOAUTH2';
      if (!ok) return cb(new SmtpReply(535, '5.7.8 Authentication credentials invalid'));
      cb(null, { user: auth.username });
    },
    onRcptTo(address, _session, cb) {
      // RFC 5321 §7.1 and §3.9: accept only our own addresses; anything else is relaying.
      if (!accepted.has(address.address.toLowerCase())) return cb(new SmtpReply(550, `5.1.1 <${replyText(address.address, 200)}>: recipient not accepted here (no relaying)`));
      cb();
    },
    onData(stream, session, cb) {
      const envelope: IntakeEnvelope = {
        mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
        rcptTo: session.envelope.rcptTo.map((r) => r.address),
      };
      const info = sessionOf(session);
      const work = (async (): Promise<void> => {
        let raw: Buffer | 'oversized';
        try {
          raw = await collect(stream);
        } catch {
          // Disconnected mid-DATA: nothing stored; nobody is left to answer.
          cb(new SmtpReply(451, '4.3.0 message not received in full'));
          return;
        }
        if (raw === 'oversized') {
          // smtp-server answers 552 itself (rejectOversized).
          cb(new SmtpReply(552, `5.3.4 message exceeds the maximum size of ${options.maxSizeBytes} bytes`));
          return;
        }
        let verdict: IntakeVerdict;
        try {
          verdict = await options.deliver({ envelope, session: info, raw });
        } catch (err) {
          options.onError?.(err);
          verdict = { kind: 'temporary', reason: 'internal error' };
        }
        switch (verdict.kind) {
          case 'accepted':
            cb(null, `2.0.0 ${replyText(verdict.detail)}`);
            break;
          case 'rejected':
            cb(new SmtpReply(550, `5.7.1 ${replyText(verdict.reason) || 'message rejected'}`));
            break;
          case 'temporary':
            cb(new SmtpReply(451, `4.3.0 ${replyText(verdict.reason) || 'try again later'}`));
            break;
        }
      })();
      pending.add(work);
      void work.finally(() => pending.delete(work));
    },
  });
  // A socket error of one client must never take the daemon down.
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const address = server.server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((r) => server.close(() => r()));
        await Promise.allSettled([...pending]);
        for (const c of server.connections) {
          c.send(421, '4.3.2 mailsift is shutting down');
          c.close();
        }
        await closed;
      })();
      return closing;
    },
  };
}
