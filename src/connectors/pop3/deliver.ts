/**
 * Carrying out the planned operations of a message fetched by POP3. A POP3 message has no
 * mailbox of its own, so the IMAP executor (src/actions/executor.ts, which COPYs and MOVEs on
 * the source server) does not apply; this does the same job for bytes in hand:
 *
 *   copy / move   APPEND to an IMAP account, or deliver to a Maildir or mbox, under the
 *                 action ledger. A target without `:account` is the `deliverTo` account.
 *   keep          (the plan `stays`): deliver to `deliverTo` with the keep's flags; without
 *                 a deliverTo the message just stays on the POP3 server.
 *   discard       nothing to store (whether the server copy is deleted is the caller's call).
 *   outbound      through the same handler registry as the IMAP executor.
 *
 * Ledger key (src/state/ledger.ts): source = account, folder = 'POP3', uidvalidity = '0',
 * uid = the UIDL. The first failure stops the run (later operations 'skipped'), exactly as in
 * the IMAP executor; the caller then must not delete the message from the server.
 */
import type { ExecutorDeps } from '../../actions/deps.js';
import { Progress } from '../../actions/context.js';
import { appendBytes } from '../../actions/append-bytes.js';
import { findInMaildir, findInMbox, storeInMaildir, storeInMbox } from '../../actions/local-store.js';
import { oneLine, runOutboundHandler } from '../../actions/outbound-run.js';
import type { Operation, OperationPlan } from '../../actions/plan-operations.js';
import type { ExecuteOutcome, MessageRef, OperationResult } from '../../actions/types.js';
import { MailsiftError } from '../../errors.js';
import { assertNever } from '../../runtime/errors.js';
import type { LedgerKey } from '../../state/ledger.js';

/** Where kept mail goes: getmail's and fetchmail's "deliver to my main mailbox". */
export interface DeliverTo {
  readonly account: string;
  readonly mailbox: string;
}

export interface Pop3DeliveryInput {
  /** The POP3 account's name. */
  readonly account: string;
  readonly uidl: string;
  readonly raw: Uint8Array;
  /** The bytes as editheader left them, when the rules changed the header: stored instead of `raw`. */
  readonly edited?: Uint8Array;
  readonly plan: OperationPlan;
  readonly deliverTo?: DeliverTo;
  readonly dryRun?: boolean;
}

export interface Pop3DeliveryOutcome extends ExecuteOutcome {
  /** True when the message has been taken care of: the server copy may be deleted (status 'done', and not a keep that stayed on the server). */
  readonly delivered: boolean;
}

/** The ledger's folder and UIDVALIDITY for POP3 messages. */
export const POP3_FOLDER = 'POP3';

export function pop3LedgerKey(account: string, uidl: string, action: string): LedgerKey {
  return { source: account, folder: POP3_FOLDER, uidvalidity: '0', uid: uidl, action };
}

type Store = { readonly kind: 'store'; readonly key: string; readonly opKind: string; readonly account: string; readonly mailbox: string; readonly flags: readonly string[]; readonly create: boolean };
type Step = Store | { readonly kind: 'note'; readonly key: string; readonly opKind: string; readonly detail: string } | { readonly kind: 'outbound'; readonly op: Extract<Operation, { kind: 'outbound' }> };

const keyOf = (...parts: string[]) => parts.join('\u001f');

/** The keep delivered to deliver_to: the plan's keep, or the one an outbound left in doubt needs. */
function keepIn(to: DeliverTo, flags: readonly string[]): Store {
  return { kind: 'store', key: keyOf('keep', to.account, to.mailbox), opKind: 'keep', account: to.account, mailbox: to.mailbox, flags, create: true };
}

