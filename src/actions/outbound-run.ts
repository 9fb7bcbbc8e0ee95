/** Running one outbound operation through its registered handler (outbound.ts documents the contract). */
import { MailsiftError } from '../errors.js';
import type { MessageSession, Progress } from './context.js';
import type { OutboundContext } from './outbound.js';
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
  try {
    return await handler.run(ctx);
  } catch (err) {
    if ((err as { inDoubt?: unknown })?.inDoubt === true) p.uncertain();
    if (err instanceof MailsiftError) throw err;
    throw new MailsiftError('OUTBOUND_FAILED', `${type}: ${((err as Error)?.message ?? String(err)).replace(/\s+/g, ' ').trim()}`, { cause: err });
  }
}
