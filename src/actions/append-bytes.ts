/**
 * APPEND of bytes in hand to a mailbox of an IMAP account, verified: a message that has no
 * mailbox of its own (fetched by POP3, received by the SMTP intake) is stored this way. The
 * copy counts as stored only once the server confirmed it: APPENDUID (RFC 4315 §3), else a
 * search by Message-ID/size and INTERNALDATE finds it (verify.ts). An APPEND that was
 * accepted but cannot be found again is IMAP_APPEND_UNVERIFIED: the caller keeps its copy.
 *
 * `inDoubt` (an earlier attempt died midway): look for the message first, append only when
 * it is not there. The INTERNALDATE must then be the same as in the first attempt.
 */
import { MailsiftError } from '../errors.js';
import type { Progress } from './context.js';
import type { ExecutorDeps } from './deps.js';
import { capsOf, createMailbox, imapError } from './imap-ops.js';
import { findOnImap, fingerprintOf } from './verify.js';

export interface AppendTarget {
  readonly account: string;
  readonly mailbox: string;
  readonly flags: readonly string[];
  /** CREATE the mailbox first (fileinto :create, or a keep target). */
  readonly create: boolean;
}

export async function appendBytes(deps: Pick<ExecutorDeps, 'imap' | 'ignoreCapabilities'>, p: Progress, t: AppendTarget, raw: Uint8Array, date: Date, inDoubt: boolean): Promise<string> {
  const where = `"${t.mailbox}" on ${t.account}`;
  const h = await deps.imap(t.account);
  if (inDoubt) {
    const found = await findOnImap(h, t.mailbox, fingerprintOf(raw, date));
    if (found !== undefined) return `already in ${where} (uid ${found}) before a restart`;
  }
  if (t.create) await h.withClient((client) => createMailbox(client, t.mailbox));
  // APPEND with the target selected: imapflow then learns the new UID even without UIDPLUS.
  const { uid, confirmed } = await h.withMailbox(t.mailbox, async (client) => {
    const caps = capsOf(client, deps.ignoreCapabilities ?? []);
    const r = await p.effect(() => client.append(t.mailbox, raw, [...t.flags], date)).catch((err: unknown) => {
      throw imapError('IMAP_APPEND_FAILED', `APPEND to ${where} failed`, err);
    });
    if (!r) throw new MailsiftError('IMAP_APPEND_FAILED', `APPEND to ${where}: not connected`);
    // uidValidity is only set together with a real APPENDUID.
    return { uid: r.uid, confirmed: caps.uidplus && r.uidValidity !== undefined && r.uid !== undefined };
  });
  if (confirmed) return `appended to ${where} (uid ${uid}, APPENDUID)`;
  const found = await findOnImap(h, t.mailbox, fingerprintOf(raw, date));
  if (found === undefined) throw new MailsiftError('IMAP_APPEND_UNVERIFIED', `APPEND to ${where} was accepted, but the message cannot be found there`);
  return `appended to ${where} (uid ${found}, found by search)`;
}
