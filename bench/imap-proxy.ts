/**
 * A loopback TCP proxy in front of an IMAP server that counts what a client costs: commands
 * (lines that start a tagged command, plus DONE) and bytes in each direction. Both streams are
 * split into logical IMAP lines with literals (`{n}`, `{n+}`) skipped, so message bodies are
 * never mistaken for commands. It also reports what happens on the wire as events (a command
 * sent, its tagged completion, untagged lines), so a benchmark can time "the MOVE completed"
 * exactly as the client saw it, for any client, without instrumenting it.
 *
 *   const proxy = await ImapCountingProxy.start('127.0.0.1', dovecotPort);
 *   proxy.reset(); ...client works through proxy.port...; proxy.counters();
 *   await proxy.waitFor((e) => e.kind === 'tagged' && e.verb === 'UID MOVE', 5000, 'the move');
 *   await proxy.close();
 */
import { EventEmitter } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ProxyCounters {
  /** Lines that start a tagged command, plus DONE. SASL continuation lines are not commands. */
  readonly commands: number;
  /** Bytes the client sent (to the server). */
  readonly bytesFromClient: number;
  /** Bytes the server sent (to the client). */
  readonly bytesFromServer: number;
  /** Connections accepted since the last reset. */
  readonly connections: number;
  /** Commands by verb (`UID SEARCH`, `SELECT`, `DONE`, ...). */
  readonly verbs: Readonly<Record<string, number>>;
}

export type ProxyEvent =
  /** The client started a command (or sent DONE). `at` is performance.now() in ms. */
  | { readonly kind: 'command'; readonly conn: number; readonly tag: string; readonly verb: string; readonly text: string; readonly at: number }
  /** The server completed a tagged command; `verb` is what the client sent with that tag. */
  | { readonly kind: 'tagged'; readonly conn: number; readonly tag: string; readonly verb: string; readonly status: string; readonly text: string; readonly at: number }
  /** `* ...` from the server; `text` is the line without literal contents, cut at 300 characters. */
  | { readonly kind: 'untagged'; readonly conn: number; readonly text: string; readonly at: number }
  /** `+ ...` from the server. */
  | { readonly kind: 'continuation'; readonly conn: number; readonly text: string; readonly at: number }
  | { readonly kind: 'open' | 'close'; readonly conn: number; readonly at: number };

const TEXT_LIMIT = 300;
const LITERAL_AT_END = /\{(\d+)\+?\}$/;

/**
 * Splits one direction of an IMAP stream into logical lines: a line that ends in a literal
 * announcement continues after the literal's bytes. Calls `onLine` with the line's text (literal
 * contents left out, cut at TEXT_LIMIT characters).
 */
export class ImapLineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private literalLeft = 0;
  private text = '';

  constructor(private readonly onLine: (text: string) => void) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, chunk.length - offset);
        this.literalLeft -= take;
        offset += take;
        continue;
      }
      const eol = chunk.indexOf(0x0a, offset);
      if (eol < 0) {
        this.keep(chunk.subarray(offset));
        return;
      }
      const piece = chunk.subarray(offset, eol + 1);
      offset = eol + 1;
      const segment = this.pendingLength > 0 ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      this.pendingLength = 0;
      this.segment(segment);
    }
  }

  private keep(part: Buffer): void {
    // A line without end is kept only up to what classification needs; the rest is counted, not stored.
    if (this.pendingLength < 64 * 1024) {
      this.pending.push(Buffer.from(part));
      this.pendingLength += part.length;
    }
  }

  private segment(segment: Buffer): void {
    let end = segment.length - 1;
    if (end > 0 && segment[end - 1] === 0x0d) end--;
    const tail = segment.subarray(Math.max(0, end - 24), end).toString('latin1');
    const literal = LITERAL_AT_END.exec(tail);
    if (this.text.length < TEXT_LIMIT) this.text += segment.subarray(0, Math.min(end, TEXT_LIMIT)).toString('latin1');
    if (literal) {
      this.literalLeft = Number(literal[1]);
      return;
    }
    const text = this.text.slice(0, TEXT_LIMIT);
    this.text = '';
    this.onLine(text);
  }
}

