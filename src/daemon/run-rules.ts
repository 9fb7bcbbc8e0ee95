/**
 * Running a plan for the daemon's connectors (IMAP, POP3, SMTP intake): the
 * evaluation generator, with the host's questions answered — mailboxexists by the
 * connector, duplicate from the state database (RFC 7352 ids are remembered only
 * after the message's actions succeeded, by the caller), and vnd.dovecot.execute by
 * running the program now (src/host/execute.ts), except in a dry run.
 *
 * execute runs during evaluation, before anything is committed: a message evaluated
 * again (after a crash, a lost connection or a POP3 retry) runs its programs again.
 */
import type { ProgramConfig } from '../host/run-program.js';
import { answerExecute } from '../host/execute.js';
import { evaluateAsync, type RunResult } from '../runtime/evaluate.js';
import type { ExecuteAnswer, HostQuery } from '../runtime/host.js';
import type { MessageView } from '../runtime/message/types.js';
import type { Plan } from '../runtime/plan.js';
import type { RunOptions } from '../runtime/runtime.js';
import type { StateDb } from '../state/db.js';

export interface RulesHost {
  readonly state: StateDb;
  mailboxExists(names: readonly string[]): Promise<boolean> | boolean;
  /** The allow-list and limits for execute programs (`[pipe]`); absent: execute finds no program. */
  programs?(): ProgramConfig | undefined;
  /** A dry run (`sweep --dry-run`) runs no execute programs: tests are false, commands do nothing. */
  readonly dryRun?: boolean;
}

const DRY_RUN: ExecuteAnswer = { kind: 'not-run', reason: 'a dry run runs no programs' };

export function runRules(plan: Plan, view: MessageView, options: RunOptions & { now: Date }, host: RulesHost): Promise<RunResult> {
  return evaluateAsync(plan, view, options, (q: HostQuery) => {
    switch (q.kind) {
      case 'mailbox-exists':
        return host.mailboxExists(q.mailboxes);
      case 'duplicate':
        return host.state.duplicates.seen(q.id, q.handle, options.now.getTime());
      case 'execute':
        return host.dryRun ? DRY_RUN : answerExecute(host.programs?.(), q, options.envelope);
    }
  });
}
