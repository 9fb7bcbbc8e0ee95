/**
 * Running a plan for the daemon's connectors (IMAP, POP3, SMTP intake): the
 * evaluation generator, with the host's two questions answered — mailboxexists by
 * the connector, duplicate from the state database (RFC 7352 ids are remembered only
 * after the message's actions succeeded, by the caller).
 */
import { evaluate, type RunResult } from '../runtime/evaluate.js';
import type { HostQuery } from '../runtime/host.js';
import type { MessageView } from '../runtime/message/types.js';
import type { Plan } from '../runtime/plan.js';
import type { RunOptions } from '../runtime/runtime.js';
import type { StateDb } from '../state/db.js';

export interface RulesHost {
  readonly state: StateDb;
  mailboxExists(names: readonly string[]): Promise<boolean> | boolean;
}

export async function runRules(plan: Plan, view: MessageView, options: RunOptions & { now: Date }, host: RulesHost): Promise<RunResult> {
  const gen = evaluate(plan, view, options);
  let step = gen.next();
  while (!step.done) {
    const q: HostQuery = step.value;
    let answer: unknown;
    switch (q.kind) {
      case 'mailbox-exists':
        answer = await host.mailboxExists(q.mailboxes);
        break;
      case 'duplicate':
        answer = host.state.duplicates.seen(q.id, q.handle, options.now.getTime());
        break;
    }
    step = gen.next(answer);
  }
  return step.value;
}
