/**
 * One message through the pipeline: parse → evaluate (answering the runtime's host queries)
 * → planOperations → executor → one state transaction (processed log, duplicate ids, and
 * whatever the caller commits with it: the watch checkpoint). Shared by the watch workers and
 * sweeps; the caller decides what "commit" means for it.
 *
 * A failure leaves the message where it is (Sieve's implicit keep). Whether the message then
 * counts as done is the caller's decision, through `transient`: a failure caused by a lost
 * connection or a shutdown is retried later (nothing committed); any other failure is
 * committed as an error, so a message that can never be handled is not retried forever.
 * A ledger row the state database refuses is thrown as STATE_UNWRITABLE, nothing committed,
 * like a refused commit.
 */
import type { Executor, ExecuteOutcome } from '../actions/types.js';
import { MailsiftError } from '../errors.js';
import { planOperations, type OperationPlan } from '../actions/plan-operations.js';
import type { Action } from '../runtime/actions.js';
import type { RunResult } from '../runtime/evaluate.js';
import { parseMessage } from '../runtime/message/parse.js';
import type { MessageView } from '../runtime/message/types.js';
import type { Plan } from '../runtime/plan.js';
import type { TraceEvent } from '../runtime/runtime.js';
import type { StateDb } from '../state/db.js';
import { imapLedgerKey } from '../state/ledger.js';
import { hostEnvironment } from '../host/environment.js';
import { runRules } from './run-rules.js';
import type { ProgramConfig } from '../host/run-program.js';
import { describeAction } from '../report/describe-action.js';
import { defaultEnvelope } from '../host/envelope-defaults.js';
import type { DaemonLogger, MessageLogEntry } from './log.js';

/** A message as a source hands it over (IMAP fetchNew, a local store). */
export interface SourceMessage {
  readonly account: string;
  readonly mailbox: string;
  readonly uid: number;
  readonly uidValidity: number;
  readonly raw: Uint8Array;
  /** Only the header was fetched: `size` is then the real size. */
  readonly headersOnly: boolean;
  readonly size: number;
  readonly flags: readonly string[];
  readonly internalDate?: Date;
  readonly messageId?: string;
}

export interface ProcessContext {
  readonly state: StateDb;
  readonly executor: Executor;
  readonly logger: DaemonLogger;
  /** RFC 5490 mailboxexists, for the message's own account. */
  mailboxExists(names: readonly string[]): Promise<boolean>;
  /** Is a failure now transient (connection down, shutting down)? Then nothing is committed. */
  transient(): boolean;
  readonly dryRun?: boolean;
  readonly now?: () => Date;
  /** RunOptions.settings for the rules (environment, classifier models); default: the host environment. */
  settings?(): Readonly<Record<string, unknown>>;
  /** The `[pipe]` allow-list for vnd.dovecot.execute (run-rules.ts); not run when `dryRun`. */
  programs?(): ProgramConfig | undefined;
}

export interface ProcessOptions {
  /** Run inside the commit transaction (checkpoint advance). */
  readonly commit?: () => void;
  /** Commit even a transient failure, as an error (the retries are used up). */
  readonly forceCommit?: boolean;
}

export interface ProcessOutcome {
  /** False when nothing was written: retry this message later. */
  readonly committed: boolean;
  readonly status: 'ok' | 'error';
  readonly actions: readonly Action[];
  readonly operations: OperationPlan;
  readonly execution?: ExecuteOutcome;
  readonly error?: string;
  readonly entry: MessageLogEntry;
}

