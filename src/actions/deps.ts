/**
 * What the executor needs from the daemon. Plain interfaces, so tests and the daemon
 * can hand in real MailboxWatchers, and a later issue can hand in other stores.
 */
import type { ImapFlow } from 'imapflow';
import type { Account } from '../config/types.js';
import type { Ledger } from '../state/ledger.js';
import type { OutboundRegistry } from './outbound.js';

/**
 * One IMAP account's connection. `MailboxWatcher` (src/connectors/imap/watch.ts) is one:
 * every command goes through these two methods, queued behind the watcher's own, so
 * nothing interleaves on imapflow's single selected mailbox. Never nest calls on the same
 * handle (the inner call would wait for the outer one forever).
 */
export interface ImapHandle {
  withMailbox<T>(mailbox: string, fn: (client: ImapFlow) => Promise<T>, options?: { readOnly?: boolean }): Promise<T>;
  withClient<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T>;
}

/** The part of the state database's ledger the executor uses (`StateDb.ledger`). */
export type LedgerLike = Pick<Ledger, 'begin' | 'complete' | 'fail'>;

/** One line for the daemon's log: fallbacks taken, in-doubt operations resolved, anything a person should know. */
export interface ExecutorLogEvent {
  readonly level: 'info' | 'warn';
  /** A MailsiftError code or a short stable id ('in-doubt-resolved', 'no-uidplus', ...). */
  readonly code: string;
  readonly account: string;
  readonly mailbox: string;
  readonly uid: number;
  /** The operation's ledger key. */
  readonly operation?: string;
  /** One line, no secrets. */
  readonly message: string;
}

export interface ExecutorDeps {
  /** The action ledger: `state.ledger`. */
  readonly ledger: LedgerLike;
  /** The configured accounts by name (`config.accounts`): discard policy, local store paths, what a `:account` name is. Build a new executor after a reload. */
  readonly accounts: Readonly<Record<string, Account>>;
  /**
   * The connection of an IMAP account: the message's own (its watcher), and any other IMAP
   * account a rule stores into (`fileinto :account`). Called per operation; may reject
   * (e.g. IMAP_CONNECTION_LOST), which fails that operation and keeps the message.
   */
  readonly imap: (account: string) => Promise<ImapHandle>;
  /** Handlers for redirect, vacation, notify, reject/ereject, pipe. Without one, that operation fails (OUTBOUND_NOT_CONFIGURED). */
  readonly outbound?: OutboundRegistry;
  readonly log?: (event: ExecutorLogEvent) => void;
  /** Act as if the servers lacked these capabilities (tests of the fallbacks). */
  readonly ignoreCapabilities?: readonly ('MOVE' | 'UIDPLUS')[];
  /** mbox dotlock: give up after timeoutMs (default 30 s); a lock older than staleMs (default 5 min) or of a dead local process is broken. */
  readonly mboxLock?: { readonly timeoutMs?: number; readonly staleMs?: number };
}
