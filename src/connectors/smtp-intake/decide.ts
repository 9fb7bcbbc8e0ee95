/**
 * What the SMTP intake does with a message, from the actions the rules chose for each
 * recipient (one run per RCPT TO, as an LDA or LMTP would run them). Pure.
 *
 * - reject/ereject (any recipient) → refuse the whole message with its reason: SMTP has one
 *   reply to DATA, and storing for some recipients while refusing for others would both
 *   keep the message and bounce it.
 * - keep (explicit or implicit) → the target mailbox; fileinto "X" → folder X of the target
 *   account (or of `:account`); discard → nothing stored, still 250.
 * - redirect, vacation, notify, pipe → `outbound`, carried out after the stores (deliver.ts).
 *   Each carries the keep of the run that chose it (`keepOnFailure`): when it fails, the
 *   message is stored there too (RFC 5228 §2.10.6: a failed action means keep), so a
 *   redirect or pipe without :copy that did not get through never loses the message.
 * The same folder named by several recipients' runs is stored once; the same outbound action
 * (same ledger key) is carried out once.
 */
import { planOperations, type Operation } from '../../actions/plan-operations.js';
import type { Action } from '../../runtime/actions.js';
import { assertNever } from '../../runtime/errors.js';

export interface StoreRequest {
  readonly account: string;
  readonly mailbox: string;
  readonly flags: readonly string[];
  /** fileinto :create (RFC 5490), or the keep target (always created). */
  readonly create: boolean;
  /** The keep target: a missing folder of a fileinto falls back to it. */
  readonly keep: boolean;
}

export interface OutboundRequest {
  readonly op: Extract<Operation, { kind: 'outbound' }>;
  /** Where the message goes when this action fails: the keep target, with the run's flags. */
  readonly keepOnFailure: StoreRequest;
}

export type IntakeDecision =
  | { readonly kind: 'reject'; readonly reason: string }
  | { readonly kind: 'store'; readonly stores: readonly StoreRequest[]; readonly outbound: readonly OutboundRequest[] };

export interface IntakeTarget {
  readonly account: string;
  readonly mailbox: string;
}

/** One key per folder of an account (INBOX in any case is one folder): the same folder is stored once. */
export const mailboxKey = (account: string, mailbox: string): string => `${account}\u0000${mailbox.toUpperCase() === 'INBOX' ? 'INBOX' : mailbox}`;

export function decide(runs: readonly (readonly Action[])[], target: IntakeTarget): IntakeDecision {
  const stores = new Map<string, StoreRequest>();
  const outbound = new Map<string, OutboundRequest>();
  const add = (s: StoreRequest) => {
    const k = mailboxKey(s.account, s.mailbox);
    const old = stores.get(k);
    stores.set(k, old ? { ...old, flags: [...new Set([...old.flags, ...s.flags])], create: old.create || s.create, keep: old.keep || s.keep } : s);
  };
  const keepTarget = (flags: readonly string[]): StoreRequest => ({ account: target.account, mailbox: target.mailbox, flags, create: true, keep: true });

  for (const actions of runs) {
    const rejection = actions.find((a): a is Extract<Action, { type: 'reject' | 'ereject' }> => a.type === 'reject' || a.type === 'ereject');
    if (rejection) return { kind: 'reject', reason: rejection.reason };
    const plan = planOperations(actions, { mailbox: target.mailbox });
    let flags: readonly string[] = [];
    const chosen: Extract<Operation, { kind: 'outbound' }>[] = [];
    for (const op of plan.operations) {
      switch (op.kind) {
        case 'flag':
          flags = op.flags;
          break;
        case 'copy':
        case 'move':
          add({ account: op.target.account ?? target.account, mailbox: op.target.mailbox, flags: op.flags, create: op.create, keep: false });
          break;
        case 'discard':
          break;
        case 'outbound':
          chosen.push(op);
          break;
        default:
          assertNever(op);
      }
    }
    if (plan.stays) add(keepTarget(flags));
    for (const op of chosen) {
      const old = outbound.get(op.key);
      const keep = keepTarget(old ? [...new Set([...old.keepOnFailure.flags, ...flags])] : flags);
      outbound.set(op.key, { op: old?.op ?? op, keepOnFailure: keep });
    }
  }
  return { kind: 'store', stores: [...stores.values()], outbound: [...outbound.values()] };
}
