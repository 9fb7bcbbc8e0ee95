/**
 * A small POP3 client on node:net / node:tls (RFC 1939, CAPA RFC 2449, STLS RFC 2595,
 * AUTH RFC 5034). Written here because node-pop3 corrupts messages (docs/dependencies.md §6):
 * this one hands out RETR bodies byte for byte, dot-unstuffed (line-reader.ts).
 *
 * Session: greeting → CAPA → STLS (tls = "starttls") → CAPA again (RFC 2595 §4: what was
 * learnt before TLS is forgotten) → AUTH PLAIN with an initial response when SASL PLAIN is
 * offered, else USER/PASS → TRANSACTION (UIDL, LIST, RETR, DELE) → QUIT. Deletions happen only
 * at a QUIT answered +OK (the UPDATE state, RFC 1939 §6): a connection that drops before that
 * deletes nothing.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { isLoopback } from '../../config/accounts.js';
import type { TlsMode } from '../../config/types.js';
import { MailsiftError, type ErrorCode } from '../../errors.js';
import { LineReader } from './line-reader.js';

export interface Pop3ConnectOptions {
  /** The account name, for messages. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMode;
  /** tls = "none" to a host that is not loopback. */
  readonly allowInsecure?: boolean;
  readonly user: string;
  readonly password: string;
  /** Idle limit per command (and for connecting). Default 60 s. */
  readonly timeoutMs?: number;
  /** Extra TLS options (a test's own CA). `servername` defaults to the host. */
  readonly tlsOptions?: tls.ConnectionOptions;
}

