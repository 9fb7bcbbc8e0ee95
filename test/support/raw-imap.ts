/**
 * A few lines of raw IMAP for the Dovecot harness: wait for the greeting, and APPEND a message
 * byte-exact. Deliberately independent of imapflow and of src/connectors/imap, so the harness
 * cannot share a bug with the code it is used to test.
 */
import { connect, type Socket } from 'node:net';

/** Resolves with the first line the server sends, or rejects on error/timeout. */
export function readGreeting(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buffer = '';
    const done = (err: Error | null, line?: string) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(line!);
    };
    const timer = setTimeout(() => done(new Error(`no greeting from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const eol = buffer.indexOf('\r\n');
      if (eol >= 0) done(null, buffer.slice(0, eol));
    });
    socket.on('error', (err) => done(err));
    socket.on('close', () => done(new Error(`connection to ${host}:${port} closed before the greeting`)));
  });
}

/** IMAP quoted string (RFC 3501 §4.3); the harness only needs ASCII names and passwords. */
export function quote(value: string): string {
  if (/[\r\n\0]/.test(value) || /[^\x20-\x7e]/.test(value)) {
    throw new Error(`raw-imap: ${JSON.stringify(value)} needs a literal or modified UTF-7, which this helper does not do`);
  }
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * One short-lived session: LOGIN, then commands one at a time. Responses are read as latin1
 * lines; only tagged completions are interpreted.
 */
export class RawImapSession {
  private buffer = '';
  private waiters: (() => void)[] = [];
  private closed: Error | undefined;
  private tag = 0;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on('error', (err) => {
      this.closed ??= err;
      this.wake();
    });
    socket.on('close', () => {
      this.closed ??= new Error('connection closed');
      this.wake();
    });
  }

  static async open(host: string, port: number, user: string, password: string): Promise<RawImapSession> {
    const socket = connect({ host, port });
    const session = new RawImapSession(socket);
    await session.readLine(); // greeting
    await session.command(`LOGIN ${quote(user)} ${quote(password)}`);
    return session;
  }

  /** Sends one command (optionally followed by a LITERAL+ literal) and returns its tagged OK line. */
  async command(text: string, literal?: Uint8Array): Promise<string> {
    const tag = `H${++this.tag}`;
    if (literal) {
      this.socket.write(`${tag} ${text} {${literal.length}+}\r\n`);
      this.socket.write(literal);
      this.socket.write('\r\n');
    } else {
      this.socket.write(`${tag} ${text}\r\n`);
    }
    for (;;) {
      const line = await this.readLine();
      if (line.startsWith(`${tag} `)) {
        if (!line.startsWith(`${tag} OK`)) throw new Error(`raw-imap: ${text.split(' ')[0]} failed: ${line}`);
        return line;
      }
    }
  }

  async logout(): Promise<void> {
    try {
      await this.command('LOGOUT');
    } catch {
      // the server may close first; nothing to do
    }
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async readLine(): Promise<string> {
    for (;;) {
      const eol = this.buffer.indexOf('\r\n');
      if (eol >= 0) {
        const line = this.buffer.slice(0, eol);
        this.buffer = this.buffer.slice(eol + 2);
        return line;
      }
      if (this.closed) throw this.closed;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

/** Parses `[APPENDUID <uidvalidity> <uid>]` (RFC 4315) out of a tagged APPEND OK line. */
export function parseAppendUid(line: string): { uidValidity: number; uid: number } {
  const m = /\[APPENDUID (\d+) (\d+)\]/i.exec(line);
  if (!m) throw new Error(`raw-imap: APPEND answered without APPENDUID: ${line}`);
  return { uidValidity: Number(m[1]), uid: Number(m[2]) };
}
