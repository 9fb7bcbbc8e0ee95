/**
 * fetchNew(): messages above a UID, in batches. BODY.PEEK[] / BODY.PEEK[HEADER] (never BODY[])
 * so fetching does not set \Seen (RFC 3501 §6.4.5); never BINARY[], which would undo the
 * Content-Transfer-Encoding and break byte-exactness. MODSEQ is added by imapflow when
 * CONDSTORE is enabled.
 */
import type { FetchMessageObject, FetchQueryObject, ImapFlow } from 'imapflow';
import { MailsiftError } from '../../errors.js';
import type { FetchedMessage } from './types.js';

export interface FetchNewOptions {
  /** true: whole message (BODY.PEEK[]); false: header only (BODY.PEEK[HEADER]). */
  full: boolean;
  /** UIDs per FETCH. Default 50 for full, 500 for headers. */
  batchSize?: number;
  /** Throw IMAP_UIDVALIDITY_CHANGED instead of fetching when the mailbox's UIDVALIDITY differs. */
  expectUidValidity?: number;
  /**
   * SELECT instead of EXAMINE, so that actions on the fetched messages (the executor's UID
   * MOVE/STORE) run on the same selection without a second SELECT. BODY.PEEK keeps \Seen
   * untouched either way (RFC 3501 §6.4.5); the one difference is \Recent, which a SELECT
   * takes for this session (RFC 3501 §2.3.2). Default false (EXAMINE: sweeps, learning).
   */
  readWrite?: boolean;
}

/** What fetchNew needs from the watcher: a mailbox session, and the account for messages. */
export interface FetchHost {
  withMailbox<T>(mailbox: string, fn: (client: ImapFlow) => Promise<T>, options: { readOnly: boolean }): Promise<T>;
  /** The mailbox's UIDNEXT as last pushed or polled, if known. */
  knownUidNext?(mailbox: string): number | undefined;
  where: string;
}

function uidValidityOf(client: ImapFlow): number {
  return Number(client.mailbox ? client.mailbox.uidValidity : 0);
}

function checkUidValidity(host: FetchHost, mailbox: string, actual: number, expected: number | undefined): void {
  if (expected !== undefined && actual !== expected) {
    throw new MailsiftError('IMAP_UIDVALIDITY_CHANGED', `${host.where}: "${mailbox}" has UIDVALIDITY ${actual}, expected ${expected}`);
  }
}

/** `n:*` also matches the highest UID when that is below n (RFC 3501 §6.4.8): keep UIDs above sinceUid only, oldest first. */
function above<T extends { uid: number }>(items: readonly T[], sinceUid: number): T[] {
  return items.filter((m) => m.uid > sinceUid).sort((a, b) => a.uid - b.uid);
}

/**
 * False for a message another session expunged while it was still in our view: Dovecot then
 * answers the FETCH with NIL data (RFC 2180 §4.1.3 allows that), which imapflow hands over as
 * `false`. It is gone from the server, so there is nothing to process; an empty message still
 * comes as an empty literal.
 */
function hasData(msg: FetchMessageObject, full: boolean): boolean {
  return Buffer.isBuffer(full ? msg.source : msg.headers);
}

/**
 * The usual case, a few new messages: one `UID FETCH since+1:*` right after the SELECT, no
 * UID SEARCH. The UIDNEXT of the SELECT bounds how many can come back; when more than one batch
 * may be new (catch-up after a restart, a rescan), one UID SEARCH, then one UID FETCH per batch,
 * each in its own withMailbox() call so the caller may run other commands between the messages
 * it is handed, and no more than a batch is held in memory.
 */
