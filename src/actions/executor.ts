/**
 * The executor: carries out a message's planned operations (plan-operations.ts) on real
 * stores, each under the action ledger, in order, side effects first and the disposition
 * last (Pigeonhole's "collect, then act"). The first failure stops the run: the remaining
 * operations are skipped, so the message stays where it is (Sieve's implicit keep).
 *
 * Ledger (src/state/ledger.ts), per operation, keyed (account, mailbox, UIDVALIDITY, UID, op.key):
 *   begin → 'done'      : not repeated ('already-done')
 *           'in-doubt'  : an earlier attempt died between begin and complete; look before
 *                         redoing (is the source still there? does the target have it?)
 *           'run'       : do it
 *   then complete(detail), or on failure fail(reason) when nothing happened for sure; a
 *   failure after part of the work (a COPY done, the EXPUNGE refused) stays in doubt.
 *   A row the state database refuses fails the operation with the ledger's STATE_UNWRITABLE
 *   (never IMAP_COMMAND_FAILED): the daemon then commits nothing and retries the message.
 */
import type { ImapAccount } from '../config/types.js';
import { MailsiftError } from '../errors.js';
import { assertNever } from '../runtime/errors.js';
import { imapLedgerKey, type LedgerKey } from '../state/ledger.js';
import { MessageSession, Progress } from './context.js';
import { transfer } from './cross-account.js';
import type { ExecutorDeps } from './deps.js';
import { describeOperation } from './describe.js';
import { oneLine, runOutbound } from './outbound-run.js';
import type { Operation } from './plan-operations.js';
import { expungeInPlace, flagInPlace, moveWithin, copyWithin, removeSource, trashOf } from './same-account.js';
import { resolveTarget } from './targets.js';
import type { ExecuteInput, ExecuteOutcome, Executor, OperationResult } from './types.js';
import { findOnImap, sourceState } from './verify.js';
import { refreshView, storableFlags, storeFlags } from './imap-ops.js';

export type { ExecutorDeps, ExecutorLogEvent, ImapHandle, LedgerLike } from './deps.js';

export function createExecutor(deps: ExecutorDeps): Executor {
  const trash = new Map<string, Promise<string>>();
  return { execute: (input) => execute(deps, trash, input) };
}

function asError(err: unknown): MailsiftError {
  if (err instanceof MailsiftError) return err;
  return new MailsiftError('IMAP_COMMAND_FAILED', oneLine((err as Error)?.message ?? String(err)), { cause: err });
}

async function execute(deps: ExecutorDeps, trash: Map<string, Promise<string>>, input: ExecuteInput): Promise<ExecuteOutcome> {
  const { ref, plan } = input;
  const results: OperationResult[] = [];
  let error: string | undefined;
  let code: string | undefined;

  if (input.dryRun) {
    const c = { ref, accounts: deps.accounts, edited: input.edited !== undefined, ...(deps.outbound && { outbound: deps.outbound }) };
    for (const op of plan.operations) results.push({ key: op.key, kind: op.kind, status: 'planned', detail: describeOperation(op, c) });
    return { status: 'done', results };
  }

  const account = deps.accounts[ref.account];
  let session: MessageSession | undefined;
  if (account?.type === 'imap') session = new MessageSession(deps, ref, account as ImapAccount, input.edited, trash);
  else {
    const e = new MailsiftError('ACTION_TARGET_INVALID', `account "${ref.account}" is ${account ? `a ${account.type} account` : 'not configured'}: the executor acts on messages in IMAP mailboxes`);
    error = e.message;
    code = e.code;
  }

  const held = new Map<string, string>();
  for (const op of plan.operations) {
    if (error !== undefined || !session) {
      results.push({ key: op.key, kind: op.kind, status: 'skipped' });
      continue;
    }
    const heldDetail = held.get(op.key);
    if (heldDetail !== undefined) {
      results.push({ key: op.key, kind: op.kind, status: 'done', detail: heldDetail });
      continue;
    }
    const key: LedgerKey = imapLedgerKey(ref.account, ref.mailbox, ref.uidValidity, ref.uid, op.key);
    const progress = new Progress();
    try {
      const begun = deps.ledger.begin(key);
      if (begun === 'done') {
        results.push({ key: op.key, kind: op.kind, status: 'already-done' });
        continue;
      }
      if (begun === 'in-doubt') session.log('info', 'in-doubt', `${op.kind} was started before and never finished: checking before redoing it`, op.key);
      const detail = oneLine(await runOperation(session, progress, op, begun === 'in-doubt'));
      // Recorded before the outbound row is completed, so a crash in between cannot let a
      // later run (which would see the outbound done) discard the message after all.
      if (op.kind === 'outbound' && begun === 'in-doubt') holdDiscard(deps, session, plan.operations, op, held);
      deps.ledger.complete(key, detail);
      results.push({ key: op.key, kind: op.kind, status: 'done', detail });
    } catch (err) {
      const e = asError(err);
      error = oneLine(e.message);
      code = e.code;
      if (progress.clean) {
        try {
          deps.ledger.fail(key, `${e.code}: ${error}`);
        } catch {
          // begin() itself failed (no row), or the database is gone: the row, if any, stays in doubt
        }
      }
      results.push({ key: op.key, kind: op.kind, status: 'failed', detail: error });
    }
  }
  return { status: error === undefined ? 'done' : 'failed', results, ...(error !== undefined && { error, code }) };
}

