/** One line per operation for dry runs ("would move to …"): computed from the plan and the configuration only, nothing is asked of any server. */
import type { Account } from '../config/types.js';
import { describeAction } from '../report/describe-action.js';
import { assertNever } from '../runtime/errors.js';
import type { OutboundRegistry } from './outbound.js';
import type { Operation } from './plan-operations.js';
import { describeTarget, resolveTarget } from './targets.js';
import type { MessageRef } from './types.js';

export interface DescribeContext {
  readonly ref: MessageRef;
  readonly accounts: Readonly<Record<string, Account>>;
  readonly edited: boolean;
  readonly outbound?: OutboundRegistry;
}

const withFlags = (flags: readonly string[]) => (flags.length ? ` with flags ${flags.join(' ')}` : '');

export function describeOperation(op: Operation, c: DescribeContext): string {
  switch (op.kind) {
    case 'flag':
      return `would set flags ${op.flags.join(' ')} on the message in "${c.ref.mailbox}"`;
    case 'copy':
    case 'move': {
      let target;
      try {
        target = resolveTarget(op.target, c.ref, c.accounts);
      } catch (err) {
        return `would fail: ${(err as Error).message}`;
      }
      if (target.kind === 'here') return `would leave the message in "${c.ref.mailbox}" (its own mailbox)${op.flags.length ? ` and set flags ${op.flags.join(' ')}` : ''}`;
      const verb = op.kind === 'move' ? 'move' : 'copy';
      const via = c.edited ? ' (the edited message, by APPEND)' : target.kind === 'imap' && !target.same ? ' (FETCH + APPEND)' : '';
      return `would ${verb} to ${describeTarget(target)}${op.create ? ' (created if missing)' : ''}${withFlags(op.flags)}${via}`;
    }
    case 'discard': {
      const account = c.accounts[c.ref.account];
      return account?.type === 'imap' && account.discard === 'expunge' ? 'would delete the message (\\Deleted + UID EXPUNGE)' : "would move the message to the account's Trash";
    }
    case 'outbound':
      return `would ${describeAction(op.action)}${c.outbound?.has(op.action.type) ? '' : ` (no handler for ${op.action.type} is configured: it would fail and the message stay)`}`;
    default:
      return assertNever(op);
  }
}
