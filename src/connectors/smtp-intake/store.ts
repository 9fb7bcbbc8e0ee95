/**
 * Durable storage of an accepted message, before the 250: each store is a Maildir delivery
 * (tmp/, fsync, rename, fsync of the directory), an mbox append (fsync'd, under a dotlock),
 * or an APPEND to an IMAP account, counted only once the server confirmed it (APPENDUID or
 * found again: src/actions/append-bytes.ts, the executor's own code).
 * All or nothing where the store allows it: when one store fails, the Maildir files already
 * written for this message are removed again and the caller answers 451 (an mbox append or
 * an IMAP APPEND cannot be taken back: a retry may leave a second copy there).
 *
 * A fileinto of a folder that does not exist (without :create) goes to the keep target
 * instead, as Pigeonhole does (RFC 5228 §4.1: a failed fileinto means keep).
 */
import { unlink } from 'node:fs/promises';
import { appendBytes } from '../../actions/append-bytes.js';
import { Progress } from '../../actions/context.js';
import type { ExecutorDeps } from '../../actions/deps.js';
import type { Account } from '../../config/types.js';
import { MailsiftError } from '../../errors.js';
import { storeInMaildir, storeInMbox } from '../../actions/local-store.js';
import { sameMailbox } from '../../runtime/result.js';
import { listMaildirFolders } from '../local/maildir.js';
import { knownMissingFolder } from '../local/maildir-write.js';
import { isInbox } from '../local/folder-names.js';
import type { StoreRequest } from './decide.js';

export interface StoredCopy {
  readonly account: string;
  readonly mailbox: string;
  /** The Maildir file, the mbox path, or what the IMAP server confirmed. */
  readonly path: string;
  /** A missing folder sent it to the keep target instead. */
  readonly fellBackFrom?: string;
}

/** What storing needs: the accounts, and for IMAP targets their connections (the executor's deps). */
export type StoreDeps = Pick<ExecutorDeps, 'accounts' | 'imap' | 'ignoreCapabilities' | 'mboxLock'>;

function storeAccount(accounts: Readonly<Record<string, Account>>, name: string): Extract<Account, { type: 'maildir' | 'mbox' | 'imap' }> {
  const a = Object.hasOwn(accounts, name) ? accounts[name] : undefined;
  if (a === undefined) throw new MailsiftError('ACTION_TARGET_INVALID', `fileinto :account "${name}": no such account in the configuration`);
  if (a.type !== 'maildir' && a.type !== 'mbox' && a.type !== 'imap') throw new MailsiftError('ACTION_TARGET_INVALID', `account "${name}" is ${a.type}: the SMTP intake stores only into imap, maildir and mbox accounts`);
  return a;
}

/** RFC 5490 mailboxexists, for an IMAP (one LIST), Maildir or mbox account (an mbox has only INBOX). */
export async function mailboxExists(deps: StoreDeps, account: string, names: readonly string[]): Promise<boolean> {
  const a = storeAccount(deps.accounts, account);
  if (a.type === 'mbox') return names.every(isInbox);
  if (a.type === 'imap') {
    const all = await (await deps.imap(account)).withClient(async (c) => (await c.list()).map((m) => m.path));
    return names.every((n) => all.some((m) => sameMailbox(m, n)));
  }
  const folders = new Set((await listMaildirFolders(a.path).catch(() => [] as string[])).map((f) => (isInbox(f) ? 'INBOX' : f)));
  return names.every((n) => folders.has(isInbox(n) ? 'INBOX' : n));
}

async function storeOne(deps: StoreDeps, s: StoreRequest, raw: Uint8Array, date: Date): Promise<string> {
  const a = storeAccount(deps.accounts, s.account);
  switch (a.type) {
    case 'maildir':
      return storeInMaildir(a.path, s.mailbox, raw, { flags: s.flags, create: s.create });
    case 'mbox':
      await storeInMbox(a.path, raw, { flags: s.flags, date, ...(deps.mboxLock && { lock: deps.mboxLock }) });
      return a.path;
    case 'imap':
      // Not under the ledger: until the 250 the client holds the message, and a retry is a new delivery.
      return appendBytes(deps, new Progress(), s, raw, date, false);
  }
}

function isKnownMissing(deps: StoreDeps, s: StoreRequest): boolean {
  const a = storeAccount(deps.accounts, s.account);
  return a.type === 'maildir' && knownMissingFolder(a.path, s.mailbox);
}

function isMissingFolder(err: unknown): boolean {
  if (err instanceof MailsiftError && err.code === 'IMAP_MAILBOX_MISSING') return true;
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code === 'MAILBOX_MISSING';
}

/**
 * Store every request; returns what was written. Throws (a MailsiftError) when a store
 * fails; the Maildir files of this message written before that are removed first.
 */
export async function storeAll(deps: StoreDeps, stores: readonly StoreRequest[], keepTarget: StoreRequest, raw: Uint8Array, date: Date): Promise<StoredCopy[]> {
  const written: StoredCopy[] = [];
  const maildirFiles: string[] = [];
  const keepKey = `${keepTarget.account}\u0000${keepTarget.mailbox}`;
  try {
    const fallBack = async (from: StoreRequest): Promise<StoredCopy | undefined> => {
      if (written.some((w) => `${w.account}\u0000${w.mailbox}` === keepKey)) return undefined; // already kept
      return { account: keepTarget.account, mailbox: keepTarget.mailbox, path: await storeOne(deps, keepTarget, raw, date), fellBackFrom: from.mailbox };
    };
    // The keep target first, so a fileinto that falls back to it finds it already stored.
    for (const s of [...stores].sort((a, b) => Number(b.keep) - Number(a.keep))) {
      let copy: StoredCopy | undefined;
      if (!s.keep && !s.create && isKnownMissing(deps, s)) {
        // Found missing a moment ago: straight to the keep target, without a failed attempt.
        copy = await fallBack(s);
      } else {
        try {
          copy = { account: s.account, mailbox: s.mailbox, path: await storeOne(deps, s, raw, date) };
        } catch (err) {
          if (s.keep || !isMissingFolder(err)) throw err;
          copy = await fallBack(s);
        }
      }
      if (copy === undefined) continue;
      written.push(copy);
      if (storeAccount(deps.accounts, copy.account).type === 'maildir') maildirFiles.push(copy.path);
    }
  } catch (err) {
    await Promise.all(maildirFiles.map((f) => unlink(f).catch(() => undefined)));
    throw err instanceof MailsiftError ? err : new MailsiftError('STORE_WRITE_FAILED', (err as Error).message, { cause: err });
  }
  return written;
}