/**
 * An outbound action an earlier attempt left in doubt was not carried out again (the handlers
 * never risk a second redirect, SMS or reply), and may never have happened: the process may
 * have died before it sent. It does not count as delivery, so a discard after it (explicit, or
 * the one a redirect or pipe without :copy implies) is not carried out: the message stays where
 * it is. The discard's ledger row is completed as "not discarded", so no later run of the same
 * message (a reprocess, a sweep) discards it either. A move needs no hold: it stores the
 * message in its target (and plan-operations never puts a copy beside a discard).
 * The same rule as the SMTP intake and POP3 (docs/getting-started.md, "No action runs twice").
 */
function holdDiscard(deps: ExecutorDeps, s: MessageSession, operations: readonly Operation[], outbound: Extract<Operation, { kind: 'outbound' }>, held: Map<string, string>): void {
  const disposal = operations.find((o) => o.kind === 'discard');
  if (!disposal || held.has(disposal.key)) return;
  const key = imapLedgerKey(s.ref.account, s.ref.mailbox, s.ref.uidValidity, s.ref.uid, disposal.key);
  const begun = deps.ledger.begin(key);
  if (begun === 'done') return; // held by an earlier run, or discarded already: the loop reports it
  const detail = `not discarded: ${outbound.action.type} was left in doubt by a crash and not carried out again, so the message stays in "${s.ref.mailbox}"`;
  deps.ledger.complete(key, detail);
  held.set(disposal.key, detail);
  s.log('warn', 'in-doubt-kept', detail, disposal.key);
}

function runOperation(s: MessageSession, p: Progress, op: Operation, inDoubt: boolean): Promise<string> {
  switch (op.kind) {
    case 'flag':
      return flagInPlace(s, op.flags); // idempotent: in doubt or not, just do it
    case 'copy':
    case 'move':
      return store(s, p, op, inDoubt);
    case 'discard':
      return discard(s, p, op.key, inDoubt);
    case 'outbound':
      return runOutbound(s, p, op, inDoubt);
    default:
      return assertNever(op);
  }
}

/** In doubt about a move: the source gone means the move got through (deletion comes last). */
async function movedAlready(s: MessageSession, operation: string): Promise<boolean> {
  const state = await sourceState(await s.source(), s.ref.mailbox, s.ref.uidValidity, s.ref.uid);
  if (state === 'gone') s.log('info', 'in-doubt-resolved', 'the source is gone: the move completed before the restart', operation);
  return state === 'gone';
}

async function store(s: MessageSession, p: Progress, op: Extract<Operation, { kind: 'copy' | 'move' }>, inDoubt: boolean): Promise<string> {
  const target = resolveTarget(op.target, s.ref, s.deps.accounts);
  const move = op.kind === 'move';
  if (target.kind === 'here') {
    const flagged = await flagInPlace(s, op.flags);
    return `"${op.target.mailbox}" is the message's own mailbox: left there; ${flagged}`;
  }
  if (inDoubt && move && (await movedAlready(s, op.key))) return 'moved before a restart (the source is gone)';
  if (target.kind === 'imap' && target.same && s.edited === undefined) {
    if (inDoubt) {
      const done = await finishSameAccount(s, p, target.mailbox, op.flags, move, op.key);
      if (done) return done;
    }
    return move ? moveWithin(s, p, target.mailbox, op.flags, op.create, op.key) : copyWithin(s, p, target.mailbox, op.flags, op.create, op.key);
  }
  return transfer(s, p, { target, flags: op.flags, create: op.create, move, operation: op.key }, inDoubt);
}

/** In doubt, same account: if the target has the message, set its flags and (move) delete the source. */
async function finishSameAccount(s: MessageSession, p: Progress, mailbox: string, flags: readonly string[], move: boolean, operation: string): Promise<string | undefined> {
  const h = await s.source();
  const found = await findOnImap(h, mailbox, await s.fingerprint());
  if (found === undefined) return undefined;
  s.log('info', 'in-doubt-resolved', `"${mailbox}" already has the message (uid ${found}): not ${move ? 'moved' : 'copied'} again`, operation);
  const f = storableFlags(flags);
  if (f.length) {
    await h.withMailbox(mailbox, async (client) => {
      await refreshView(client, mailbox, found);
      await storeFlags(client, found, f);
    });
  }
  const detail = `already in "${mailbox}" (uid ${found}) before a restart`;
  return move ? `${detail}; ${await removeSource(s, p, operation)}` : detail;
}

async function discard(s: MessageSession, p: Progress, operation: string, inDoubt: boolean): Promise<string> {
  if (s.account.discard === 'expunge') {
    if (inDoubt && (await movedAlready(s, operation))) return 'expunged before a restart';
    return expungeInPlace(s, p, operation);
  }
  const trash = await trashOf(s);
  if (trash === s.ref.mailbox) return `already in the Trash mailbox "${trash}": left there`;
  if (inDoubt) {
    if (await movedAlready(s, operation)) return `moved to "${trash}" before a restart`;
    const done = await finishSameAccount(s, p, trash, [], true, operation);
    if (done) return done;
  }
  // The original goes to Trash, also when editheader changed it: nothing edited is kept.
  try {
    return await moveWithin(s, p, trash, [], false, operation);
  } catch (err) {
    // Deleted or renamed since it was looked up: look again next time.
    if (err instanceof MailsiftError && err.code === 'IMAP_MAILBOX_MISSING') s.trashCache().delete(s.ref.account);
    throw err;
  }
}
