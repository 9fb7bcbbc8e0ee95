/**
 * From Sieve actions to mailbox operations, for a message that already sits in a
 * mailbox (IMAP, or a local store). Pure: the executor carries the operations out.
 *
 * Order (Pigeonhole's "collect, then act"): every copy and every outbound action
 * first, then the single disposition last — the message is moved, discarded or left
 * where it is. If anything fails before the disposition, the message has not moved:
 * that is Sieve's implicit keep.
 */
import type { Action, FileintoAction, KeepAction } from '../runtime/actions.js';
import { assertNever } from '../runtime/errors.js';

export interface Target {
  /** Account to store into; undefined = the message's own account. */
  readonly account?: string;
  readonly mailbox: string;
}

export type Operation =
  /** Add flags to the message where it is (keep :flags, or the implicit keep with imap4flags). */
  | { readonly kind: 'flag'; readonly flags: readonly string[]; readonly key: string }
  /** Store a copy elsewhere; the original stays. */
  | { readonly kind: 'copy'; readonly target: Target; readonly flags: readonly string[]; readonly create: boolean; readonly key: string }
  /** The disposition: move the original (the last store that cancels the keep). */
  | { readonly kind: 'move'; readonly target: Target; readonly flags: readonly string[]; readonly create: boolean; readonly key: string }
  /** The disposition: discard (to Trash, or expunged, as the account says). */
  | { readonly kind: 'discard'; readonly key: string }
  /** Outbound actions, executed by their handlers (redirect, vacation, notify, reject, pipe). */
  | { readonly kind: 'outbound'; readonly action: Exclude<Action, KeepAction | FileintoAction | { type: 'discard' }>; readonly key: string };

export interface OperationPlan {
  readonly operations: readonly Operation[];
  /** True when the message stays in its mailbox (kept, explicitly or implicitly). */
  readonly stays: boolean;
}

function sameTarget(a: Target, b: Target): boolean {
  return a.account === b.account && a.mailbox === b.mailbox;
}

/** A stable key per operation, for the action ledger: the same action of the same message is never run twice. */
function keyOf(kind: string, ...parts: (string | undefined)[]): string {
  return [kind, ...parts.map((p) => p ?? '')].join('\u001f');
}

/**
 * @param here the mailbox the message is in; a keep means "stay here", and a
 *             fileinto of this very mailbox is a keep too.
 */
export function planOperations(actions: readonly Action[], here: Target): OperationPlan {
  const ops: Operation[] = [];
  const stores: { target: Target; flags: readonly string[]; create: boolean; cancelsKeep: boolean }[] = [];
  let keepFlags: string[] | undefined;
  let discard = false;

  for (const a of actions) {
    switch (a.type) {
      case 'keep':
        keepFlags = [...(keepFlags ?? []), ...a.flags];
        break;
      case 'fileinto': {
        const target: Target = { account: a.account, mailbox: a.mailbox };
        if (sameTarget(target, here) || (a.account === undefined && here.account === undefined && a.mailbox.toUpperCase() === 'INBOX' && here.mailbox.toUpperCase() === 'INBOX')) {
          keepFlags = [...(keepFlags ?? []), ...a.flags];
        } else {
          stores.push({ target, flags: a.flags, create: a.create, cancelsKeep: !a.copy });
        }
        break;
      }
      case 'discard':
        discard = true;
        break;
      case 'redirect':
      case 'reject':
      case 'ereject':
      case 'vacation':
      case 'notify':
      case 'pipe':
        ops.push({ kind: 'outbound', action: a, key: keyOf(a.type, 'method' in a ? a.method : 'address' in a ? a.address : 'program' in a ? a.program : '') });
        break;
      default:
        assertNever(a);
    }
  }

  const stays = keepFlags !== undefined;
  // When the message stays, every other store is a copy. Otherwise the last store that
  // cancels the keep becomes the move and the others copies.
  let moveIndex = -1;
  if (!stays) {
    for (let i = stores.length - 1; i >= 0; i--) if (stores[i]!.cancelsKeep) { moveIndex = i; break; }
    if (moveIndex < 0 && stores.length) moveIndex = stores.length - 1;
  }
  stores.forEach((s, i) => {
    if (i === moveIndex) return;
    ops.push({ kind: 'copy', target: s.target, flags: s.flags, create: s.create, key: keyOf('copy', s.target.account, s.target.mailbox) });
  });
  if (stays) {
    if (keepFlags!.length) ops.push({ kind: 'flag', flags: dedupe(keepFlags!), key: keyOf('flag', ...dedupe(keepFlags!)) });
  } else if (moveIndex >= 0) {
    const s = stores[moveIndex]!;
    ops.push({ kind: 'move', target: s.target, flags: s.flags, create: s.create, key: keyOf('move', s.target.account, s.target.mailbox) });
  } else if (discard || actions.some((a) => a.type === 'reject' || a.type === 'ereject' || ((a.type === 'redirect' || a.type === 'pipe') && !a.copy))) {
    ops.push({ kind: 'discard', key: keyOf('discard') });
  }
  return { operations: ops, stays };
}

function dedupe(flags: readonly string[]): string[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const k = f.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
