/** The daemon behind `mailsift run`, and the sweep engine behind `mailsift sweep`. */
export { startDaemon, RulesLoadError, type Daemon, type DaemonOptions, type ReloadReport } from './daemon.js';
export { createLogger, MemoryLogger, formatMessageText, type DaemonLogger, type LogFormat, type MessageLogEntry } from './log.js';
export { acquireStateLock, lockHolder, processRunning, type StateLock } from './lock.js';
export { sweep, formatSweepSummary, type SweepSummary, type SweepTarget } from './sweep.js';
export { defaultExecutorFactory, executorDeps, type ExecutorFactory } from './executor.js';
export { ImapSessions, cachedMailboxExists } from './sessions.js';
export { RulesRegistry } from './rules.js';
