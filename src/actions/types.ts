/**
 * The contract between the daemon (which finds messages and evaluates rules) and
 * the executor (which carries out the resulting operations on real stores).
 *
 * The daemon: evaluate → planOperations(result.actions, here) → executor.execute().
 * The executor: runs each operation under the action ledger (so nothing runs twice
 * after a crash), side effects first and the disposition last, and reports. On any
 * failure the message stays where it was: Sieve's implicit keep.
 */
import type { OperationPlan } from './plan-operations.js';

/** Where a message is: enough to address it on its server and to key the ledger. */
export interface MessageRef {
  /** The account name from the configuration. */
  readonly account: string;
  readonly mailbox: string;
  readonly uidValidity: number;
  readonly uid: number;
  readonly messageId?: string;
  readonly internalDate?: Date;
  /** Flags the message has on the server now. */
  readonly flags: readonly string[];
  readonly size?: number;
}

export interface ExecuteInput {
  readonly ref: MessageRef;
  readonly plan: OperationPlan;
  /** The message as editheader left it, when the rules changed its header: stores then APPEND these bytes instead of copying. */
  readonly edited?: Uint8Array;
  /** Report what would be done, touch nothing (sweep --dry-run). */
  readonly dryRun?: boolean;
}

export type OperationStatus =
  /** Carried out now. */
  | 'done'
  /** The ledger says it was done before (a restart or a reconnect): not repeated. */
  | 'already-done'
  /** Not attempted, because an earlier operation failed (the message stays where it is). */
  | 'skipped'
  | 'failed'
  /** Dry run: what would be done; nothing was touched. */
  | 'planned';

export interface OperationResult {
  readonly key: string;
  readonly kind: string;
  readonly status: OperationStatus;
  /** One line: "moved to Lists/dev (uid 42)", or the error. */
  readonly detail?: string;
}

export interface ExecuteOutcome {
  /** 'done' when every operation is done, already-done or (dry run) planned. */
  readonly status: 'done' | 'failed';
  readonly results: readonly OperationResult[];
  /** The first failure, one line, no secrets. */
  readonly error?: string;
  /** Its stable code (src/errors.ts), for `mailsift status` (`CODE: error`, as connection errors show). */
  readonly code?: string;
}

export interface Executor {
  execute(input: ExecuteInput): Promise<ExecuteOutcome>;
}
