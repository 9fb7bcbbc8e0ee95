/**
 * Local stores as targets of `fileinto :account`: a Maildir (deliverToMaildir: tmp/, fsync,
 * rename) and an mbox file (mbox-append.ts, under a dotlock). Plus finding a message again
 * after a crash, by its exact bytes: deliverToMaildir names files `…,S=<bytes>`, so only files
 * of the same size are read.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeModifiedUtf7, folderParts, isInbox } from '../connectors/local/folder-names.js';
import { deliverToMaildir } from '../connectors/local/maildir-write.js';
import { LocalSourceError } from '../connectors/local/errors.js';
import { readMbox } from '../connectors/local/mbox.js';
import { MailsiftError } from '../errors.js';
import { appendToMbox, mboxEntry } from './mbox-append.js';

function wrap(err: unknown): MailsiftError {
  if (err instanceof MailsiftError) return err;
  if (err instanceof LocalSourceError) return new MailsiftError('STORE_WRITE_FAILED', err.message, { cause: err });
  return new MailsiftError('STORE_WRITE_FAILED', `local store: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

/** Delivers into a Maildir folder ("INBOX" = the root); flags put it in cur/ with ":2,<letters>" (keywords have no letter and are dropped). */
export async function storeInMaildir(root: string, folder: string, raw: Uint8Array, options: { flags: readonly string[]; create: boolean }): Promise<string> {
  try {
    return await deliverToMaildir(root, folder, raw, { ...(options.flags.length && { flags: [...options.flags] }), create: options.create });
  } catch (err) {
    throw wrap(err);
  }
}

/** The folder directories deliverToMaildir may have used (Maildir++ ".A.B", nested "A/B", raw or modified UTF-7). */
function folderDirs(root: string, folder: string): string[] {
  if (isInbox(folder)) return [root];
  const parts = folderParts(folder);
  if (typeof parts === 'string') return [];
  const encoded = parts.map(encodeModifiedUtf7);
  const dotted = (names: string[]) => (names.some((n) => n.includes('.')) ? [] : ['.' + names.join('.')]);
  return [...new Set([...dotted(encoded), ...dotted(parts), join(...encoded), join(...parts)])].map((d) => join(root, d));
}

/** The path of a file in the folder with exactly these bytes, if any. */
export async function findInMaildir(root: string, folder: string, raw: Uint8Array): Promise<string | undefined> {
  const want = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const tag = `,S=${raw.byteLength}`;
  for (const dir of folderDirs(root, folder)) {
    for (const sub of ['new', 'cur']) {
      let names: string[];
      try {
        names = await readdir(join(dir, sub));
      } catch {
        continue;
      }
      for (const name of names) {
        const base = name.split(':')[0]!;
        if (!base.endsWith(tag) && !base.includes(`${tag},`)) continue;
        const path = join(dir, sub, name);
        try {
          if (want.equals(await readFile(path))) return path;
        } catch {
          // renamed by a reader meanwhile (new/ → cur/): it is found in the next directory or not at all
        }
      }
    }
  }
  return undefined;
}

export async function storeInMbox(path: string, raw: Uint8Array, options: { flags: readonly string[]; date?: Date; lock?: { timeoutMs?: number; staleMs?: number } }): Promise<void> {
  try {
    await appendToMbox(path, raw, {
      flags: options.flags,
      ...(options.date && { date: options.date }),
      ...(options.lock?.timeoutMs !== undefined && { lockTimeoutMs: options.lock.timeoutMs }),
      ...(options.lock?.staleMs !== undefined && { staleMs: options.lock.staleMs }),
    });
  } catch (err) {
    throw wrap(err);
  }
}

/** Whether the mbox holds this message as storeInMbox would have written it (a full scan; only for in-doubt checks). */
export async function findInMbox(path: string, raw: Uint8Array, flags: readonly string[]): Promise<boolean> {
  const want = mboxEntry(raw, flags);
  try {
    for await (const m of readMbox(path)) if (m.raw.length === want.length && want.equals(m.raw)) return true;
  } catch (err) {
    if (err instanceof LocalSourceError && err.code === 'SOURCE_UNREADABLE') return false;
    throw wrap(err);
  }
  return false;
}
