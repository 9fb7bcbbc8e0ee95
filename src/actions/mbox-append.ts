/**
 * Appending one message to an mbox file (mboxrd), the way mutt, procmail and Dovecot do:
 *
 *   From <sender> <asctime date, UTC>\n
 *   <message, every line matching /^>*From / given one more '>'>
 *   \n            (the separating blank line)
 *
 * Under a dotlock: `FILE.lock` created with O_CREAT|O_EXCL (atomic on local file systems),
 * holding our pid. A lock older than `staleMs`, or naming a process of this host that no longer
 * exists, is broken. The message is written with one write and fsynced; a failed write is cut
 * off again (ftruncate to the old size), so readers never see half a message, and the file
 * never keeps a torn one. The reader is src/connectors/local/mbox.ts.
 */
import { constants } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { describeFsError, dirSyncUnsupported, errnoCode } from '../connectors/local/errors.js';
import { MailsiftError } from '../errors.js';

export interface MboxAppendOptions {
  /** Envelope sender for the From_ line; default: the Return-Path header, else MAILER-DAEMON. */
  readonly sender?: string;
  /** Delivery date for the From_ line; default now. */
  readonly date?: Date;
  /** IMAP flags, written as Status / X-Status / X-Keywords headers (what the reader understands). */
  readonly flags?: readonly string[];
  /** Give up waiting for the lock after this long. Default 30 000 ms. */
  readonly lockTimeoutMs?: number;
  /** A lock file older than this is stale. Default 300 000 ms. */
  readonly staleMs?: number;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** asctime(3) in UTC: "Thu Jan  8 09:15:02 2026". */
export function asctime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf + 1 <= lf)) return crlf + 2;
  return lf >= 0 ? lf + 1 : raw.length;
}

function returnPath(raw: Buffer): string | undefined {
  const head = raw.subarray(0, headerEnd(raw)).toString('latin1');
  const m = /^return-path[ \t]*:[ \t]*<?([^<>\s]*)>?/im.exec(head);
  return m ? m[1] || 'MAILER-DAEMON' : undefined;
}

/** Status / X-Status / X-Keywords lines for the flags (mutt's and Dovecot's convention). */
export function flagHeaders(flags: readonly string[], eol: string): string {
  const lower = flags.map((f) => f.toLowerCase());
  const xStatus = [['\\answered', 'A'], ['\\flagged', 'F'], ['\\draft', 'T'], ['\\deleted', 'D']].filter(([f]) => lower.includes(f!)).map(([, l]) => l).join('');
  const keywords = flags.filter((f) => !f.startsWith('\\'));
  let out = lower.includes('\\seen') ? `Status: RO${eol}` : '';
  if (xStatus) out += `X-Status: ${xStatus}${eol}`;
  if (keywords.length) out += `X-Keywords: ${keywords.join(' ')}${eol}`;
  return out;
}

/** The message as it will stand in the file (flag headers added, final line end ensured), before escaping. */
export function mboxEntry(raw: Uint8Array, flags: readonly string[] = []): Buffer {
  let msg = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const eol = msg.includes('\r\n') ? '\r\n' : '\n';
  const headers = flagHeaders(flags, eol);
  if (headers) {
    const at = headerEnd(msg);
    msg = Buffer.concat([msg.subarray(0, at), Buffer.from(headers, 'latin1'), msg.subarray(at)]);
  }
  if (msg.length === 0 || msg[msg.length - 1] !== 0x0a) msg = Buffer.concat([msg, Buffer.from(eol, 'latin1')]);
  return msg;
}

/** mboxrd escaping: ">*From " at a line start gets one more '>'. */
export function escapeFromLines(msg: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let line = 0; line < msg.length; ) {
    let i = line;
    while (i < msg.length && msg[i] === 0x3e) i++;
    if (msg.toString('latin1', i, i + 5) === 'From ') {
      parts.push(msg.subarray(start, line), Buffer.from('>'));
      start = line;
    }
    const nl = msg.indexOf(0x0a, line);
    if (nl < 0) break;
    line = nl + 1;
  }
  parts.push(msg.subarray(start));
  return Buffer.concat(parts);
}

function storeError(path: string, what: string, err: unknown): MailsiftError {
  return new MailsiftError('STORE_WRITE_FAILED', `${what} ${path}: ${describeFsError(err)}`, { cause: err });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return errnoCode(err) === 'ESRCH';
  }
}

