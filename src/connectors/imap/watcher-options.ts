/** What a MailboxWatcher is told (WatcherOptions) and what it tells (WatcherEvents). */
import type { ImapFlow } from 'imapflow';
import type { MailsiftError } from '../../errors.js';
import type { BackoffOptions } from './backoff.js';
import type { ConnectOptions } from './connect.js';
import type { MailboxChange, WatchMode } from './types.js';

export interface WatcherOptions {
  /** Mailbox names or LIST patterns (`*` any depth, `%` one level), e.g. ['INBOX', 'Lists/*']. */
  mailboxes: string[];
  /** Highest mode to use; the best one the server supports at or below it. Default 'auto' (= notify). */
  mode?: WatchMode | 'auto';
  /** idle/poll modes: period of the LIST-STATUS poll. Default 60 000 ms. */
  pollIntervalMs?: number;
  /** notify mode: period of a safety-net LIST-STATUS. Default 900 000 ms. */
  resyncIntervalMs?: number;
  /**
   * notify mode: keepalive period. Each tick re-arms NOTIFY (`NOTIFY SET` again, then one
   * LIST-STATUS for what changed meanwhile): Dovecot 2.3 stops pushing for the mailboxes of an
   * index log it rotated, so this bounds how late such a change is seen. Default 120 000 ms.
   */
  keepaliveMs?: number;
  /** notify mode: false sends a plain NOOP on the keepalive instead of re-arming NOTIFY. Default true. */
  rearmNotify?: boolean;
  /**
   * notify mode: when the server refuses the keepalive's `NOTIFY SET` (after its `NOTIFY NONE`,
   * so nothing is pushed any more), the first retry comes after this long, then twice as long
   * each time up to the poll interval; each retry also takes one LIST-STATUS, so meanwhile the
   * watcher polls. Default 5 000 ms.
   */
  rearmRetryMs?: number;
  /** idle mode: the mailbox to IDLE on. Default INBOX if watched, else the first watched one. */
  idleMailbox?: string;
  /** Quiet time after the last command before going back to IDLE/unselected. Default 100 ms. */
  settleMs?: number;
  /** IDLE is restarted after this long (RFC 2177: at most 29 min). Default 1 500 000 ms. */
  maxIdleTimeMs?: number;
  /** Reconnect delays. Default base 1 s, cap 5 min, full jitter. */
  backoff?: BackoffOptions;
  /** start() keeps retrying (except IMAP_AUTH_FAILED / IMAP_INSECURE_REFUSED) instead of rejecting. Default false. */
  retryFirstConnect?: boolean;
  connect?: ConnectOptions;
}

export interface WatcherEvents {
  change: [MailboxChange];
  connected: [{ account: string; mode: WatchMode; reconnect: boolean }];
  disconnected: [{ account: string; error: MailsiftError; retryInMs: number; attempt: number }];
  /** notify mode: pushes stopped (the server refused NOTIFY SET on the keepalive; polling until a retry is taken) or came back (a retry, or a reconnect's new session, took NOTIFY). Once per transition. */
  notify: [{ account: string; armed: boolean; error?: MailsiftError; retryInMs?: number }];
}

/** A queued job on the watcher's connection whose failure is recorded, not thrown. */
export type BackgroundJob = (job: (client: ImapFlow) => Promise<unknown>) => void;