const COMMAND = /^([^\s()*+{]+) ([A-Za-z][A-Za-z0-9-]*)(?: ([A-Za-z][A-Za-z0-9-.]*))?/;

/** `A1 UID FETCH ...` → { tag: 'A1', verb: 'UID FETCH' }; DONE; else undefined (SASL data, garbage). */
export function classifyClientLine(text: string): { tag: string; verb: string } | undefined {
  if (/^DONE$/i.test(text)) return { tag: '', verb: 'DONE' };
  const m = COMMAND.exec(text);
  if (!m) return undefined;
  const verb = m[2]!.toUpperCase();
  return { tag: m[1]!, verb: verb === 'UID' && m[3] ? `UID ${m[3].toUpperCase()}` : verb };
}

interface MutableCounters {
  commands: number;
  bytesFromClient: number;
  bytesFromServer: number;
  connections: number;
  verbs: Record<string, number>;
}

const zero = (): MutableCounters => ({ commands: 0, bytesFromClient: 0, bytesFromServer: 0, connections: 0, verbs: {} });

export class ImapCountingProxy extends EventEmitter<{ event: [ProxyEvent] }> {
  private counts = zero();
  private readonly sockets = new Set<Socket>();
  private nextConn = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    super();
    this.setMaxListeners(100);
  }

  /** Listens on 127.0.0.1 (a free port) and forwards every connection to targetHost:targetPort. */
  static async start(targetHost: string, targetPort: number): Promise<ImapCountingProxy> {
    let proxy: ImapCountingProxy | undefined;
    const server = createServer({ noDelay: true }, (client) => proxy!.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, resolve);
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('imap-proxy: no port');
    proxy = new ImapCountingProxy(server, address.port);
    return proxy;
  }

  /** A snapshot of the counters since the last reset(). */
  counters(): ProxyCounters {
    return { ...this.counts, verbs: { ...this.counts.verbs } };
  }

  /** Zeroes the counters (open connections keep being counted from now on). */
  reset(): void {
    this.counts = zero();
  }

  /** Resolves with the first event (from now on) that satisfies `predicate`; rejects after timeoutMs. */
  waitFor(predicate: (e: ProxyEvent) => boolean, timeoutMs: number, what: string): Promise<ProxyEvent> {
    return new Promise((resolve, reject) => {
      const listener = (e: ProxyEvent) => {
        if (!predicate(e)) return;
        clearTimeout(timer);
        this.off('event', listener);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.off('event', listener);
        reject(new Error(`imap-proxy: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.on('event', listener);
    });
  }

  /** Stops listening and cuts every open connection. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    const conn = ++this.nextConn;
    const upstream = connect({ host, port, noDelay: true });
    // Both legs without Nagle: a reply Dovecot writes in two parts must not wait, between the
    // proxy and the client, for the client's delayed ACK of the first (that delay would count
    // as the client's time).
    client.setNoDelay(true);
    this.sockets.add(client);
    this.sockets.add(upstream);
    this.counts.connections++;
    this.emit('event', { kind: 'open', conn, at: performance.now() });
    const tags = new Map<string, string>();

    const fromClient = new ImapLineSplitter((text) => {
      const c = classifyClientLine(text);
      if (!c) return;
      this.counts.commands++;
      this.counts.verbs[c.verb] = (this.counts.verbs[c.verb] ?? 0) + 1;
      if (c.tag) tags.set(c.tag, c.verb);
      this.emit('event', { kind: 'command', conn, tag: c.tag, verb: c.verb, text, at: performance.now() });
    });
    const fromServer = new ImapLineSplitter((text) => {
      const at = performance.now();
      if (text.startsWith('* ')) this.emit('event', { kind: 'untagged', conn, text, at });
      else if (text.startsWith('+')) this.emit('event', { kind: 'continuation', conn, text, at });
      else {
        const space = text.indexOf(' ');
        const tag = space > 0 ? text.slice(0, space) : text;
        const verb = tags.get(tag) ?? '?';
        tags.delete(tag);
        const status = (/^\S+ (\S+)/.exec(text)?.[1] ?? '').toUpperCase();
        this.emit('event', { kind: 'tagged', conn, tag, verb, status, text, at });
      }
    });

    client.on('data', (chunk: Buffer) => {
      this.counts.bytesFromClient += chunk.length;
      // Forward first: the counting must not delay the bytes.
      if (!upstream.write(chunk)) client.pause();
      fromClient.push(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      this.counts.bytesFromServer += chunk.length;
      if (!client.write(chunk)) upstream.pause();
      fromServer.push(chunk);
    });
    upstream.on('drain', () => client.resume());
    client.on('drain', () => upstream.resume());
    let closed = false;
    const end = () => {
      if (closed) return;
      closed = true;
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      this.emit('event', { kind: 'close', conn, at: performance.now() });
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  }
}