/** Takes `path.lock`; resolves with its release. */
export async function dotlock(path: string, options: { timeoutMs?: number; staleMs?: number } = {}): Promise<() => Promise<void>> {
  const lock = `${path}.lock`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const staleMs = options.staleMs ?? 300_000;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      const handle = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      try {
        try {
          await handle.writeFile(`${process.pid}\n`);
        } finally {
          await handle.close();
        }
      } catch (err) {
        // Ours but without our pid (a full disk has room for the name, not the bytes): left
        // there, it would look held by someone and block every append until it is stale.
        await unlink(lock).catch(() => undefined);
        throw err;
      }
      return async () => {
        await unlink(lock).catch(() => undefined);
      };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw storeError(lock, 'cannot create lock file', err);
    }
    // Someone holds it: break it when stale, else wait.
    try {
      const [info, content] = await Promise.all([stat(lock), readFile(lock, 'latin1')]);
      const pid = /^\s*(\d+)\s*$/.exec(content)?.[1];
      // A pid is only trusted when the file is older than a moment (the holder writes it right after creating).
      const deadHolder = pid !== undefined && Number(pid) !== process.pid && Date.now() - info.mtimeMs > 1000 && processGone(Number(pid));
      if (deadHolder || Date.now() - info.mtimeMs > staleMs) {
        const again = await stat(lock);
        // Only remove the very file judged stale (same inode and mtime), not a fresh lock taken meanwhile.
        if (again.ino === info.ino && again.mtimeMs === info.mtimeMs) await unlink(lock).catch(() => undefined);
        continue;
      }
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue; // released meanwhile
      throw storeError(lock, 'cannot inspect lock file', err);
    }
    if (Date.now() > deadline) throw new MailsiftError('STORE_LOCKED', `${path} is locked (${lock} exists) for more than ${options.timeoutMs ?? 30_000} ms`);
    await sleep(wait / 2 + Math.random() * wait);
  }
}

/** Appends in this process, per file, one after the other: only one of them competes for the dotlock with other programs. */
const queues = new Map<string, Promise<unknown>>();

function serialized<T>(path: string, job: () => Promise<T>): Promise<T> {
  const key = resolve(path);
  const run = (queues.get(key) ?? Promise.resolve()).then(job, job);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

/** Appends `raw` to the mbox at `path` (created, mode 0600, when missing). Returns the byte offset of its From_ line. */
export function appendToMbox(path: string, raw: Uint8Array, options: MboxAppendOptions = {}): Promise<{ offset: number }> {
  return serialized(path, () => appendLocked(path, raw, options));
}

async function appendLocked(path: string, raw: Uint8Array, options: MboxAppendOptions): Promise<{ offset: number }> {
  const entry = mboxEntry(raw, options.flags);
  const sender = (options.sender ?? returnPath(entry) ?? 'MAILER-DAEMON').replace(/\s+/g, '') || 'MAILER-DAEMON';
  const fromLine = `From ${sender} ${asctime(options.date ?? new Date())}\n`;
  const release = await dotlock(path, { ...(options.lockTimeoutMs !== undefined && { timeoutMs: options.lockTimeoutMs }), ...(options.staleMs !== undefined && { staleMs: options.staleMs }) });
  try {
    let handle;
    let created = false;
    try {
      handle = await open(path, constants.O_RDWR | constants.O_APPEND);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw storeError(path, 'cannot open', err);
      try {
        handle = await open(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o600);
        created = true;
      } catch (e) {
        throw storeError(path, 'cannot create', e);
      }
    }
    try {
      const size = (await handle.stat()).size;
      // A From_ line must follow a blank line (or start the file): add what the last message lacks.
      let lead = '';
      if (size > 0) {
        const tail = Buffer.alloc(Math.min(3, size));
        await handle.read(tail, 0, tail.length, size - tail.length);
        const t = tail.toString('latin1');
        lead = /\n\r?\n$/.test(t) || /^\r?\n$/.test(t) ? '' : t.endsWith('\n') ? '\n' : '\n\n';
      }
      const bytes = Buffer.concat([Buffer.from(lead + fromLine, 'latin1'), escapeFromLines(entry), Buffer.from('\n')]);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } catch (err) {
        await handle.truncate(size).catch(() => undefined);
        throw storeError(path, 'cannot write to', err);
      }
      // An empty file may be one a failed append created whose name was never synced: sync again.
      if (created || size === 0) {
        try {
          await syncDir(dirname(path));
        } catch (err) {
          // The new file's directory entry may not survive a crash: not stored (an empty mbox stays).
          await handle.truncate(size).catch(() => undefined);
          throw storeError(dirname(path), 'cannot fsync the directory', err);
        }
      }
      return { offset: size + Buffer.byteLength(lead) };
    } finally {
      await handle.close();
    }
  } finally {
    await release();
  }
}

/**
 * fsync the directory a new mbox file was created in, so its name survives a crash. A failure
 * to open it (EMFILE, EACCES) or to sync it (EIO) fails the append; only a filesystem that
 * cannot sync directories at all (EINVAL, ENOTSUP) and Windows are passed over.
 */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } catch (err) {
    if (!dirSyncUnsupported(err)) throw err;
  } finally {
    await h.close();
  }
}
