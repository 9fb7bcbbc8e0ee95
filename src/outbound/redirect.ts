/**
 * redirect (RFC 5228 §4.2, :copy of RFC 3894): the message is resent unchanged to one
 * address. The envelope sender stays the original one (Return-Path), so bounces go where
 * they would have gone; the envelope recipient is the new address.
 *
 * Loop protection (RFC 5228 §4.2 asks implementations to detect loops):
 * - an `X-Loop: <our address>` field is added at the top; a message that already carries
 *   one naming us was redirected by us before and is not redirected again;
 * - a message that already carries `MAX_REDIRECT_HOPS` X-Loop fields is not redirected;
 * - never to the mailbox owner's own addresses (the `[outgoing]` from, the account's user,
 *   Delivered-To / X-Original-To).
 * A refusal throws OUTBOUND_REFUSED: the message stays (a redirect without :copy does not
 * discard it).
 */
import type { RedirectAction } from '../runtime/actions.js';
import type { OutboundContext, OutboundHandler } from '../actions/outbound.js';
import { MailsiftError } from '../errors.js';
import { bareAddress, messageFacts } from './message-facts.js';
import type { SmtpSender } from './smtp.js';

/** X-Loop fields a message may carry and still be redirected. */
export const MAX_REDIRECT_HOPS = 3;

export interface RedirectDeps {
  readonly smtp: () => SmtpSender;
  /** Our own address (the `[outgoing]` from), used in X-Loop. */
  readonly loopAddress: string;
  /** The owner's addresses for an account (besides Delivered-To): never redirect there. */
  readonly ownAddresses: (account: string) => readonly string[];
}

export function redirectHandler(deps: RedirectDeps): OutboundHandler<RedirectAction> {
  const loop = bareAddress(deps.loopAddress).toLowerCase();
  return {
    async run(ctx: OutboundContext<RedirectAction>): Promise<string> {
      const to = ctx.action.address;
      if (ctx.inDoubt) return `not resent to ${to}: an earlier attempt was interrupted and may have been delivered`;
      const raw = await ctx.message();
      const facts = messageFacts(raw);
      const target = bareAddress(to).toLowerCase();
      if (facts.loops.includes(loop)) throw new MailsiftError('OUTBOUND_REFUSED', `redirect to ${to} refused: mail loop (the message already carries X-Loop: ${loop})`);
      if (facts.loops.length >= MAX_REDIRECT_HOPS) throw new MailsiftError('OUTBOUND_REFUSED', `redirect to ${to} refused: the message was redirected ${facts.loops.length} times already`);
      const own = new Set([...deps.ownAddresses(ctx.ref.account).map((a) => bareAddress(a).toLowerCase()), ...facts.deliveredTo]);
      if (own.has(target)) throw new MailsiftError('OUTBOUND_REFUSED', `redirect to ${to} refused: that is the mailbox's own address`);
      const prefix = new TextEncoder().encode(`X-Loop: ${loop}\r\n`);
      const bytes = new Uint8Array(prefix.length + raw.length);
      bytes.set(prefix);
      bytes.set(raw, prefix.length);
      const answer = await deps.smtp().send({ envelope: { from: facts.sender ?? '', to: [to] }, raw: Buffer.from(bytes) });
      return `redirected to ${to} (${answer})`;
    },
  };
}
