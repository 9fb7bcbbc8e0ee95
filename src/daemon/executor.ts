/**
 * Building the executor (src/actions) for the daemon and `mailsift sweep`: the ledger, the
 * accounts of the current configuration, the IMAP connections, and the executor's log lines
 * routed to the daemon's log. A reload builds a new one (the accounts may have changed).
 */
import type { ExecutorDeps } from '../actions/deps.js';
import { createExecutor } from '../actions/executor.js';
import type { Executor } from '../actions/types.js';
import type { Config } from '../config/types.js';
import type { StateDb } from '../state/db.js';
import type { DaemonLogger } from './log.js';
import type { ImapSessions } from './sessions.js';

export type ExecutorFactory = (deps: ExecutorDeps) => Executor;

export const defaultExecutorFactory: ExecutorFactory = (deps) => createExecutor(deps);

export function executorDeps(config: Config, state: StateDb, sessions: ImapSessions, logger: DaemonLogger): ExecutorDeps {
  return {
    ledger: state.ledger,
    accounts: config.accounts,
    imap: (account) => sessions.get(account),
    log: (e) => logger.event(e.level, `${e.account} ${e.mailbox} uid=${e.uid}: ${e.message}`, { account: e.account, mailbox: e.mailbox, code: e.code }),
  };
}
