/**
 * The outbound actions of an intake message (redirect, vacation, notify, pipe), carried out
 * after its stores and before the 250, through the daemon's outbound registry and under the
 * action ledger, exactly as the executor runs them for IMAP and POP3 mail.
 *
 * Ledger key (src/state/ledger.ts): source = the intake account, folder = "SMTP",
 * uidvalidity = "0", uid = a digest of the envelope and the DATA as received. A client that
 * sends the same message again (it got no 250 because we crashed or the connection broke
 * after the stores) therefore finds its actions 'done' and nothing is sent twice; one that
 * was interrupted midway is 'in doubt', and the handlers then do not send again (a lost
 * SMS is better than a second one).
 *
 * Unlike the executor, one failure does not stop the others: the message is already stored,
 * and each failed action only adds its keep (decide.ts `keepOnFailure`).
 */
import { createHash } from 'node:crypto';
import { Progress } from '../../actions/context.js';
import type { ExecutorDeps } from '../../actions/deps.js';
import { oneLine, runOutboundHandler } from '../../actions/outbound-run.js';
import type { MessageRef } from '../../actions/types.js';
import { MailsiftError } from '../../errors.js';
import type { LedgerKey } from '../../state/ledger.js';
import type { OutboundRequest } from './decide.js';
import type { IntakeEnvelope } from './server.js';

/** The ledger's folder for intake mail (also the processed log's mailbox). */
export const INTAKE_FOLDER = 'SMTP';

export interface OutboundResult {
  readonly request: OutboundRequest;
  readonly status: 'done' | 'already-done' | 'failed';
  /** One line: what was sent, why not, or the error. */
  readonly detail: string;
  /** A failure's stable code (src/errors.ts). */
  readonly code?: string;
  /**
   * An earlier attempt died between the ledger's begin and its end: the handler did not send
   * again, yet the action may never have happened. The caller stores the keep then.
   */
  readonly inDoubt?: boolean;
}

/** Stable across retries of the same transaction: the envelope and the bytes the client sent. */
export function transactionDigest(envelope: IntakeEnvelope, data: Uint8Array): string {
  const h = createHash('sha256');
  h.update(`${envelope.mailFrom}\u0000${envelope.rcptTo.map((r) => r.toLowerCase()).join('\u0000')}\u0000`);
  h.update(data);
  return h.digest('hex').slice(0, 40);
}

export async function runIntakeOutbound(
  deps: Pick<ExecutorDeps, 'ledger' | 'outbound'>,
  input: { readonly account: string; readonly digest: string; readonly message: Uint8Array; readonly requests: readonly OutboundRequest[] },
): Promise<OutboundResult[]> {
  const results: OutboundResult[] = [];
  const ref: MessageRef = { account: input.account, mailbox: INTAKE_FOLDER, uidValidity: 0, uid: 0, flags: [] };
  for (const request of input.requests) {
    const { op } = request;
    const key: LedgerKey = { source: input.account, folder: INTAKE_FOLDER, uidvalidity: '0', uid: input.digest, action: op.key };
    const progress = new Progress();
    try {
      const begun = deps.ledger.begin(key);
      if (begun === 'done') {
        results.push({ request, status: 'already-done', detail: `${op.action.type}: done before (the client sent this message again)` });
        continue;
      }
      const handler = deps.outbound?.get(op.action.type);
      if (!handler) throw new MailsiftError('OUTBOUND_NOT_CONFIGURED', `${op.action.type}: no handler is configured for it`);
      const detail = oneLine(await runOutboundHandler(handler, { ref, action: op.action, key: op.key, inDoubt: begun === 'in-doubt', message: () => Promise.resolve(input.message) }, progress));
      deps.ledger.complete(key, detail);
      results.push({ request, status: 'done', detail, ...(begun === 'in-doubt' && { inDoubt: true }) });
    } catch (err) {
      const e = err instanceof MailsiftError ? err : new MailsiftError('OUTBOUND_FAILED', oneLine((err as Error)?.message ?? String(err)), { cause: err });
      const detail = oneLine(e.message);
      if (progress.clean) {
        try {
          deps.ledger.fail(key, `${e.code}: ${detail}`);
        } catch {
          // begin() failed (no row) or the database is gone: the row, if any, stays in doubt
        }
      }
      results.push({ request, status: 'failed', detail, code: e.code });
    }
  }
  return results;
}
