/**
 * Sweeps: run rules over the messages already in a mailbox (Pigeonhole's sieve-filter), on a
 * `[[sweep]]` schedule inside the daemon or once with `mailsift sweep`. Every message is
 * evaluated again on every sweep (a date rule may match now what it did not last night); the
 * action ledger makes repeated actions no-ops, so a second sweep changes nothing new.
 *
 * IMAP only for real: a Maildir or mbox account can be swept as a dry run, which shows what
 * the rules would do and changes nothing. When the mailbox is also watched, the sweep stops at
 * the watch's checkpoint: newer messages are the watch's to handle first.
 */
import type { Executor } from '../actions/types.js';
import type { Account } from '../config/types.js';
import type { MailboxWatcher } from '../connectors/imap/watch.js';
import { LocalSourceError } from '../connectors/local/errors.js';
import { listFolders, readSource } from '../connectors/local/source.js';
import { MailsiftError } from '../errors.js';
import type { Plan } from '../runtime/plan.js';
import { sameMailbox } from '../runtime/result.js';
import type { StateDb } from '../state/db.js';
import type { ProgramConfig } from '../host/run-program.js';
import type { DaemonLogger } from './log.js';
import { planNeedsFullMessage, processMessage, type ProcessContext, type ProcessOutcome } from './process-message.js';

export interface SweepTarget {
  readonly account: Account;
  readonly mailbox: string;
  readonly plan: Plan;
  readonly dryRun: boolean;
}

export interface SweepDeps {
  readonly state: StateDb;
  readonly executor: Executor;
  readonly logger: DaemonLogger;
  /** The IMAP account's connection (for IMAP sweeps). */
  readonly session?: MailboxWatcher;
  readonly mailboxExists: (names: readonly string[]) => Promise<boolean>;
  /** Called after each message, with how many are done and the total (when known). */
  readonly progress?: (done: number, total: number | undefined) => void;
  /** Stop early (daemon shutdown). */
  readonly stopping?: () => boolean;
  /** RunOptions.settings for the rules (environment, classifier models). */
  readonly settings?: () => Readonly<Record<string, unknown>>;
  /** The `[pipe]` allow-list for vnd.dovecot.execute; a dry run runs no program. */
  readonly programs?: () => ProgramConfig | undefined;
}

export interface SweepSummary {
  readonly messages: number;
  /** How many messages got each action type (keep, fileinto, discard, ...). */
  readonly actions: Readonly<Record<string, number>>;
  /** Operations carried out now / found done by an earlier run / failed / planned (dry run). */
  readonly operations: { readonly done: number; readonly alreadyDone: number; readonly failed: number; readonly planned: number };
  /** Messages whose rules or actions failed (they stayed where they were). */
  readonly errors: number;
  /** True when the sweep ended early (shutdown, lost connection). */
  readonly interrupted: boolean;
}

class Tally {
  messages = 0;
  errors = 0;
  readonly actions: Record<string, number> = {};
  readonly operations = { done: 0, alreadyDone: 0, failed: 0, planned: 0 };

  add(out: ProcessOutcome): void {
    this.messages++;
    if (out.status === 'error') this.errors++;
    for (const type of new Set(out.actions.map((a) => a.type))) this.actions[type] = (this.actions[type] ?? 0) + 1;
    for (const r of out.execution?.results ?? []) {
      if (r.status === 'done') this.operations.done++;
      else if (r.status === 'already-done') this.operations.alreadyDone++;
      else if (r.status === 'failed') this.operations.failed++;
      else if (r.status === 'planned') this.operations.planned++;
    }
  }

  summary(interrupted: boolean): SweepSummary {
    return { messages: this.messages, actions: { ...this.actions }, operations: { ...this.operations }, errors: this.errors, interrupted };
  }
}

/** `12 messages: 6 fileinto, 6 keep; 6 operations done, 3 already done` */
export function formatSweepSummary(s: SweepSummary, dryRun: boolean): string {
  const per = Object.entries(s.actions).sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `${n} ${t}`).join(', ');
  const ops = s.operations;
  const parts = dryRun
    ? [`${ops.planned} operation${ops.planned === 1 ? '' : 's'} would run (dry run: nothing changed)`]
    : [ops.done ? `${ops.done} operation${ops.done === 1 ? '' : 's'} done` : 'nothing new to do', ...(ops.alreadyDone ? [`${ops.alreadyDone} already done before`] : []), ...(ops.failed ? [`${ops.failed} failed`] : [])];
  const errors = s.errors ? `; ${s.errors} message${s.errors === 1 ? '' : 's'} kept after an error` : '';
  return `${s.messages} message${s.messages === 1 ? '' : 's'}: ${per || 'none'}; ${parts.join(', ')}${errors}${s.interrupted ? ' (interrupted)' : ''}`;
}

