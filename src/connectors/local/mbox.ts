/**
 * mbox reading (mboxrd, and mboxo as far as it can be told apart).
 *
 * A message starts at a line beginning with "From " at the start of the file or
 * right after a blank line; that From_ line is not part of the message, nor is
 * the blank line in front of the next From_ line (or at the end of the file).
 * Lines of the form ">From ", ">>From "... lose one '>' (mboxrd un-escaping).
 * Line ends are kept as they are (LF or CRLF), so messages come out byte-exact.
 *
 * The file is read in chunks through a file handle and split as it goes: only
 * the message being assembled is held in memory.
 */

import { open } from 'node:fs/promises';
import { LocalSourceError, unreadable } from './errors.js';
import type { LocalMessage } from './source.js';

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const FROM_ = Buffer.from('From ', 'latin1');
const CHUNK_SIZE = 64 * 1024;

/** One message cut out of an mbox. */
export interface MboxEntry {
  /** 1-based position in the file. */
  readonly index: number;
  /** The message bytes, un-escaped, without the From_ line. */
  readonly raw: Buffer;
  /** The From_ line without its line end (latin1-decoded). */
  readonly fromLine: string;
}

function startsWithFrom(line: Buffer, at: number): boolean {
  return line.length >= at + 5 && line.compare(FROM_, 0, 5, at, at + 5) === 0;
}

function isBlankLine(line: Buffer): boolean {
  return (line.length === 1 && line[0] === LF) || (line.length === 2 && line[0] === CR && line[1] === LF);
}

/** mboxrd un-escaping: ">From " → "From ", ">>From " → ">From ". */
function unescapeLine(line: Buffer): Buffer {
  if (line[0] !== GT) return line;
  let i = 1;
  while (i < line.length && line[i] === GT) i++;
  return startsWithFrom(line, i) ? line.subarray(1) : line;
}

/**
 * Incremental splitter: feed chunks with push(), then call end(). Each call
 * returns the messages completed by it. Not tied to any I/O, so it is easy to test.
 */
export class MboxSplitter {
  /** Bytes of a line whose end has not arrived yet. */
  private partial: Buffer[] = [];
  private lines: Buffer[] = [];
  /** A blank line that belongs to the message only if no From_ line follows it. */
  private pendingBlank: Buffer | null = null;
  /** True at the start of the file and after a blank line. */
  private afterBlank = true;
  private fromLine: string | null = null;
  private count = 0;

  constructor(private readonly path: string) {}

  push(chunk: Buffer): MboxEntry[] {
    const out: MboxEntry[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl < 0) break;
      let line = chunk.subarray(start, nl + 1);
      if (this.partial.length > 0) {
        this.partial.push(line);
        line = Buffer.concat(this.partial);
        this.partial = [];
      }
      this.line(line, out);
      start = nl + 1;
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
    return out;
  }

  end(): MboxEntry[] {
    const out: MboxEntry[] = [];
    if (this.partial.length > 0) {
      this.line(Buffer.concat(this.partial), out);
      this.partial = [];
    }
    if (this.fromLine !== null) out.push(this.finish());
    return out;
  }

  private line(line: Buffer, out: MboxEntry[]): void {
    if (this.afterBlank && startsWithFrom(line, 0)) {
      if (this.fromLine !== null) out.push(this.finish()); // drops the pending separator blank line
      this.fromLine = line.toString('latin1').replace(/\r?\n$/, '');
      this.afterBlank = false;
      return;
    }
    const blank = isBlankLine(line);
    if (this.fromLine === null) {
      // Before the first From_ line only blank lines are tolerated.
      if (blank) return;
      throw new LocalSourceError('SOURCE_UNKNOWN', this.path, `not an mbox file (no "From " line before the first message): ${this.path}`);
    }
    if (this.pendingBlank !== null) {
      this.lines.push(this.pendingBlank);
      this.pendingBlank = null;
    }
    this.afterBlank = blank;
    if (blank) this.pendingBlank = line;
    else this.lines.push(unescapeLine(line));
  }

  private finish(): MboxEntry {
    const entry: MboxEntry = { index: ++this.count, raw: Buffer.concat(this.lines), fromLine: this.fromLine ?? '' };
    this.lines = [];
    this.pendingBlank = null;
    return entry;
  }
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The delivery date of a From_ line ("From sender Thu Jan  8 09:15:02 2026",
 * optionally with a zone such as "+0100" before or after the year). Without a
 * zone the time is taken as UTC. Undefined when the line carries no date.
 */
export function parseFromLineDate(fromLine: string): Date | undefined {
  const m =
    /\s(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+([A-Za-z]{3})[a-z]*\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+([+-]\d{4}|[A-Z]{1,5}))?\s+(\d{4})(?:\s+([+-]\d{4}))?/.exec(fromLine);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]!.toLowerCase());
  if (month < 0) return undefined;
  let ms = Date.UTC(Number(m[7]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? 0));
  const zone = [m[6], m[8]].find((z) => z !== undefined && /^[+-]\d{4}$/.test(z));
  if (zone !== undefined) {
    const minutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5));
    ms -= (zone[0] === '-' ? -1 : 1) * minutes * 60_000;
  }
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Flags that mbox writers (mutt, Dovecot, Pine) keep in the header:
 * "Status: RO" (R → \Seen), "X-Status: AFTD" (\Answered \Flagged \Draft \Deleted)
 * and Dovecot's "X-Keywords:" (space-separated keywords).
 */
export function mboxHeaderFlags(raw: Buffer): string[] {
  let end = raw.indexOf('\n\n');
  const crlfEnd = raw.indexOf('\r\n\r\n');
  if (crlfEnd >= 0 && (end < 0 || crlfEnd < end)) end = crlfEnd;
  const header = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  const flags: string[] = [];
  const add = (flag: string): void => {
    if (!flags.includes(flag)) flags.push(flag);
  };
  for (const line of header.split(/\r?\n/)) {
    const m = /^(Status|X-Status|X-Keywords)[ \t]*:[ \t]*(.*)$/i.exec(line);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (name === 'status') {
      if (value.includes('R')) add('\\Seen');
    } else if (name === 'x-status') {
      if (value.includes('A')) add('\\Answered');
      if (value.includes('F')) add('\\Flagged');
      if (value.includes('T')) add('\\Draft');
      if (value.includes('D')) add('\\Deleted');
    } else {
      for (const keyword of value.split(/[\s,]+/)) if (keyword !== '') add(keyword);
    }
  }
  return flags;
}

/** The messages of the mbox at `path`, streamed; ids are "path#N". */
export async function* readMbox(path: string): AsyncGenerator<LocalMessage> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw unreadable(path, err);
  }
  try {
    const splitter = new MboxSplitter(path);
    const toMessage = (entry: MboxEntry): LocalMessage => {
      const internalDate = parseFromLineDate(entry.fromLine);
      return {
        id: `${path}#${entry.index}`,
        raw: entry.raw,
        folder: 'INBOX',
        flags: mboxHeaderFlags(entry.raw),
        ...(internalDate !== undefined ? { internalDate } : {}),
      };
    };
    for (;;) {
      // A fresh buffer per read: finished lines keep pointing into it.
      const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, CHUNK_SIZE, null));
      } catch (err) {
        throw unreadable(path, err);
      }
      if (bytesRead === 0) break;
      for (const entry of splitter.push(buffer.subarray(0, bytesRead))) yield toMessage(entry);
    }
    for (const entry of splitter.end()) yield toMessage(entry);
  } finally {
    await handle.close();
  }
}
