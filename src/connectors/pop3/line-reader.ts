/**
 * Reading POP3 responses (RFC 1939 §3) from a byte stream: single lines, and multi-line
 * responses ending in "." CRLF with byte-stuffing undone. Bytes are never decoded: a line is
 * split at LF and kept with its own ending (CRLF, or a bare LF a server let through), so the
 * message that comes out is the message the server sent, byte for byte.
 *
 * The reader does not care which TCP chunk a line arrives in: the terminator may be split
 * over any number of chunks (node-pop3 got that wrong, docs/dependencies.md §6).
 */
import type { Duplex } from 'node:stream';
import { MailsiftError } from '../../errors.js';

const LF = 0x0a;
const DOT = 0x2e;

/** A response line may not grow past this without an LF (a broken or hostile server). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export class LineReader {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of `pending` already searched for an LF. */
  private scanned = 0;
  private failure: MailsiftError | undefined;
  private wake: (() => void) | undefined;
  private stream: Duplex | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.notify();
  };
  private readonly onEnd = () => this.fail(new MailsiftError('POP3_CONNECTION_LOST', `${this.where}: the server closed the connection`));
  private readonly onError = (err: Error) => this.fail(new MailsiftError('POP3_CONNECTION_LOST', `${this.where}: ${err.message}`, { cause: err }));

  constructor(
    stream: Duplex,
    /** "POP3 account "x" (host:port)", for messages. */
    private readonly where: string,
  ) {
    this.attach(stream);
  }

  /** Read from another stream from now on (STLS: the TLS socket wrapping the old one). Nothing may be buffered. */
  attach(stream: Duplex): void {
    this.detach();
    this.stream = stream;
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onError);
  }

  detach(): void {
    const s = this.stream;
    if (!s) return;
    s.off('data', this.onData);
    s.off('end', this.onEnd);
    s.off('close', this.onEnd);
    s.off('error', this.onError);
    this.stream = undefined;
  }

  get buffered(): number {
    return this.pending.length;
  }

  /** Make every waiting and future read fail with this error (a timeout, a lost connection). */
  fail(err: MailsiftError): void {
    this.failure ??= err;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** One line including its ending (CRLF or LF). */
  private async rawLine(): Promise<Buffer> {
    for (;;) {
      const at = this.pending.indexOf(LF, this.scanned);
      if (at >= 0) {
        const line = this.pending.subarray(0, at + 1);
        this.pending = this.pending.subarray(at + 1);
        this.scanned = 0;
        return line;
      }
      this.scanned = this.pending.length;
      if (this.pending.length > MAX_LINE_BYTES) throw new MailsiftError('POP3_COMMAND_FAILED', `${this.where}: a response line longer than ${MAX_LINE_BYTES} bytes`);
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** A status or data line without its ending, as latin1 text (status lines are ASCII). */
  async readLine(): Promise<string> {
    return withoutEnding(await this.rawLine()).toString('latin1');
  }

  /**
   * The body of a multi-line response (after its status line): every line as sent, a leading
   * "." removed where the server stuffed one, up to and without the "." line (RFC 1939 §3).
   */
  async readMultiline(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const line = await this.rawLine();
      if (line[0] === DOT) {
        const content = withoutEnding(line);
        if (content.length === 1) return Buffer.concat(parts);
        parts.push(line.subarray(1));
      } else {
        parts.push(line);
      }
    }
  }
}

function withoutEnding(line: Buffer): Buffer {
  let end = line.length;
  if (end && line[end - 1] === LF) end--;
  if (end && line[end - 1] === 0x0d) end--;
  return line.subarray(0, end);
}
