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
import { createOutbound, type Outbound } from '../outbound/index.js';
import type { DaemonLogger } from './log.js';
import type { ImapSessions } from './sessions.js';

export type ExecutorFactory = (deps: ExecutorDeps) => Executor;

export const defaultExecutorFactory: ExecutorFactory = (deps) => createExecutor(deps);

/** One set of outbound handlers per configuration (a reload gets new ones): Twilio's backoff and the SMTP sender live there. */
const outbounds = new WeakMap<Config, { state: StateDb; outbound: Outbound }>();

function outboundFor(config: Config, state: StateDb): Outbound {
  const known = outbounds.get(config);
  if (known?.state === state) return known.outbound;
  const outbound = createOutbound({ config, db: state.db, memory: state.duplicates });
  outbounds.set(config, { state, outbound });
  return outbound;
}

export function executorDeps(config: Config, state: StateDb, sessions: ImapSessions, logger: DaemonLogger): ExecutorDeps {
  return {
    outbound: outboundFor(config, state).registry,
    ledger: state.ledger,
    accounts: config.accounts,
    imap: (account) => sessions.get(account),
    log: (e) => logger.event(e.level, `${e.account} ${e.mailbox} uid=${e.uid}: ${e.message}`, { account: e.account, mailbox: e.mailbox, code: e.code }),
  };
}
