/**
 * Collect, then act: the result of one evaluation, with Sieve's rules applied as
 * actions arrive (RFC 5228 §2.10, RFC 5429 §2.3, Pigeonhole's merging):
 *
 * - keep and `fileinto "INBOX"` are the same store; stores to one mailbox merge into one
 *   action (flags of the last, :copy of the first), as do redirects to one address;
 * - a merged duplicate does not cancel the implicit keep again (`fileinto :copy "X";
 *   fileinto "X"` keeps the implicit keep, exactly as Pigeonhole does);
 * - reject/ereject conflicts with keep, fileinto, redirect, vacation and another reject;
 * - the implicit keep is added at the end unless cancelled, carrying the imap4flags state.
 */
import type { Action, FileintoAction, KeepAction, RedirectAction } from './actions.js';
import { SieveRuntimeError } from './errors.js';
import type { Limits } from './limits.js';
import type { Span } from '../dsl/diagnostics.js';

export const DEFAULT_MAILBOX = 'INBOX';

type Store = KeepAction | FileintoAction;

function isStore(a: Action): a is Store {
  return a.type === 'keep' || a.type === 'fileinto';
}

/** IMAP mailbox names are case-sensitive except INBOX (RFC 3501 §5.1). */
export function sameMailbox(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === DEFAULT_MAILBOX && b.toUpperCase() === DEFAULT_MAILBOX);
}

function storeMailbox(a: Store): string {
  return a.type === 'keep' ? DEFAULT_MAILBOX : a.mailbox;
}

function storeAccount(a: Store): string | undefined {
  return a.type === 'keep' ? undefined : a.account;
}

const CONFLICTS_WITH_REJECT = new Set<Action['type']>(['keep', 'fileinto', 'redirect', 'vacation', 'reject', 'ereject']);

export class ResultBuilder {
  private readonly list: Action[] = [];
  private implicitKeepCancelled = false;
  private redirects = 0;
  private notifications = 0;

  constructor(private readonly limits: Limits) {}

  get actions(): readonly Action[] {
    return this.list;
  }

  /** Add an action with the merge and conflict rules applied. */
  add(action: Action, span?: Span): void {
    this.checkRejectConflict(action, span);
    switch (action.type) {
      case 'keep':
      case 'fileinto':
        return this.addStore(action, span);
      case 'redirect':
        return this.addRedirect(action, span);
      case 'discard':
        this.implicitKeepCancelled = true;
        if (!this.list.some((a) => a.type === 'discard')) this.push(action, span);
        return;
      case 'reject':
      case 'ereject':
        this.implicitKeepCancelled = true;
        return this.push(action, span);
      case 'vacation':
        if (this.list.some((a) => a.type === 'vacation')) {
          throw new SieveRuntimeError('action-conflict', 'duplicate vacation action', span);
        }
        return this.push(action, span);
      case 'notify':
        if (++this.notifications > this.limits.maxNotifications) {
          throw new SieveRuntimeError('too-many-notifications', `more than ${this.limits.maxNotifications} notifications`, span);
        }
        if (this.list.some((a) => a.type === 'notify' && a.method === action.method && a.message === action.message)) return;
        return this.push(action, span);
      case 'pipe':
        if (!action.copy) this.implicitKeepCancelled = true;
        return this.push(action, span);
    }
  }

  /** True once an action has cancelled the implicit keep (used by tests of `discard`). */
  get keepCancelled(): boolean {
    return this.implicitKeepCancelled;
  }

  /** The final ordered list: side effects in script order, the implicit keep last. */
  finish(implicitKeepFlags: readonly string[]): Action[] {
    const out = [...this.list];
    if (this.implicitKeepCancelled) return out;
    const hasInboxStore = out.some((a) => isStore(a) && !storeAccount(a) && sameMailbox(storeMailbox(a), DEFAULT_MAILBOX));
    if (!hasInboxStore) out.push({ type: 'keep', implicit: true, flags: [...implicitKeepFlags] });
    return out;
  }

  private addStore(action: Store, span?: Span): void {
    const mailbox = storeMailbox(action);
    const i = this.list.findIndex((a) => isStore(a) && storeAccount(a) === storeAccount(action) && sameMailbox(storeMailbox(a), mailbox));
    if (i >= 0) {
      const prev = this.list[i] as Store;
      // Merge: the last flags win, the first :copy stays (Pigeonhole's behaviour).
      this.list[i] = prev.type === 'keep'
        ? { ...prev, flags: action.flags }
        : { ...prev, flags: action.flags, create: prev.create || (action.type === 'fileinto' && action.create) };
      return;
    }
    if (action.type === 'keep' || !action.copy) this.implicitKeepCancelled = true;
    this.push(action, span);
  }

  private addRedirect(action: RedirectAction, span?: Span): void {
    const key = action.address.toLowerCase();
    if (this.list.some((a) => a.type === 'redirect' && a.address.toLowerCase() === key)) return;
    if (++this.redirects > this.limits.maxRedirects) {
      throw new SieveRuntimeError('too-many-redirects', `more than ${this.limits.maxRedirects} redirects`, span);
    }
    if (!action.copy) this.implicitKeepCancelled = true;
    this.push(action, span);
  }

  private checkRejectConflict(action: Action, span?: Span): void {
    const isReject = action.type === 'reject' || action.type === 'ereject';
    const clash = this.list.find((a) =>
      isReject ? CONFLICTS_WITH_REJECT.has(a.type) : (a.type === 'reject' || a.type === 'ereject') && CONFLICTS_WITH_REJECT.has(action.type));
    if (clash) {
      throw new SieveRuntimeError('action-conflict', `${action.type} conflicts with ${clash.type}`, span);
    }
  }

  private push(action: Action, span?: Span): void {
    if (this.list.length + 1 > this.limits.maxActions) {
      throw new SieveRuntimeError('too-many-actions', `more than ${this.limits.maxActions} actions`, span);
    }
    this.list.push(action);
  }
}
