/** Running one outbound operation through its registered handler (outbound.ts documents the contract). */
import { MailsiftError } from '../errors.js';
import type { MessageSession, Progress } from './context.js';
import type { OutboundContext, OutboundHandler } from './outbound.js';
import type { Operation } from './plan-operations.js';

export async function runOutbound(s: MessageSession, p: Progress, op: Extract<Operation, { kind: 'outbound' }>, inDoubt: boolean): Promise<string> {
  const type = op.action.type;
  const handler = s.deps.outbound?.get(type);
  if (!handler) {
    throw new MailsiftError('OUTBOUND_NOT_CONFIGURED', `${type}: no handler is configured for it (outbound actions come with a later release): the message stays where it is`);
  }
  let bytes: Promise<Uint8Array> | undefined;
  const ctx: OutboundContext = {
    ref: s.ref,
    action: op.action,
    key: op.key,
    inDoubt,
    message: () =>
      (bytes ??= s.edited
        ? Promise.resolve(s.edited)
        : s.fetchSource(true).then((m) => {
            if (!m.raw) throw new MailsiftError('IMAP_COMMAND_FAILED', `UID FETCH ${s.ref.uid} in "${s.ref.mailbox}" returned no message body`);
            return m.raw;
          })),
  };
  return runOutboundHandler(handler, ctx, p);
}

/**
 * One handler run, for the IMAP executor, POP3 delivery and the SMTP intake alike. A handler
 * that returns has sent: `p` then counts a finished step, so a ledger write failing after it
 * leaves the row in doubt (never "failed", which the next run would send again). A handler
 * that throws with `inDoubt` may have sent; any other throw sent nothing.
 */
/** Whitespace runs (a multi-line server or program message) collapsed, for ledger details and logs. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export async function runOutboundHandler(handler: OutboundHandler, ctx: OutboundContext, p: Progress): Promise<string> {
  try {
    const detail = await handler.run(ctx);
    p.finished();
    return detail;
  } catch (err) {
    if ((err as { inDoubt?: unknown })?.inDoubt === true) p.uncertain();
    if (err instanceof MailsiftError) throw err;
    throw new MailsiftError('OUTBOUND_FAILED', `${ctx.action.type}: ${oneLine((err as Error)?.message ?? String(err))}`, { cause: err });
  }
}
