/**
 * Maildir delivery: write to tmp/ under a unique name, fsync, then rename into
 * new/ (or into cur/ with ":2,FLAGS" when flags are given), the way qmail,
 * Dovecot and Courier do it, so readers never see a half-written message.
 */

import { mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeFsError, errnoCode, LocalSourceError } from './errors.js';
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

/** The host part of a unique name, with '/' and ':' escaped as the Maildir spec asks. */
function safeHostname(): string {
  const host = hostname() || 'localhost';
  return host.replace(/\//g, '\\057').replace(/:/g, '\\072');
}

/** "TIME.M<usec>P<pid>Q<counter>.<host>,S=<size>". */
export function uniqueMaildirName(size: number): string {
  const nowMs = performance.timeOrigin + performance.now();
  const seconds = Math.floor(nowMs / 1000);
  const usec = Math.min(999_999, Math.floor((nowMs - seconds * 1000) * 1000));
  deliveries += 1;
  return `${seconds}.M${usec}P${process.pid}Q${deliveries}.${safeHostname()},S=${size}`;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
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

/** fsync a directory so a rename survives a crash; not possible everywhere (Windows), so best effort. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
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
  const dir = await resolveFolderDir(root, folder, options?.create === true);
  const flags = options?.flags;
  // A folder found through cur/ alone may lack tmp/ or new/ (Dovecot recreates them too).
  await ensureMaildirDirs(dir);

  for (let attempt = 1; ; attempt++) {
    const name = uniqueMaildirName(raw.byteLength);
    const tmpPath = join(dir, 'tmp', name);
    let handle;
    try {
      handle = await open(tmpPath, 'wx', 0o600);
    } catch (err) {
      if (errnoCode(err) === 'EEXIST' && attempt < 10) continue; // name taken: the counter makes the next one differ
      throw unwritable(tmpPath, err, 'cannot create');
    }
    try {
      try {
        await handle.writeFile(raw);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      await unlink(tmpPath).catch(() => undefined);
      throw unwritable(tmpPath, err, 'cannot write');
    }

    const finalPath =
      flags !== undefined ? join(dir, 'cur', `${name}:2,${maildirFlagLetters(flags)}`) : join(dir, 'new', name);
    try {
      await rename(tmpPath, finalPath);
    } catch (err) {
      await unlink(tmpPath).catch(() => undefined);
      throw unwritable(finalPath, err, 'cannot move message to');
    }
    await syncDirectory(dirname(finalPath));
    return finalPath;
  }
}