/** The plan as steps on bytes in hand. Throws ACTION_TARGET_INVALID for a store with nowhere to go. */
function stepsOf(input: Pop3DeliveryInput): Step[] {
  const steps: Step[] = [];
  const { deliverTo } = input;
  const targetAccount = (account: string | undefined): string => {
    const name = account ?? deliverTo?.account;
    if (name === undefined) throw new MailsiftError('ACTION_TARGET_INVALID', `a POP3 message has no mailbox of its own: fileinto needs :account "name", or the POP3 account a deliver_to`);
    return name;
  };
  let keepFlags: readonly string[] = [];
  for (const op of input.plan.operations) {
    switch (op.kind) {
      case 'copy':
      case 'move':
        steps.push({ kind: 'store', key: op.key, opKind: op.kind, account: targetAccount(op.target.account), mailbox: op.target.mailbox, flags: op.flags, create: op.create });
        break;
      case 'flag':
        keepFlags = op.flags;
        break;
      case 'discard':
        steps.push({ kind: 'note', key: op.key, opKind: op.kind, detail: 'discarded: not stored anywhere' });
        break;
      case 'outbound':
        steps.push({ kind: 'outbound', op });
        break;
      default:
        assertNever(op);
    }
  }
  if (input.plan.stays) {
    if (!deliverTo) {
      steps.push({ kind: 'note', key: keyOf('keep'), opKind: 'keep', detail: 'kept: left on the POP3 server (no deliver_to)' });
    } else if (!steps.some((s) => s.kind === 'store' && s.account === deliverTo.account && s.mailbox === deliverTo.mailbox)) {
      // Before the outbound steps would be fine too; last keeps "side effects first" simple.
      steps.push(keepIn(deliverTo, keepFlags));
    }
  }
  return steps;
}

function describeStore(s: Store): string {
  return `"${s.mailbox}" on ${s.account}`;
}

export async function deliverPop3Message(deps: ExecutorDeps, input: Pop3DeliveryInput): Promise<Pop3DeliveryOutcome> {
  const results: OperationResult[] = [];
  let steps: Step[];
  try {
    steps = stepsOf(input);
  } catch (err) {
    const error = oneLine((err as Error).message);
    return { status: 'failed', delivered: false, error, ...(err instanceof MailsiftError && { code: err.code }), results: input.plan.operations.map((op) => ({ key: op.key, kind: op.kind, status: 'failed' as const, detail: error })) };
  }
  if (input.dryRun) {
    for (const s of steps) {
      if (s.kind === 'store') results.push({ key: s.key, kind: s.opKind, status: 'planned', detail: `would store into ${describeStore(s)}` });
      else if (s.kind === 'note') results.push({ key: s.key, kind: s.opKind, status: 'planned', detail: s.detail });
      else results.push({ key: s.op.key, kind: 'outbound', status: 'planned', detail: `would ${s.op.action.type}` });
    }
    return { status: 'done', delivered: false, results };
  }

  const bytes = input.edited ?? input.raw;
  const run: RunState = { results, stored: false, outboundInDoubt: false };
  for (const step of steps) await runStep(deps, input, bytes, run, step);
  // An outbound action an earlier attempt left in doubt is not carried out again, and may never
  // have happened (the process died before it sent): unless a store holds the message, it is
  // kept, in deliver_to or else on the POP3 server, never deleted on the strength of it.
  if (run.error === undefined && run.outboundInDoubt && !run.stored && input.deliverTo) {
    await runStep(deps, input, bytes, run, keepIn(input.deliverTo, []));
  }
  const { error, code, stored, outboundInDoubt } = run;
  const ok = error === undefined;
  const delivered = ok && (!input.plan.stays || input.deliverTo !== undefined) && (stored || !outboundInDoubt);
  return { status: ok ? 'done' : 'failed', delivered, results, ...(error !== undefined && { error }), ...(code !== undefined && { code }) };
}

/** What the steps so far came to. */
interface RunState {
  readonly results: OperationResult[];
  /** The first failure: every later step is skipped. */
  error?: string;
  /** Its stable code. */
  code?: string;
  /** A store holds the message (done now or by an earlier attempt). */
  stored: boolean;
  /** An outbound action was found in doubt and not carried out again. */
  outboundInDoubt: boolean;
}

