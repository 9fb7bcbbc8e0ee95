/**
 * Finding a message again: after an APPEND without APPENDUID, and when the ledger says an
 * operation is in doubt (the process died between begin and complete). A message is
 * recognised by its fingerprint: Message-ID, INTERNALDATE (to the second) and size; on IMAP
 * by `UID SEARCH HEADER Message-ID` (or by size when there is none) and a FETCH of the
 * candidates, so an older message with the same Message-ID but another date is not taken
 * for it.
 */
import type { ImapFlow } from 'imapflow';
import { messageIdOf } from '../connectors/imap/fetch-new.js';
import { MailsiftError } from '../errors.js';
import type { ImapHandle } from './deps.js';
import { enterSource, imapError, refreshView, uidExists } from './imap-ops.js';

export interface Fingerprint {
  readonly messageId?: string;
  /** RFC822.SIZE as the server counts it (CRLF line ends). */
  readonly size?: number;
  readonly internalDate?: Date;
}

/** The size an IMAP server reports for these bytes: bare LFs count as CRLF. */
export function wireSize(raw: Uint8Array): number {
  let size = raw.byteLength;
  for (let i = 0; i < raw.byteLength; i++) if (raw[i] === 0x0a && (i === 0 || raw[i - 1] !== 0x0d)) size++;
  return size;
}

export function fingerprintOf(raw: Uint8Array, internalDate: Date | undefined): Fingerprint {
  const messageId = messageIdOf(raw);
  return { size: wireSize(raw), ...(messageId !== undefined && { messageId }), ...(internalDate && { internalDate }) };
}

const sameSecond = (a: Date, b: Date) => Math.floor(a.getTime() / 1000) === Math.floor(b.getTime() / 1000);

/** Quoted-string safe: a Message-ID with a quote or backslash is searched by its longest safe part. */
function searchableId(id: string): string {
  return id.split(/["\\\r\n]/).reduce((a, b) => (b.length > a.length ? b : a), '');
}

/**
 * The highest UID in `mailbox` matching the fingerprint, or undefined (also when the mailbox
 * does not exist). Without Message-ID and size there is nothing to search for: undefined.
 */
export async function findOnImap(handle: ImapHandle, mailbox: string, fp: Fingerprint): Promise<number | undefined> {
  if (fp.messageId === undefined && fp.size === undefined) return undefined;
  try {
    return await handle.withMailbox(mailbox, (client) => findSelected(client, mailbox, fp), { readOnly: true });
  } catch (err) {
    if (err instanceof MailsiftError && err.code === 'IMAP_MAILBOX_MISSING') return undefined;
    throw err;
  }
}

async function findSelected(client: ImapFlow, mailbox: string, fp: Fingerprint): Promise<number | undefined> {
  // A fresh EXAMINE: a view selected earlier may not show what arrived since (refreshView).
  await refreshView(client, mailbox);
  const id = fp.messageId !== undefined ? searchableId(fp.messageId) : '';
  const query = id ? { header: { 'message-id': id } } : { larger: fp.size! - 1, smaller: fp.size! + 1 };
  const found = await client.search(query, { uid: true });
  if (found === false || found === undefined) throw new MailsiftError('IMAP_COMMAND_FAILED', `UID SEARCH in "${client.mailbox ? client.mailbox.path : '?'}" failed`);
  if (!found.length) return undefined;
  let best: number | undefined;
  try {
    for await (const m of client.fetch(found.join(','), { uid: true, size: true, internalDate: true }, { uid: true })) {
      if (fp.internalDate && m.internalDate && !sameSecond(new Date(m.internalDate), fp.internalDate)) continue;
      // With a Message-ID the size is only a tie-breaker: servers may count odd line ends differently.
      if (!id && fp.size !== undefined && m.size !== fp.size) continue;
      if (best === undefined || m.uid > best) best = m.uid;
    }
  } catch (err) {
    throw imapError('IMAP_COMMAND_FAILED', 'UID FETCH of search candidates failed', err);
  }
  return best;
}

export type SourceState = 'present' | 'gone';

/** Whether the message is still in its mailbox (under the same UIDVALIDITY, else IMAP_UIDVALIDITY_CHANGED). */
export async function sourceState(handle: ImapHandle, mailbox: string, uidValidity: number, uid: number): Promise<SourceState> {
  return handle.withMailbox(mailbox, async (client) => {
    await enterSource(client, mailbox, uidValidity, uid);
    return (await uidExists(client, uid)) ? 'present' : 'gone';
  }, { readOnly: true });
}
