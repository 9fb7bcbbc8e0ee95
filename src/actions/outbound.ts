/**
 * Outbound actions (redirect, vacation, notify, reject/ereject, pipe) are carried out by
 * handlers found through a registry, one per action type (STYLE.md habit 11). This issue
 * ships none: an outbound operation without a handler FAILS with OUTBOUND_NOT_CONFIGURED,
 * so the message stays where it is and the disposition after it is skipped.
 *
 * For the engineer who writes the handlers:
 * - `createOutboundRegistry({ redirect: smtpRedirect, notify: notifyRouter })` and pass it
 *   as `deps.outbound` to createExecutor().
 * - `run(ctx)` resolves with a one-line detail ("redirected to a@b.example") or throws a
 *   MailsiftError (one line, no secrets). Throwing means "did not happen": the ledger row is
 *   marked failed and a later run of the message tries again. If it may have half-happened
 *   (e.g. the SMTP connection dropped after DATA), throw an error with `inDoubt: true` in
 *   `OutboundError` so the row stays in doubt instead.
 * - The executor runs the handler under the action ledger, keyed by message and the
 *   operation's key (`redirect\u001fa@b.example`): it is never called again once it
 *   succeeded. When `ctx.inDoubt` is true the previous attempt crashed between start and
 *   end: the handler decides (an SMS is better lost than sent twice: return without sending
 *   and say so in the detail; a redirect may check its own records first).
 * - `ctx.message()` gives the message bytes (as editheader left them when it changed them),
 *   fetched at most once, on first call: handlers that do not need the body never pay for it.
 * - `ctx.dryRun` is never true: dry runs are described by the executor without calling handlers.
 */
import type { MailsiftError } from '../errors.js';
import type { Operation } from './plan-operations.js';
import type { MessageRef } from './types.js';

export type OutboundAction = Extract<Operation, { kind: 'outbound' }>['action'];
export type OutboundType = OutboundAction['type'];

export interface OutboundContext<A extends OutboundAction = OutboundAction> {
  readonly ref: MessageRef;
  readonly action: A;
  /** The operation's stable key (the last part of the ledger key). */
  readonly key: string;
  /** True when an earlier attempt started and never finished (a crash): it may or may not have happened. */
  readonly inDoubt: boolean;
  /** The whole message (BODY.PEEK[]), or the edited bytes. Fetched once, on first call. */
  message(): Promise<Uint8Array>;
}

export interface OutboundHandler<A extends OutboundAction = OutboundAction> {
  run(ctx: OutboundContext<A>): Promise<string>;
}

export type OutboundRegistry = ReadonlyMap<OutboundType, OutboundHandler>;

/** An error a handler throws when the action may have happened partly: the ledger row stays in doubt. */
export interface OutboundError extends MailsiftError {
  readonly inDoubt?: boolean;
}

/** Builds the registry from an object of handlers, one per action type. */
export function createOutboundRegistry(handlers: { [T in OutboundType]?: OutboundHandler<Extract<OutboundAction, { type: T }>> }): OutboundRegistry {
  const map = new Map<OutboundType, OutboundHandler>();
  for (const [type, handler] of Object.entries(handlers) as [OutboundType, OutboundHandler | undefined][]) if (handler) map.set(type, handler);
  return map;
}