/** One message of the maildrop: its number in this session and its unique id (UIDL). */
export interface Pop3Listing {
  readonly number: number;
  readonly uidl: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export class Pop3Client {
  private capabilities = new Map<string, string[]>();
  private closed = false;

  private constructor(
    private socket: Duplex & { destroy(error?: Error): void; setTimeout?(ms: number, cb?: () => void): void },
    private readonly reader: LineReader,
    private readonly where: string,
  ) {}

  /** Connect, (STLS,) authenticate. Throws POP3_CONNECT_FAILED, POP3_TLS_FAILED, POP3_AUTH_FAILED, POP3_INSECURE_REFUSED. */
  static async connect(o: Pop3ConnectOptions): Promise<Pop3Client> {
    const where = `POP3 account "${o.name}" (${o.host}:${o.port})`;
    if (o.tls === 'none' && !o.allowInsecure && !isLoopback(o.host)) {
      throw new MailsiftError('POP3_INSECURE_REFUSED', `${where}: tls = "none" would send the password in clear text to a host that is not loopback; set allow_insecure = true to allow it`);
    }
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const socket = await open(o, where, timeoutMs);
    const client = new Pop3Client(socket, new LineReader(socket, where), where);
    client.watchTimeout(timeoutMs);
    try {
      const greeting = await client.reader.readLine();
      if (!greeting.startsWith('+OK')) throw new MailsiftError('POP3_CONNECT_FAILED', `${where}: the server did not greet: ${oneLine(greeting).slice(0, 200)}`);
      await client.capa();
      if (o.tls === 'starttls') await client.stls(o, timeoutMs);
      await client.login(o.user, o.password);
      return client;
    } catch (err) {
      client.close();
      if (err instanceof MailsiftError && err.code === 'POP3_CONNECTION_LOST') {
        throw new MailsiftError('POP3_CONNECT_FAILED', `${err.message} (before the login completed)`, { cause: err });
      }
      throw err;
    }
  }

  private watchTimeout(ms: number): void {
    this.socket.setTimeout?.(ms, () => {
      this.reader.fail(new MailsiftError('POP3_CONNECTION_LOST', `${this.where}: no answer for ${Math.round(ms / 1000)} s`));
      this.socket.destroy();
    });
  }

  /** Whether CAPA listed this capability (upper case name, e.g. "UIDL", "STLS"). */
  has(capability: string): boolean {
    return this.capabilities.has(capability.toUpperCase());
  }

  private async capa(): Promise<void> {
    this.capabilities = new Map();
    const status = await this.command('CAPA', { allowErr: true });
    if (!status.startsWith('+OK')) return; // a server without CAPA (RFC 1939 only)
    const body = (await this.reader.readMultiline()).toString('latin1');
    for (const line of body.split(/\r?\n/)) {
      const [name, ...args] = line.trim().split(/\s+/);
      if (name) this.capabilities.set(name.toUpperCase(), args.map((a) => a.toUpperCase()));
    }
  }

  private async stls(o: Pop3ConnectOptions, timeoutMs: number): Promise<void> {
    if (!this.has('STLS')) throw new MailsiftError('POP3_TLS_FAILED', `${this.where}: tls = "starttls", but the server does not offer STLS`);
    const status = await this.command('STLS', { allowErr: true });
    if (!status.startsWith('+OK')) throw new MailsiftError('POP3_TLS_FAILED', `${this.where}: STLS refused: ${oneLine(status).slice(0, 200)}`);
    if (this.reader.buffered > 0) throw new MailsiftError('POP3_TLS_FAILED', `${this.where}: the server sent data before the TLS handshake (possible injection)`);
    this.reader.detach();
    const plain = this.socket as net.Socket;
    plain.setTimeout(0);
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      // host: what the certificate is checked against (without it Node checks "localhost").
      const s = tls.connect({ socket: plain, host: o.host, ...sni(o.host), ...o.tlsOptions });
      s.once('secureConnect', () => resolve(s));
      s.once('error', (err) => reject(new MailsiftError('POP3_TLS_FAILED', `${this.where}: TLS after STLS failed: ${err.message}`, { cause: err })));
    });
    this.socket = secure;
    this.reader.attach(secure);
    this.watchTimeout(timeoutMs);
    await this.capa();
  }

  private async login(user: string, password: string): Promise<void> {
    const fail = (status: string) => new MailsiftError('POP3_AUTH_FAILED', `${this.where}: the server refused the login of "${user}": ${oneLine(status).slice(0, 200)}`);
    if ((this.capabilities.get('SASL') ?? []).includes('PLAIN')) {
      const token = Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
      const status = await this.command(`AUTH PLAIN ${token}`, { allowErr: true, secret: 'AUTH PLAIN' });
      if (!status.startsWith('+OK')) throw fail(status);
      return;
    }
    const u = await this.command(`USER ${user}`, { allowErr: true });
    if (!u.startsWith('+OK')) throw fail(u);
    const p = await this.command(`PASS ${password}`, { allowErr: true, secret: 'PASS' });
    if (!p.startsWith('+OK')) throw fail(p);
  }

  /**
   * Send one command line and read its status line. `-ERR` throws POP3_COMMAND_FAILED unless
   * `allowErr`. `secret` is what the command is called in errors (its arguments never are).
   */
  private async command(line: string, options: { allowErr?: boolean; secret?: string; code?: ErrorCode } = {}): Promise<string> {
    if (this.closed) throw new MailsiftError('POP3_CONNECTION_LOST', `${this.where}: the connection is closed`);
    this.socket.write(`${line}\r\n`);
    const status = await this.reader.readLine();
    const name = options.secret ?? line;
    if (status.startsWith('+OK')) return status;
    if (status.startsWith('-ERR') && options.allowErr) return status;
    throw new MailsiftError(options.code ?? 'POP3_COMMAND_FAILED', `${this.where}: ${name} failed: ${oneLine(status).slice(0, 200)}`);
  }

  /** The maildrop's messages with their unique ids (UIDL, RFC 1939 §7). */
  async uidl(): Promise<Pop3Listing[]> {
    await this.command('UIDL');
    const body = (await this.reader.readMultiline()).toString('latin1');
    const out: Pop3Listing[] = [];
    for (const line of body.split(/\r?\n/)) {
      if (line.trim() === '') continue;
      const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(line);
      if (!m) throw new MailsiftError('POP3_COMMAND_FAILED', `${this.where}: UIDL answered a malformed line: ${oneLine(line).slice(0, 100)}`);
      out.push({ number: Number(m[1]), uidl: m[2]! });
    }
    return out;
  }

  /** Message sizes by number (LIST). */
  async list(): Promise<Map<number, number>> {
    await this.command('LIST');
    const body = (await this.reader.readMultiline()).toString('latin1');
    const out = new Map<number, number>();
    for (const line of body.split(/\r?\n/)) {
      const m = /^\s*(\d+)\s+(\d+)/.exec(line);
      if (m) out.set(Number(m[1]), Number(m[2]));
    }
    return out;
  }

  /** The whole message, exactly as the server has it (dot-unstuffed). */
  async retr(n: number): Promise<Uint8Array> {
    await this.command(`RETR ${n}`);
    const body = await this.reader.readMultiline();
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }

  /** Mark for deletion; the server deletes at QUIT. */
  async dele(n: number): Promise<void> {
    await this.command(`DELE ${n}`);
  }

  async noop(): Promise<void> {
    await this.command('NOOP');
  }

  /** End the session: messages marked with DELE are deleted now (RFC 1939 §6). Closes the connection. */
  async quit(): Promise<void> {
    try {
      await this.command('QUIT');
    } finally {
      this.close();
    }
  }

  /** Drop the connection without QUIT: nothing marked is deleted. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.detach();
    this.socket.destroy();
  }
}

/** SNI names a host, never an address (RFC 6066 §3). */
function sni(host: string): { servername?: string } {
  return net.isIP(host) ? {} : { servername: host };
}

function open(o: Pop3ConnectOptions, where: string, timeoutMs: number): Promise<net.Socket | tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const implicit = o.tls === 'implicit';
    const socket = implicit ? tls.connect({ host: o.host, port: o.port, ...sni(o.host), ...o.tlsOptions }) : net.connect({ host: o.host, port: o.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new MailsiftError('POP3_CONNECT_FAILED', `${where}: no connection after ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    socket.once(implicit ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const tlsProblem = implicit && !/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ECONNRESET/.test(err.code ?? '');
      reject(new MailsiftError(tlsProblem ? 'POP3_TLS_FAILED' : 'POP3_CONNECT_FAILED', `${where}: ${err.message}`, { cause: err }));
    });
  });
}
