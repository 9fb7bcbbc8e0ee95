/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that records what it receives: the outgoing
 * side of redirect, vacation and notify mailto is tested against it. STARTTLS is disabled
 * (smtp-server's bundled certificate has expired, docs/dependencies.md §3).
 *
 *   const sink = await startSmtpSink({ auth: { user: 'me', pass: 'pw' } });
 *   ... sink.port ...; await sink.waitFor(1); sink.messages[0].raw; await sink.close();
 *   sink.refuseRcpt = (to) => to.endsWith('@bad.example') ? '550 no such user' : undefined;
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface SinkMessage {
  /** MAIL FROM; '' for `<>`. */
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
  readonly user?: string;
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly messages: SinkMessage[];
  /** Refuse a recipient at RCPT TO with this text (e.g. "550 no such user"). */
  refuseRcpt?: (to: string) => string | undefined;
  /** Refuse every message at DATA with this text. */
  refuseData?: string;
  waitFor(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(options: { auth?: { user: string; pass: string } } = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const sink = { messages } as { -readonly [K in keyof SmtpSink]: SmtpSink[K] };
  const refusal = (text: string): Error & { responseCode: number } => {
    const m = /^(\d{3})\s*(.*)$/.exec(text);
    return Object.assign(new Error(m ? m[2]! : text), { responseCode: m ? Number(m[1]) : 550 });
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      const why = sink.refuseRcpt?.(address.address);
      cb(why ? refusal(why) : undefined);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (sink.refuseData) return cb(refusal(sink.refuseData));
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        messages.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), ...(typeof session.user === 'string' && { user: session.user }) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  Object.assign(sink, {
    host: '127.0.0.1',
    port,
    async waitFor(count: number, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`SMTP sink: ${messages.length} of ${count} messages after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  return sink as SmtpSink;
}