export async function sweep(target: SweepTarget, deps: SweepDeps): Promise<SweepSummary> {
  const { account } = target;
  switch (account.type) {
    case 'imap':
      return sweepImap(target, deps);
    case 'maildir':
    case 'mbox':
      if (!target.dryRun) {
        throw new MailsiftError('SWEEP_UNSUPPORTED', `account "${account.name}" is a local ${account.type}: it can only be swept as a dry run (--dry-run) for now`);
      }
      return sweepLocal(target, deps);
    default:
      throw new MailsiftError('SWEEP_UNSUPPORTED', `account "${account.name}" is of type ${account.type}, which cannot be swept`);
  }
}

/** Local stores have no ledger rows to consult: a dry run there only lists the operations. */
const planningExecutor: Executor = {
  async execute(input) {
    return { status: 'done', results: input.plan.operations.map((o) => ({ key: o.key, kind: o.kind, status: 'planned' as const })) };
  },
};

function context(deps: SweepDeps, dryRun: boolean, executor: Executor = deps.executor): ProcessContext {
  return {
    state: deps.state,
    executor,
    logger: deps.logger,
    mailboxExists: deps.mailboxExists,
    transient: () => !!deps.stopping?.() || (deps.session !== undefined && deps.session.current.phase !== 'watching'),
    dryRun,
    ...(deps.settings && { settings: deps.settings }),
    ...(deps.programs && { programs: deps.programs }),
  };
}

async function sweepImap(target: SweepTarget, deps: SweepDeps): Promise<SweepSummary> {
  const session = deps.session;
  if (!session) throw new MailsiftError('IMAP_CONNECTION_LOST', `IMAP account "${target.account.name}": no connection for the sweep`);
  const ctx = context(deps, target.dryRun);
  const tally = new Tally();
  const cp = deps.state.checkpoints.get(target.account.name, target.mailbox);
  const total = session.state(target.mailbox)?.messages;
  deps.progress?.(0, total);
  for await (const m of session.fetchNew(target.mailbox, 0, { full: planNeedsFullMessage(target.plan) })) {
    if (deps.stopping?.()) return tally.summary(true);
    // Above the watch's checkpoint: new mail the watch has not handled yet.
    if (cp && cp.uidvalidity === String(m.uidValidity) && m.uid > cp.lastUid) break;
    const out = await processMessage(ctx, target.plan, {
      account: target.account.name,
      mailbox: m.mailbox,
      uid: m.uid,
      uidValidity: m.uidValidity,
      raw: m.raw,
      headersOnly: m.headersOnly,
      size: m.size,
      flags: m.flags,
      internalDate: m.internalDate,
      ...(m.messageId !== undefined && { messageId: m.messageId }),
    });
    tally.add(out);
    deps.progress?.(tally.messages, total);
    if (!out.committed) return tally.summary(true);
  }
  return tally.summary(false);
}

/**
 * Maildir folder or mbox file, read through the local sources; dry run only.
 * Throws LocalSourceError 'MAILBOX_MISSING' when the store has no such folder.
 */
async function sweepLocal(target: SweepTarget, deps: SweepDeps): Promise<SweepSummary> {
  const account = target.account as Extract<Account, { type: 'maildir' | 'mbox' }>;
  await requireLocalFolder(account, target.mailbox);
  const ctx = context(deps, true, planningExecutor);
  const tally = new Tally();
  let index = 0;
  deps.progress?.(0, undefined);
  for await (const msg of readSource(account.path)) {
    if (deps.stopping?.()) return tally.summary(true);
    if (!sameMailbox(msg.folder, target.mailbox)) continue;
    index++;
    const out = await processMessage(ctx, target.plan, {
      account: account.name,
      mailbox: target.mailbox,
      uid: index,
      uidValidity: 0,
      raw: msg.raw,
      headersOnly: false,
      size: msg.raw.length,
      flags: msg.flags,
      ...(msg.internalDate && { internalDate: msg.internalDate }),
    });
    tally.add(out);
    deps.progress?.(tally.messages, undefined);
  }
  return tally.summary(false);
}

/**
 * An IMAP sweep of a missing mailbox fails (IMAP_MAILBOX_MISSING); a local one would read the
 * whole store, match no message and report "0 messages" for a mistyped mailbox name. A store
 * that cannot be listed passes here: readSource then says why (SOURCE_UNREADABLE).
 */
async function requireLocalFolder(account: Extract<Account, { type: 'maildir' | 'mbox' }>, mailbox: string): Promise<void> {
  const folders = await listFolders(account.path).catch(() => undefined);
  if (folders && !folders.some((f) => sameMailbox(f, mailbox))) {
    throw new LocalSourceError('MAILBOX_MISSING', account.path, `${account.type} account "${account.name}" (${account.path}) has no folder "${mailbox}"; it has: ${folders.join(', ')}`);
  }
}
