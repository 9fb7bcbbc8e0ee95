/**
 * Operations on the message's own IMAP account, where the server can copy and move itself:
 *
 * - flag: UID STORE +FLAGS in place.
 * - copy: UID COPY; flags for the copy are stored on the new UID from COPYUID (RFC 4315).
 * - move: UID MOVE (RFC 6851) when the server has MOVE, else UID COPY + UID STORE +FLAGS
 *   (\Deleted) + UID EXPUNGE of that one UID (RFC 4315 §2.1). Without UIDPLUS there is no
 *   UID EXPUNGE, and a plain EXPUNGE would also remove every other \Deleted message of the
 *   mailbox: the source is then left flagged \Deleted, and the log says so. Flags go onto the
 *   new UID from COPYUID; without UIDPLUS they are stored on the source before it moves.
 * - discard: a move to the account's \Trash mailbox (RFC 6154), or with
 *   `discard = "expunge"` STORE \Deleted + UID EXPUNGE.
 */
import type { ImapFlow } from 'imapflow';
import { gone, type MessageSession, type Progress } from './context.js';
import type { ImapHandle } from './deps.js';
import { capsOf, enterSource, copyMessage, createMailbox, expungeUid, findTrash, imapError, moveMessage, refreshView, storableFlags, storeFlags, uidExists, type Caps } from './imap-ops.js';
import { findOnImap } from './verify.js';

/** UID STORE +FLAGS on the message where it is. Idempotent, so never counted as progress. */
export async function flagInPlace(s: MessageSession, flags: readonly string[]): Promise<string> {
  const f = storableFlags(flags);
  if (!f.length) return 'no flags to set';
  const h = await s.source();
  const found = await h.withMailbox(s.ref.mailbox, async (client) => {
    await enterSource(client, s.ref.mailbox, s.ref.uidValidity, s.ref.uid);
    try {
      return await storeFlags(client, s.ref.uid, f);
    } catch (err) {
      throw imapError('IMAP_FLAGS_FAILED', `UID STORE +FLAGS (${f.join(' ')}) in "${s.ref.mailbox}" failed`, err);
    }
  });
  if (!found) throw gone(s.ref);
  return `flags ${f.join(' ')} set`;
}

/** CREATE when asked (:create); an existing mailbox is fine. */
export async function ensureMailbox(h: ImapHandle, mailbox: string, create: boolean): Promise<void> {
  if (create) await h.withClient((client) => createMailbox(client, mailbox));
}

/** Flags onto the copy: by its UID from COPYUID, else found by fingerprint. Idempotent. */
async function flagCopy(s: MessageSession, h: ImapHandle, mailbox: string, uid: number | undefined, flags: readonly string[], operation: string): Promise<void> {
  const f = storableFlags(flags);
  if (!f.length) return;
  const target = uid ?? (await findOnImap(h, mailbox, await s.fingerprint()));
  if (target === undefined) {
    s.log('warn', 'flags-not-set', `the copy in "${mailbox}" could not be found (no COPYUID, no Message-ID match): flags ${f.join(' ')} not set on it`, operation);
    return;
  }
  await h.withMailbox(mailbox, async (client) => {
    await refreshView(client, mailbox, target);
    try {
      await storeFlags(client, target, f);
    } catch (err) {
      throw imapError('IMAP_FLAGS_FAILED', `UID STORE +FLAGS (${f.join(' ')}) on the copy in "${mailbox}" failed`, err);
    }
  });
}

/**
 * COPY or MOVE, without COPYUID although the server has UIDPLUS: it copied nothing, so the
 * UID was gone. Checks, and throws IMAP_MESSAGE_GONE (undoing the counted step).
 */
async function checkStillThere(s: MessageSession, client: ImapFlow, caps: Caps, p: Progress, newUid: number | undefined): Promise<void> {
  if (newUid !== undefined || !caps.uidplus) return;
  if (!(await uidExists(client, s.ref.uid))) {
    p.undo();
    throw gone(s.ref);
  }
}

export async function copyWithin(s: MessageSession, p: Progress, mailbox: string, flags: readonly string[], create: boolean, operation: string): Promise<string> {
  const h = await s.source();
  await ensureMailbox(h, mailbox, create);
  const newUid = await h.withMailbox(s.ref.mailbox, async (client) => {
    await enterSource(client, s.ref.mailbox, s.ref.uidValidity, s.ref.uid);
    const caps = capsOf(client, s.ignore);
    const r = await p.effect(() => copyMessage(client, s.ref.uid, mailbox)).catch((err: unknown) => {
      throw imapError('IMAP_MOVE_FAILED', `UID COPY to "${mailbox}" failed`, err);
    });
    await checkStillThere(s, client, caps, p, r.uid);
    return caps.uidplus ? r.uid : undefined;
  });
  await flagCopy(s, h, mailbox, newUid, flags, operation);
  return `copied to "${mailbox}"${newUid !== undefined ? ` (uid ${newUid})` : ''}`;
}

