/**
 * Storing the message somewhere its server cannot COPY to: another IMAP account (FETCH
 * BODY.PEEK[] + APPEND with its flags and INTERNALDATE), a local Maildir or mbox; and any
 * store of a message that editheader changed (the edited bytes are APPENDed, even on the
 * same account). On a move the source is deleted only after the new copy is verified:
 * APPENDUID (RFC 4315 §3), else a search by Message-ID/INTERNALDATE/size; a Maildir
 * delivery is verified by its rename, an mbox append by its fsync.
 */
import { MailsiftError } from '../errors.js';
import type { MessageSession, Progress, SourceMessage } from './context.js';
import { capsOf, imapError, mergeFlags } from './imap-ops.js';
import { findInMaildir, findInMbox, storeInMaildir, storeInMbox } from './local-store.js';
import { ensureMailbox, removeSource } from './same-account.js';
import type { StoreTarget } from './targets.js';
import { findOnImap, fingerprintOf } from './verify.js';

type Elsewhere = Exclude<StoreTarget, { kind: 'here' }>;

export interface TransferRequest {
  readonly target: Elsewhere;
  readonly flags: readonly string[];
  readonly create: boolean;
  readonly move: boolean;
  readonly operation: string;
}

/** What is written: the edited bytes or the source, with the source's flags plus the rule's. */
interface Payload {
  readonly raw: Uint8Array;
  readonly flags: string[];
  readonly internalDate: Date;
}

async function payload(s: MessageSession, flags: readonly string[]): Promise<Payload> {
  const src: SourceMessage = await s.fetchSource(s.edited === undefined);
  const raw = s.edited ?? src.raw;
  if (!raw) throw new MailsiftError('IMAP_COMMAND_FAILED', `UID FETCH ${s.ref.uid} in "${s.ref.mailbox}" returned no message body`);
  return { raw, flags: mergeFlags(src.flags, flags), internalDate: src.internalDate };
}

/** Whether the target already holds this payload (in-doubt check). */
async function findThere(s: MessageSession, t: Elsewhere, pl: Payload): Promise<string | undefined> {
  switch (t.kind) {
    case 'imap': {
      const uid = await findOnImap(await s.imap(t.account), t.mailbox, fingerprintOf(pl.raw, pl.internalDate));
      return uid === undefined ? undefined : `uid ${uid}`;
    }
    case 'maildir':
      return findInMaildir(t.path, t.mailbox, pl.raw);
    case 'mbox':
      return (await findInMbox(t.path, pl.raw, pl.flags)) ? t.path : undefined;
  }
}

async function write(s: MessageSession, p: Progress, t: Elsewhere, pl: Payload, create: boolean): Promise<string> {
  switch (t.kind) {
    case 'imap': {
      const h = await s.imap(t.account);
      await ensureMailbox(h, t.mailbox, create);
      // APPEND with the target selected: imapflow then learns the new UID even without UIDPLUS.
      const { uid, confirmed } = await h.withMailbox(t.mailbox, async (client) => {
        const caps = capsOf(client, s.ignore);
        const r = await p.effect(() => client.append(t.mailbox, pl.raw, pl.flags, pl.internalDate)).catch((err: unknown) => {
          throw imapError('IMAP_APPEND_FAILED', `APPEND to "${t.mailbox}"${t.same ? '' : ` on ${t.account}`} failed`, err);
        });
        if (!r) throw new MailsiftError('IMAP_APPEND_FAILED', `APPEND to "${t.mailbox}" on ${t.account}: not connected`);
        // uidValidity is only set together with a real APPENDUID.
        return { uid: r.uid, confirmed: caps.uidplus && r.uidValidity !== undefined && r.uid !== undefined };
      });
      if (confirmed) return `appended to "${t.mailbox}"${t.same ? '' : ` on ${t.account}`} (uid ${uid}, APPENDUID)`;
      const found = await findOnImap(h, t.mailbox, fingerprintOf(pl.raw, pl.internalDate));
      if (found === undefined) {
        throw new MailsiftError('IMAP_APPEND_UNVERIFIED', `APPEND to "${t.mailbox}" on ${t.account} was accepted, but the message cannot be found there (no APPENDUID, no Message-ID/date match): the source is kept`);
      }
      return `appended to "${t.mailbox}"${t.same ? '' : ` on ${t.account}`} (uid ${found}, found by search)`;
    }
    case 'maildir': {
      const path = await p.effect(() => storeInMaildir(t.path, t.mailbox, pl.raw, { flags: pl.flags, create }));
      return `delivered to ${path}`;
    }
    case 'mbox': {
      await p.effect(() => storeInMbox(t.path, pl.raw, { flags: pl.flags, date: pl.internalDate, ...(s.deps.mboxLock && { lock: s.deps.mboxLock }) }));
      return `appended to mbox ${t.path}${t.mailbox.toUpperCase() === 'INBOX' ? '' : ` (an mbox account has no folders: "${t.mailbox}" ignored)`}`;
    }
  }
}

/**
 * Stores a copy elsewhere and, for a move, then deletes the source. `inDoubt`: an earlier
 * attempt died midway, so look at the target first and only finish what is missing.
 */
export async function transfer(s: MessageSession, p: Progress, req: TransferRequest, inDoubt: boolean): Promise<string> {
  const pl = await payload(s, req.flags);
  let stored: string | undefined;
  if (inDoubt) {
    const there = await findThere(s, req.target, pl);
    if (there !== undefined) {
      stored = `already stored before a restart (${there})`;
      s.log('info', 'in-doubt-resolved', `${req.move ? 'move' : 'copy'}: the target already has the message (${there}); not stored again`, req.operation);
    }
  }
  stored ??= await write(s, p, req.target, pl, req.create);
  if (!req.move) return stored;
  return `${stored}; ${await removeSource(s, p, req.operation)}`;
}