/** One step under the action ledger; its result is appended to `run.results`. */
async function runStep(deps: ExecutorDeps, input: Pop3DeliveryInput, bytes: Uint8Array, run: RunState, step: Step): Promise<void> {
  const key = step.kind === 'outbound' ? step.op.key : step.key;
  const kind = step.kind === 'outbound' ? 'outbound' : step.opKind;
  if (run.error !== undefined) {
    run.results.push({ key, kind, status: 'skipped' });
    return;
  }
  if (step.kind === 'note') {
    run.results.push({ key, kind, status: 'done', detail: step.detail });
    return;
  }
  const lk = pop3LedgerKey(input.account, input.uidl, key);
  const progress = new Progress();
  try {
    const begun = deps.ledger.begin(lk);
    if (begun === 'done') {
      run.results.push({ key, kind, status: 'already-done' });
      if (step.kind === 'store') run.stored = true;
      return;
    }
    const inDoubt = begun === 'in-doubt';
    // A stable INTERNALDATE across retries (the row's start, kept while in doubt): the in-doubt search needs it.
    const started = (deps.ledger as { get?: (k: LedgerKey) => { startedAt: number } | undefined }).get?.(lk)?.startedAt ?? Date.now();
    const date = new Date(Math.floor(started / 1000) * 1000);
    const detail = oneLine(step.kind === 'store' ? await store(deps, progress, step, bytes, date, inDoubt) : await outbound(deps, progress, input, step.op, bytes, inDoubt));
    deps.ledger.complete(lk, detail);
    run.results.push({ key, kind, status: 'done', detail });
    if (step.kind === 'store') run.stored = true;
    else if (inDoubt) run.outboundInDoubt = true;
  } catch (err) {
    const e = err instanceof MailsiftError ? err : new MailsiftError('STORE_WRITE_FAILED', oneLine((err as Error)?.message ?? String(err)), { cause: err });
    const error = oneLine(e.message);
    run.error = error;
    run.code = e.code;
    if (progress.clean) {
      try {
        deps.ledger.fail(lk, `${e.code}: ${error}`);
      } catch {
        // no row (begin failed) or the database is gone: the row, if any, stays in doubt
      }
    }
    run.results.push({ key, kind, status: 'failed', detail: error });
  }
}

async function store(deps: ExecutorDeps, p: Progress, s: Store, raw: Uint8Array, date: Date, inDoubt: boolean): Promise<string> {
  const account = deps.accounts[s.account];
  if (!account) throw new MailsiftError('ACTION_TARGET_INVALID', `fileinto :account "${s.account}": no such account in the configuration`);
  switch (account.type) {
    case 'imap':
      return appendBytes(deps, p, s, raw, date, inDoubt);
    case 'maildir': {
      if (inDoubt) {
        const there = await findInMaildir(account.path, s.mailbox, raw);
        if (there) return `already delivered to ${there} before a restart`;
      }
      return `delivered to ${await p.effect(() => storeInMaildir(account.path, s.mailbox, raw, { flags: s.flags, create: s.create }))}`;
    }
    case 'mbox': {
      if (inDoubt && (await findInMbox(account.path, raw, s.flags))) return `already in mbox ${account.path} before a restart`;
      await p.effect(() => storeInMbox(account.path, raw, { flags: s.flags, date, ...(deps.mboxLock && { lock: deps.mboxLock }) }));
      return `appended to mbox ${account.path}`;
    }
    case 'pop3':
    case 'smtp-intake':
      throw new MailsiftError('ACTION_TARGET_INVALID', `fileinto :account "${s.account}": a ${account.type} account cannot store messages`);
    default:
      return assertNever(account);
  }
}

async function outbound(deps: ExecutorDeps, p: Progress, input: Pop3DeliveryInput, op: Extract<Operation, { kind: 'outbound' }>, raw: Uint8Array, inDoubt: boolean): Promise<string> {
  const type = op.action.type;
  const handler = deps.outbound?.get(type);
  if (!handler) throw new MailsiftError('OUTBOUND_NOT_CONFIGURED', `${type}: no handler is configured for it: the message stays on the POP3 server`);
  // uid 0: a POP3 message has no UID; handlers key their own records by `key` and the message.
  const ref: MessageRef = { account: input.account, mailbox: POP3_FOLDER, uidValidity: 0, uid: 0, flags: [] };
  return runOutboundHandler(handler, { ref, action: op.action, key: op.key, inDoubt, message: () => Promise.resolve(raw) }, p);
}