export async function* fetchNew(host: FetchHost, mailbox: string, sinceUid: number, options: FetchNewOptions): AsyncGenerator<FetchedMessage> {
  const readOnly = !options.readWrite;
  const batchSize = options.batchSize ?? (options.full ? 50 : 500);
  const from = Math.max(1, sinceUid + 1);
  const first = await host.withMailbox(mailbox, async (client) => {
    // A selection kept from an earlier command (withMailbox reuses it) does not show mail that
    // arrived since: with NOTIFY, Dovecot 2.3 sends no EXISTS for the selected mailbox
    // (measured). Select again when the watcher knows of a higher UIDNEXT than the selection's.
    const known = host.knownUidNext?.(mailbox);
    if (client.mailbox && known !== undefined && client.mailbox.uidNext < known) {
      await client.mailboxOpen(mailbox, { readOnly: client.mailbox.readOnly });
    }
    const uidValidity = uidValidityOf(client);
    checkUidValidity(host, mailbox, uidValidity, options.expectUidValidity);
    const path = client.mailbox ? client.mailbox.path : mailbox;
    // UIDs are ascending (RFC 3501 §2.3.1.1): about uidNext - from of them are above sinceUid.
    // Only about: an EXISTS since the SELECT adds messages without a new UIDNEXT (imapflow
    // keeps the one of the SELECT), so a small bound is never taken for "nothing new";
    // `n:*` returns those messages too.
    const bound = client.mailbox ? client.mailbox.uidNext - from : Infinity;
    if (bound <= batchSize) {
      const messages = above(await client.fetchAll(`${from}:*`, fetchQuery(options.full), { uid: true }), sinceUid);
      return { uidValidity, path, messages, uids: [] as number[] };
    }
    const found = await client.search({ uid: `${from}:*` }, { uid: true });
    const uids = (Array.isArray(found) ? found : []).filter((u) => u > sinceUid).sort((a, b) => a - b);
    return { uidValidity, path, messages: [] as FetchMessageObject[], uids };
  }, { readOnly });
  for (const m of first.messages) if (hasData(m, options.full)) yield toFetchedMessage(m, first.path, first.uidValidity, options.full);
  for (const uids of chunks(first.uids, batchSize)) {
    const messages = await host.withMailbox(mailbox, async (client) => {
      checkUidValidity(host, mailbox, uidValidityOf(client), first.uidValidity);
      return client.fetchAll(uids.join(','), fetchQuery(options.full), { uid: true });
    }, { readOnly });
    for (const m of messages) if (hasData(m, options.full)) yield toFetchedMessage(m, first.path, first.uidValidity, options.full);
  }
}

export function fetchQuery(full: boolean): FetchQueryObject {
  return full
    ? { uid: true, flags: true, internalDate: true, size: true, source: true }
    : { uid: true, flags: true, internalDate: true, size: true, headers: true };
}

/** Message-ID from raw header bytes, without angle brackets; the first one wins. */
export function messageIdOf(raw: Uint8Array): string | undefined {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const end = bytes.indexOf('\r\n\r\n');
  const head = bytes.subarray(0, end >= 0 ? end : Math.min(bytes.length, 256 * 1024)).toString('latin1');
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = /^message-id[ \t]*:(.*)$/im.exec(unfolded);
  if (!line) return undefined;
  const value = line[1]!.trim();
  const angle = /<([^<>\s]+)>/.exec(value);
  const id = angle ? angle[1]! : value.split(/\s+/)[0]!;
  return id || undefined;
}

export function toFetchedMessage(msg: FetchMessageObject, mailbox: string, uidValidity: number, full: boolean): FetchedMessage {
  const raw = (full ? msg.source : msg.headers) ?? Buffer.alloc(0);
  const date = msg.internalDate instanceof Date ? msg.internalDate : new Date(msg.internalDate ?? 0);
  const out: FetchedMessage = {
    mailbox,
    uid: msg.uid,
    uidValidity,
    flags: [...(msg.flags ?? [])],
    internalDate: date,
    size: msg.size ?? raw.length,
    raw: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength),
    headersOnly: !full,
  };
  if (msg.modseq !== undefined) out.modseq = msg.modseq;
  const messageId = messageIdOf(raw);
  if (messageId !== undefined) out.messageId = messageId;
  return out;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
