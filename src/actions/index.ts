/** The executor: plan-operations.ts turns actions into operations, executor.ts carries them out (see README.md). */
export { createExecutor } from './executor.js';
export type { ExecutorDeps, ExecutorLogEvent, ImapHandle, LedgerLike } from './deps.js';
export { planOperations, type Operation, type OperationPlan, type Target } from './plan-operations.js';
export type { ExecuteInput, ExecuteOutcome, Executor, MessageRef, OperationResult, OperationStatus } from './types.js';
export { createOutboundRegistry, type OutboundAction, type OutboundContext, type OutboundError, type OutboundHandler, type OutboundRegistry, type OutboundType } from './outbound.js';
export { appendToMbox, type MboxAppendOptions } from './mbox-append.js';
export { describeOperation } from './describe.js';