export async function moveWithin(s: MessageSession, p: Progress, mailbox: string, flags: readonly string[], create: boolean, operation: string): Promise<string> {
  const h = await s.source();
  await ensureMailbox(h, mailbox, create);
  const f = storableFlags(flags);
  const { newUid, preStored, how } = await h.withMailbox(s.ref.mailbox, async (client) => {
    await enterSource(client, s.ref.mailbox, s.ref.uidValidity, s.ref.uid);
    const caps = capsOf(client, s.ignore);
    // Without UIDPLUS there is no COPYUID to find the moved message by: flag it before it moves.
    const preStored = f.length > 0 && !caps.uidplus;
    if (preStored && !(await storeFlags(client, s.ref.uid, f).catch((err: unknown) => {
      throw imapError('IMAP_FLAGS_FAILED', `UID STORE +FLAGS (${f.join(' ')}) in "${s.ref.mailbox}" failed`, err);
    }))) throw gone(s.ref);
    if (caps.move) {
      const r = await p.effect(() => moveMessage(client, s.ref.uid, mailbox)).catch((err: unknown) => {
        throw imapError('IMAP_MOVE_FAILED', `UID MOVE to "${mailbox}" failed`, err);
      });
      await checkStillThere(s, client, caps, p, r.uid);
      return { newUid: caps.uidplus ? r.uid : undefined, preStored, how: 'UID MOVE' };
    }
    const r = await p.effect(() => copyMessage(client, s.ref.uid, mailbox)).catch((err: unknown) => {
      throw imapError('IMAP_MOVE_FAILED', `UID COPY to "${mailbox}" failed`, err);
    });
    await checkStillThere(s, client, caps, p, r.uid);
    await removeSelected(s, client, caps, p, operation);
    return { newUid: caps.uidplus ? r.uid : undefined, preStored, how: caps.uidplus ? 'UID COPY + UID EXPUNGE' : 'UID COPY + \\Deleted' };
  });
  if (!preStored) await flagCopy(s, h, mailbox, newUid, f, operation);
  return `moved to "${mailbox}"${newUid !== undefined ? ` (uid ${newUid})` : ''} by ${how}`;
}

/**
 * STORE \Deleted + UID EXPUNGE of the message, in the selected source mailbox. Without
 * UIDPLUS: \Deleted only (never a plain EXPUNGE), logged.
 */
export async function removeSelected(s: MessageSession, client: ImapFlow, caps: Caps, p: Progress, operation: string): Promise<'expunged' | 'flagged' | 'gone'> {
  let there: boolean;
  try {
    there = await storeFlags(client, s.ref.uid, ['\\Deleted']);
  } catch (err) {
    throw imapError('IMAP_MOVE_FAILED', `UID STORE +FLAGS (\\Deleted) in "${s.ref.mailbox}" failed`, err);
  }
  if (!there) return 'gone';
  if (!caps.uidplus) {
    s.log('warn', 'no-uidplus', `the server has no UIDPLUS: the message is flagged \\Deleted in "${s.ref.mailbox}" but not expunged (a plain EXPUNGE would remove other \\Deleted messages too)`, operation);
    return 'flagged';
  }
  await p.effect(() => expungeUid(client, s.ref.uid)).catch((err: unknown) => {
    throw imapError('IMAP_MOVE_FAILED', `UID EXPUNGE ${s.ref.uid} in "${s.ref.mailbox}" failed`, err);
  });
  return 'expunged';
}

/** Deletes the source after its copy elsewhere is verified. */
export async function removeSource(s: MessageSession, p: Progress, operation: string): Promise<string> {
  const h = await s.source();
  const r = await h.withMailbox(s.ref.mailbox, async (client) => {
    await enterSource(client, s.ref.mailbox, s.ref.uidValidity, s.ref.uid);
    return removeSelected(s, client, capsOf(client, s.ignore), p, operation);
  });
  if (r === 'gone') s.log('warn', 'IMAP_MESSAGE_GONE', `the source UID ${s.ref.uid} was already gone from "${s.ref.mailbox}"`, operation);
  return r === 'expunged' ? 'source expunged' : r === 'flagged' ? 'source flagged \\Deleted (no UIDPLUS)' : 'source already gone';
}

/** The account's Trash: special-use \Trash, else "Trash", created when missing. Cached per account. */
export async function trashOf(s: MessageSession): Promise<string> {
  const cache = s.trashCache();
  let p = cache.get(s.ref.account);
  if (!p) {
    p = s.source().then((h) =>
      h.withClient(async (client) => {
        const found = await findTrash(client);
        if (found) return found;
        await createMailbox(client, 'Trash');
        s.log('info', 'trash-created', 'no \\Trash mailbox: created "Trash"');
        return 'Trash';
      }),
    );
    cache.set(s.ref.account, p);
    p.catch(() => cache.delete(s.ref.account));
  }
  return p;
}

export async function expungeInPlace(s: MessageSession, p: Progress, operation: string): Promise<string> {
  const h = await s.source();
  const r = await h.withMailbox(s.ref.mailbox, async (client) => {
    await enterSource(client, s.ref.mailbox, s.ref.uidValidity, s.ref.uid);
    return removeSelected(s, client, capsOf(client, s.ignore), p, operation);
  });
  if (r === 'gone') throw gone(s.ref);
  return r === 'expunged' ? 'expunged' : 'flagged \\Deleted (no UIDPLUS: not expunged)';
}
