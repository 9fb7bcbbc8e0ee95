/**
 * The executor's dependencies as the tests hand them in (test/actions, test/pop3,
 * test/outbound, test/smtp-intake): the state database's ledger, the configured accounts, and
 * each IMAP account's real MailboxWatcher by name. An account without a watcher rejects, which
 * fails that operation and keeps the message, as a lost connection would; a test without IMAP
 * passes no watchers at all.
 */
import type { ExecutorDeps } from '../../src/actions/deps.js';
import type { Account } from '../../src/config/types.js';
import type { MailboxWatcher } from '../../src/connectors/imap/index.js';
import type { StateDb } from '../../src/state/db.js';

export interface ExecutorWorld {
  state: StateDb;
  accounts: Record<string, Account>;
  /** Default: none (every IMAP operation rejects). */
  watchers?: Record<string, MailboxWatcher>;
}

/** `over` replaces or adds fields (log, outbound, ignoreCapabilities, ...). */
export function executorDeps({ state, accounts, watchers = {} }: ExecutorWorld, over: Partial<ExecutorDeps> = {}): ExecutorDeps {
  return {
    ledger: state.ledger,
    accounts,
    imap: async (name) => {
      const w = watchers[name];
      if (!w) throw new Error(`no watcher for ${name}`);
      return w;
    },
    ...over,
  };
}
