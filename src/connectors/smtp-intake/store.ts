/**
 * Durable storage of an accepted message, before the 250: each store is a Maildir delivery
 * (tmp/, fsync, rename, fsync of the directory) or an mbox append (fsync'd, under a dotlock).
 * All or nothing where the store allows it: when one store fails, the Maildir files already
 * written for this message are removed again and the caller answers 451.
 *
 * A fileinto of a folder that does not exist (without :create) goes to the keep target
 * instead, as Pigeonhole does (RFC 5228 §4.1: a failed fileinto means keep).
 */
import { unlink } from 'node:fs/promises';
import type { Account } from '../../config/types.js';
import { MailsiftError } from '../../errors.js';
import { storeInMaildir, storeInMbox } from '../../actions/local-store.js';
import { listMaildirFolders } from '../local/maildir.js';
import { isInbox } from '../local/folder-names.js';
import type { StoreRequest } from './decide.js';

export interface StoredCopy {
  readonly account: string;
  readonly mailbox: string;
  /** The Maildir file, or the mbox path. */
  readonly path: string;
  /** A missing folder sent it to the keep target instead. */
  readonly fellBackFrom?: string;
}

function localAccount(accounts: Readonly<Record<string, Account>>, name: string): Extract<Account, { type: 'maildir' | 'mbox' }> {
  const a = Object.hasOwn(accounts, name) ? accounts[name] : undefined;
  if (a === undefined) throw new MailsiftError('ACTION_TARGET_INVALID', `fileinto :account "${name}": no such account in the configuration`);
  if (a.type !== 'maildir' && a.type !== 'mbox') throw new MailsiftError('ACTION_TARGET_INVALID', `account "${name}" is ${a.type}: the SMTP intake stores only into maildir and mbox accounts`);
  return a;
}

/** RFC 5490 mailboxexists, for a Maildir or mbox account (an mbox has only INBOX). */
export async function mailboxExists(accounts: Readonly<Record<string, Account>>, account: string, names: readonly string[]): Promise<boolean> {
  const a = localAccount(accounts, account);
  if (a.type === 'mbox') return names.every(isInbox);
  const folders = new Set((await listMaildirFolders(a.path).catch(() => [] as string[])).map((f) => (isInbox(f) ? 'INBOX' : f)));
  return names.every((n) => folders.has(isInbox(n) ? 'INBOX' : n));
}

async function storeOne(accounts: Readonly<Record<string, Account>>, s: StoreRequest, raw: Uint8Array, date: Date): Promise<string> {
  const a = localAccount(accounts, s.account);
  if (a.type === 'maildir') return storeInMaildir(a.path, s.mailbox, raw, { flags: s.flags, create: s.create });
  await storeInMbox(a.path, raw, { flags: s.flags, date });
  return a.path;
}

function isMissingFolder(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code === 'MAILBOX_MISSING';
}

/**
 * Store every request; returns what was written. Throws (a MailsiftError) when a store
 * fails; the Maildir files of this message written before that are removed first.
 */
export async function storeAll(accounts: Readonly<Record<string, Account>>, stores: readonly StoreRequest[], keepTarget: StoreRequest, raw: Uint8Array, date: Date): Promise<StoredCopy[]> {
  const written: StoredCopy[] = [];
  const maildirFiles: string[] = [];
  const keepKey = `${keepTarget.account}\u0000${keepTarget.mailbox}`;
  try {
    // The keep target first, so a fileinto that falls back to it finds it already stored.
    for (const s of [...stores].sort((a, b) => Number(b.keep) - Number(a.keep))) {
      let copy: StoredCopy;
      try {
        copy = { account: s.account, mailbox: s.mailbox, path: await storeOne(accounts, s, raw, date) };
      } catch (err) {
        if (s.keep || !isMissingFolder(err)) throw err;
        if (written.some((w) => `${w.account}\u0000${w.mailbox}` === keepKey)) continue; // already kept
        copy = { account: keepTarget.account, mailbox: keepTarget.mailbox, path: await storeOne(accounts, keepTarget, raw, date), fellBackFrom: s.mailbox };
      }
      written.push(copy);
      if (localAccount(accounts, copy.account).type === 'maildir') maildirFiles.push(copy.path);
    }
  } catch (err) {
    await Promise.all(maildirFiles.map((f) => unlink(f).catch(() => undefined)));
    throw err instanceof MailsiftError ? err : new MailsiftError('STORE_WRITE_FAILED', (err as Error).message, { cause: err });
  }
  return written;
}
