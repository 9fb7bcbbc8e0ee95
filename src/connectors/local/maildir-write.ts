/**
 * Maildir delivery: write to tmp/ under a unique name, fsync, then rename into
 * new/ (or into cur/ with ":2,FLAGS" when flags are given), the way qmail,
 * Dovecot and Courier do it, so readers never see a half-written message.
 */

import { closeSync, fdatasync, fsync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeFsError, dirSyncUnsupported, errnoCode, LocalSourceError } from './errors.js';
import { encodeModifiedUtf7, folderParts, isInbox } from './folder-names.js';
import { isMaildir, maildirFlagLetters } from './maildir.js';

export interface DeliverOptions {
  /**
   * IMAP flags for the new message. When given (even empty) the message goes to
   * cur/ with a ":2,<letters>" suffix; flags without a Maildir letter (keywords) are dropped.
   * When absent it goes to new/.
   */
  flags?: string[];
  /** Create the Maildir and the folder (Maildir++ ".Foo.Bar" with a maildirfolder file) when missing. */
  create?: boolean;
}

let deliveries = 0;

let safeHost: string | undefined;

/** The host part of a unique name, with '/' and ':' escaped as the Maildir spec asks; read once (a system call). */
function safeHostname(): string {
  safeHost ??= (hostname() || 'localhost').replace(/\//g, '\\057').replace(/:/g, '\\072');
  return safeHost;
}

/** "TIME.M<usec>P<pid>Q<counter>.<host>,S=<size>". */
export function uniqueMaildirName(size: number): string {
  const nowMs = performance.timeOrigin + performance.now();
  const seconds = Math.floor(nowMs / 1000);
  const usec = Math.min(999_999, Math.floor((nowMs - seconds * 1000) * 1000));
  deliveries += 1;
  return `${seconds}.M${usec}P${process.pid}Q${deliveries}.${safeHostname()},S=${size}`;
}

function unwritable(path: string, err: unknown, what: string): LocalSourceError {
  return new LocalSourceError('MAILBOX_UNWRITABLE', path, `${what} ${path}: ${describeFsError(err)}`, { cause: err });
}

async function ensureMaildirDirs(dir: string): Promise<void> {
  for (const sub of ['cur', 'new', 'tmp']) {
    try {
      await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
    } catch (err) {
      throw unwritable(join(dir, sub), err, 'cannot create');
    }
  }
}

/**
 * The directory that holds the folder's cur/ new/ tmp/: the root for INBOX; an
 * existing Maildir++ (".Foo.Bar") or plain nested ("Foo/Bar") folder otherwise;
 * a new Maildir++ folder when `create` is set.
 */
async function resolveFolderDir(root: string, folder: string, create: boolean): Promise<string> {
  if (!(await isMaildir(root))) {
    if (!create) throw new LocalSourceError('MAILBOX_MISSING', root, `no Maildir at ${root} (no cur/ or new/)`);
    await ensureMaildirDirs(root);
  }
  if (isInbox(folder)) return root;

  const parts = folderParts(folder);
  if (typeof parts === 'string') {
    throw new LocalSourceError('MAILBOX_NAME_INVALID', root, `invalid folder name ${JSON.stringify(folder)} for ${root}: ${parts}`);
  }
  const encoded = parts.map(encodeModifiedUtf7);
  const dotted = (names: string[]): string | null => (names.some((n) => n.includes('.')) ? null : '.' + names.join('.'));
  const candidates = [dotted(encoded), dotted(parts), join(...encoded), join(...parts)].filter((c): c is string => c !== null);
  for (const candidate of new Set(candidates)) {
    const dir = join(root, candidate);
    if (await isMaildir(dir)) return dir;
  }

  if (!create) throw new LocalSourceError('MAILBOX_MISSING', root, `mailbox ${JSON.stringify(folder)} does not exist in ${root}`);
  const plusName = dotted(encoded);
  if (plusName === null) {
    throw new LocalSourceError(
      'MAILBOX_NAME_INVALID',
      root,
      `cannot create folder ${JSON.stringify(folder)} in ${root}: Maildir++ folder names cannot contain "."`,
    );
  }
  const dir = join(root, plusName);
  await ensureMaildirDirs(dir);
  try {
    await writeFile(join(dir, 'maildirfolder'), '', { flag: 'a', mode: 0o600 });
  } catch (err) {
    throw unwritable(join(dir, 'maildirfolder'), err, 'cannot create');
  }
  return dir;
}

/** fsync (fdatasync when `dataOnly`) of an open descriptor, off the event loop: it takes milliseconds. */
function syncFd(fd: number, dataOnly: boolean): Promise<void> {
  return new Promise((resolve, reject) => (dataOnly ? fdatasync : fsync)(fd, (err) => (err ? reject(err) : resolve())));
}

/**
 * fsync a directory so a rename into it survives a crash. Until it returns, the message is not
 * durable, so a failure to open the directory (EMFILE, ENFILE, EACCES on a directory without
 * read permission) or an fsync error (EIO) fails the delivery: the SMTP intake then answers 451
 * and a fileinto fails, keeping the message where it was. Only a filesystem that cannot sync
 * a directory at all (EINVAL, ENOTSUP: fsync(2)) and Windows, where a directory cannot be
 * opened, are passed over, since nothing better is possible there.
 */
async function syncDirectoryNow(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (err) {
    throw unwritable(dir, err, 'cannot open the directory to fsync');
  }
  try {
    await syncFd(fd, false);
  } catch (err) {
    if (!dirSyncUnsupported(err)) throw unwritable(dir, err, 'cannot fsync the directory');
  } finally {
    closeSync(fd);
  }
}

/**
 * Group commit of directory fsyncs: one fsync makes durable every rename into the directory
 * that finished before it *started*. A caller whose rename is done joins the next fsync that
 * starts after it (never one already running, which may have begun before its rename), so
 * concurrent deliveries into one folder share one fsync and each still returns only once its
 * own rename is on disk.
 */
const dirSyncs = new Map<string, { running?: Promise<void>; queued?: Promise<void> }>();

function syncDirectory(dir: string): Promise<void> {
  let s = dirSyncs.get(dir);
  if (!s) dirSyncs.set(dir, (s = {}));
  const state = s;
  const start = (): Promise<void> => {
    const p = syncDirectoryNow(dir).finally(() => {
      if (state.running === p) state.running = undefined;
      if (!state.running && !state.queued) dirSyncs.delete(dir);
    });
    state.running = p;
    return p;
  };
  if (state.queued) return state.queued;
  if (!state.running) return start();
  // A failed fsync fails only its own callers: the next one starts whatever became of it.
  const queued = state.running.catch(() => undefined).then(() => {
    state.queued = undefined;
    return start();
  });
  state.queued = queued;
  return queued;
}

/**
 * Folders known to be ready (resolved, with cur/ new/ tmp/), so a busy intake does not stat
 * and mkdir them for every message. Never trusted blindly: a folder removed since then makes
 * the open or the rename fail with ENOENT, and the delivery then resolves it again.
 */
const readyDirs = new Map<string, string>();
const READY_DIRS_MAX = 1000;

/**
 * Folders just found missing (fileinto without :create), until when: rules that file into a
 * folder the user has not made send every message through the same failed lookup (up to ten
 * stats); for one second the answer is remembered. A folder made meanwhile is seen after that.
 */
const missingDirs = new Map<string, { until: number; error: LocalSourceError }>();
const MISSING_TTL_MS = 1000;

/**
 * Whether a delivery into this folder without `create` would fail now with MAILBOX_MISSING,
 * as remembered above: the SMTP intake then keeps the message without the throw.
 */
export function knownMissingFolder(root: string, folder: string): boolean {
  const missing = missingDirs.get(`${root}\u0000${folder}`);
  return missing !== undefined && missing.until > Date.now();
}

async function prepareFolder(root: string, folder: string, create: boolean): Promise<string> {
  const key = `${root}\u0000${folder}`;
  const missing = missingDirs.get(key);
  if (missing !== undefined && !create && missing.until > Date.now()) throw missing.error;
  let dir: string;
  try {
    dir = await resolveFolderDir(root, folder, create);
  } catch (err) {
    if (err instanceof LocalSourceError && err.code === 'MAILBOX_MISSING' && !create) {
      if (missingDirs.size >= READY_DIRS_MAX) missingDirs.clear();
      missingDirs.set(key, { until: Date.now() + MISSING_TTL_MS, error: err });
    }
    throw err;
  }
  missingDirs.delete(key);
  // A folder found through cur/ alone may lack tmp/ or new/ (Dovecot recreates them too).
  await ensureMaildirDirs(dir);
  return dir;
}

/**
 * Deliver `raw` into `folder` ('INBOX' or "Foo/Bar") of the Maildir at `root`
 * and return the final path of the message file.
 *
 * Throws LocalSourceError: 'MAILBOX_MISSING' (no such Maildir or folder and no
 * `create`), 'MAILBOX_NAME_INVALID', 'MAILBOX_UNWRITABLE'.
 */
export async function deliverToMaildir(
  root: string,
  folder: string,
  raw: Uint8Array,
  options?: { flags?: string[]; create?: boolean },
): Promise<string> {
  const create = options?.create === true;
  const key = `${root}\u0000${folder}`;
  let dir = readyDirs.get(key);
  let fresh = dir === undefined;
  dir ??= await prepareFolder(root, folder, create);
  const flags = options?.flags;
  // A cached folder that vanished: resolve it again (once), as if it had not been cached.
  const stale = async (): Promise<string> => {
    readyDirs.delete(key);
    fresh = true;
    return prepareFolder(root, folder, create);
  };

  for (let attempt = 1; ; attempt++) {
    const name = uniqueMaildirName(raw.byteLength);
    const tmpPath = join(dir, 'tmp', name);
    // The small steps are synchronous: each takes microseconds, while a trip through libuv's
    // thread pool costs more than that and queues behind other deliveries' fsyncs. Only the
    // fsyncs, which wait for the disk, leave the event loop.
    let fd: number;
    try {
      fd = openSync(tmpPath, 'wx', 0o600);
    } catch (err) {
      if (errnoCode(err) === 'EEXIST' && attempt < 10) continue; // name taken: the counter makes the next one differ
      if (errnoCode(err) === 'ENOENT' && !fresh) {
        dir = await stale();
        continue;
      }
      throw unwritable(tmpPath, err, 'cannot create');
    }
    try {
      try {
        for (let at = 0; at < raw.byteLength; ) at += writeSync(fd, raw, at, raw.byteLength - at);
        // fdatasync: the data and what is needed to read it back (the size) are on disk.
        await syncFd(fd, true);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      try {
        unlinkSync(tmpPath);
      } catch {
        /* already gone */
      }
      throw unwritable(tmpPath, err, 'cannot write');
    }

    const finalPath =
      flags !== undefined ? join(dir, 'cur', `${name}:2,${maildirFlagLetters(flags)}`) : join(dir, 'new', name);
    try {
      renameSync(tmpPath, finalPath);
    } catch (err) {
      try {
        unlinkSync(tmpPath);
      } catch {
        /* already gone */
      }
      if (errnoCode(err) === 'ENOENT' && !fresh) {
        dir = await stale();
        continue;
      }
      throw unwritable(finalPath, err, 'cannot move message to');
    }
    try {
      await syncDirectory(dirname(finalPath));
    } catch (err) {
      // Not durable, so not stored: the caller reports a failure and the message stays where
      // it was (or the client resends it), so our file goes, or a retry would make a second.
      try {
        unlinkSync(finalPath);
      } catch {
        /* a reader moved it already (new/ → cur/) */
      }
      throw err;
    }
    if (readyDirs.size >= READY_DIRS_MAX) readyDirs.clear();
    readyDirs.set(key, dir);
    return finalPath;
  }
}