/** The header-only view reports the header's length as its size; `size` tests need the real one. */
function withSize(view: MessageView, size: number): MessageView {
  return new Proxy(view, {
    get(target, prop) {
      if (prop === 'size') return size;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Does a plan need the whole message? A body test, or editheader (an edited message is stored whole). */
export function planNeedsFullMessage(plan: Plan): boolean {
  return plan.needsBody || plan.capabilities.has('editheader');
}

function runPlan(plan: Plan, view: MessageView, ctx: ProcessContext, now: Date, trace: (e: TraceEvent) => void): Promise<RunResult> {
  const settings = ctx.settings?.() ?? { environment: hostEnvironment() };
  return runRules(plan, view, { envelope: defaultEnvelope(view, {}), now, settings, trace }, ctx);
}

/** The line of the rule behind the disposition: the action that moved, discarded or kept the message. */
function decidingLine(actions: readonly Action[], operations: OperationPlan, events: readonly Extract<TraceEvent, { kind: 'action' }>[]): number | undefined {
  const disposition = operations.operations.find((o) => o.kind === 'move' || o.kind === 'discard');
  const lineOf = (pred: (a: Action) => boolean) => events.find((e) => pred(e.action))?.line;
  if (disposition?.kind === 'move') {
    const t = disposition.target;
    return lineOf((a) => a.type === 'fileinto' && a.mailbox === t.mailbox && a.account === t.account);
  }
  if (disposition?.kind === 'discard') return lineOf((a) => a.type === 'discard' || a.type === 'reject' || a.type === 'ereject' || a.type === 'redirect' || a.type === 'pipe');
  const explicit = actions.find((a) => a.type !== 'keep' || !a.implicit);
  return explicit ? lineOf((a) => a.type === explicit.type) : undefined;
}

/** Failures worth a retry: a connection that dropped, or an operation left in doubt (a retry resolves it). */
const RETRYABLE_CODES = new Set(['IMAP_CONNECTION_LOST', 'IMAP_CONNECT_FAILED']);

/**
 * The executor reports failures as text; the ledger row of the failed operation has the
 * code (`CODE: reason`) when it surely did not happen, and stays 'started' when in doubt.
 */
function retryable(state: StateDb, msg: SourceMessage, execution: ExecuteOutcome | undefined): boolean {
  for (const r of execution?.results ?? []) {
    if (r.status !== 'failed') continue;
    const row = state.ledger.get(imapLedgerKey(msg.account, msg.mailbox, msg.uidValidity, msg.uid, r.key));
    if (!row) continue;
    if (row.state === 'started') return true;
    const code = /^([A-Z_]+):/.exec(row.error ?? '')?.[1];
    if (code && RETRYABLE_CODES.has(code)) return true;
  }
  return false;
}

function failureText(result: RunResult): string {
  const e = result.error!;
  return `rules: ${e.code}${e.line !== undefined ? ` at line ${e.line}` : ''}: ${e.message}`;
}

export async function processMessage(ctx: ProcessContext, plan: Plan, msg: SourceMessage, options: ProcessOptions = {}): Promise<ProcessOutcome> {
  const now = ctx.now?.() ?? new Date();
  const parsed = parseMessage(msg.raw);
  const view = msg.headersOnly ? withSize(parsed, msg.size) : parsed;
  const actionEvents: Extract<TraceEvent, { kind: 'action' }>[] = [];
  let result: RunResult;
  try {
    result = await runPlan(plan, view, ctx, now, (e) => e.kind === 'action' && actionEvents.push(e));
  } catch (err) {
    // A bug in the runtime, not in the rules: the message is kept, like a runtime error.
    result = { status: 'error', actions: [{ type: 'keep', implicit: true, flags: [] }], error: { phase: 'runtime', code: 'host-error', message: `internal error: ${(err as Error).message}` }, message: view, edited: false, duplicates: [] };
  }
  const operations = planOperations(result.actions, { mailbox: msg.mailbox });
  let execution: ExecuteOutcome | undefined;
  let execError: string | undefined;
  /** The failure's stable code, when the executor gave one. */
  let execCode: string | undefined;
  let thrown = false;
  if (operations.operations.length > 0) {
    try {
      execution = await ctx.executor.execute({
        ref: { account: msg.account, mailbox: msg.mailbox, uidValidity: msg.uidValidity, uid: msg.uid, flags: msg.flags, size: msg.size, ...(msg.messageId !== undefined && { messageId: msg.messageId }), ...(msg.internalDate && { internalDate: msg.internalDate }) },
        plan: operations,
        ...(result.edited && { edited: result.message.raw }),
        ...(ctx.dryRun && { dryRun: true }),
      });
      if (execution.status === 'failed') {
        execError = execution.error ?? execution.results.find((r) => r.status === 'failed')?.detail ?? 'an action failed';
        execCode = execution.code;
      }
    } catch (err) {
      thrown = true;
      execError = (err as Error).message;
      if (err instanceof MailsiftError) execCode = err.code;
    }
  }
  // The ledger could not record an operation (ledger.ts): nothing may be committed either, and
  // the message is not a failed one. The caller's state-failure path keeps it and retries
  // (mailbox-worker.ts), instead of committing it as an error that is never tried again.
  if (execCode === 'STATE_UNWRITABLE' && !ctx.dryRun) {
    throw new MailsiftError('STATE_UNWRITABLE', `${msg.account} ${msg.mailbox}: ${execError}; the message stays and is tried again`);
  }
  const failed = execError !== undefined;
  const status: 'ok' | 'error' = failed || result.status === 'error' ? 'error' : 'ok';
  const error = execError ?? (result.status === 'error' ? failureText(result) : undefined);
  const from = view.header('from')[0];
  const subject = view.header('subject')[0];
  const ruleLine = decidingLine(result.actions, operations, actionEvents);
  const alreadyDone = execution?.results.filter((r) => r.status === 'already-done').length ?? 0;
  const entry: MessageLogEntry = {
    account: msg.account,
    mailbox: msg.mailbox,
    uid: msg.uid,
    ...(from !== undefined && { from }),
    ...(subject !== undefined && { subject }),
    ...(msg.messageId !== undefined && { messageId: msg.messageId }),
    actions: result.actions.map(describeAction),
    ...(ruleLine !== undefined && { ruleLine }),
    status,
    ...(error !== undefined && { error }),
    ...(ctx.dryRun && { dryRun: true }),
    ...(alreadyDone > 0 && { alreadyDone }),
  };
  const base = { status, actions: result.actions, operations, ...(execution && { execution }), ...(error !== undefined && { error }), entry };

  if (failed && (thrown || ctx.transient() || retryable(ctx.state, msg, execution)) && !options.forceCommit) {
    return { committed: false, ...base };
  }
  if (!ctx.dryRun) {
    const at = now.getTime();
    ctx.state.transaction(() => {
      ctx.state.events.logProcessed({
        account: msg.account,
        mailbox: msg.mailbox,
        uid: String(msg.uid),
        ...(msg.messageId !== undefined && { messageId: msg.messageId }),
        ...(entry.from !== undefined && { from: entry.from }),
        ...(entry.subject !== undefined && { subject: entry.subject }),
        actions: entry.actions.join('; '),
        ...(entry.ruleLine !== undefined && { ruleLine: entry.ruleLine }),
        status,
        // The status row's LAST ERROR carries the code, as a connection error's does (`CODE: reason`).
        ...(error !== undefined && { error: execError !== undefined && execCode !== undefined ? `${execCode}: ${execError}` : error }),
        at,
        ...(msg.internalDate && { lagMs: Math.max(0, at - msg.internalDate.getTime()) }),
      });
      // RFC 7352 §3: an id is remembered only once the message was delivered as the script said.
      if (status === 'ok') for (const d of result.duplicates) ctx.state.duplicates.remember(d.id, d.handle, d.seconds, at);
      options.commit?.();
    });
  }
  ctx.logger.message(entry);
  return { committed: true, ...base };
}
