/**
 * Where a copy or move goes, decided from the configured accounts: the message's own IMAP
 * account (COPY/MOVE), another IMAP account (FETCH + APPEND), a local Maildir or mbox.
 */
import type { Account } from '../config/types.js';
import { MailsiftError } from '../errors.js';
import { assertNever } from '../runtime/errors.js';
import type { Target } from './plan-operations.js';
import type { MessageRef } from './types.js';

export type StoreTarget =
  /** The message's own mailbox: nothing to store (a fileinto of where it is, named through :account). */
  | { readonly kind: 'here' }
  /** An IMAP mailbox; `same` when on the message's own account (COPY/MOVE possible). */
  | { readonly kind: 'imap'; readonly account: string; readonly mailbox: string; readonly same: boolean }
  | { readonly kind: 'maildir'; readonly account: string; readonly path: string; readonly mailbox: string }
  | { readonly kind: 'mbox'; readonly account: string; readonly path: string; readonly mailbox: string };

const sameMailbox = (a: string, b: string) => a === b || (a.toUpperCase() === 'INBOX' && b.toUpperCase() === 'INBOX');

export function resolveTarget(target: Target, ref: MessageRef, accounts: Readonly<Record<string, Account>>): StoreTarget {
  const name = target.account ?? ref.account;
  const account = accounts[name];
  if (!account) throw new MailsiftError('ACTION_TARGET_INVALID', `fileinto :account "${name}": no such account in the configuration`);
  switch (account.type) {
    case 'imap': {
      const same = name === ref.account;
      if (same && sameMailbox(target.mailbox, ref.mailbox)) return { kind: 'here' };
      return { kind: 'imap', account: name, mailbox: target.mailbox, same };
    }
    case 'maildir':
      return { kind: 'maildir', account: name, path: account.path, mailbox: target.mailbox };
    case 'mbox':
      return { kind: 'mbox', account: name, path: account.path, mailbox: target.mailbox };
    case 'pop3':
    case 'smtp-intake':
      throw new MailsiftError('ACTION_TARGET_INVALID', `fileinto :account "${name}": a ${account.type} account cannot store messages`);
    default:
      return assertNever(account);
  }
}

export function describeTarget(t: StoreTarget): string {
  switch (t.kind) {
    case 'here':
      return 'its own mailbox';
    case 'imap':
      return t.same ? `"${t.mailbox}"` : `"${t.mailbox}" on ${t.account}`;
    case 'maildir':
      return `"${t.mailbox}" in Maildir ${t.account}`;
    case 'mbox':
      return `mbox ${t.account}`;
  }
}
