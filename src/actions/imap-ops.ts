/**
 * The IMAP commands the executor sends, one message at a time, always by UID. They run as
 * one registered command through imapflow's run() (which breaks an active IDLE first) and
 * throw with the server's reason, where imapflow's own messageCopy/messageMove return a bare
 * `false`. Also: imapflow's messageMove without MOVE falls back to messageDelete, which sends
 * a plain EXPUNGE when the server lacks UIDPLUS and so would expunge every \Deleted message
 * of the mailbox; this file never sends a plain EXPUNGE.
 *
 *   UID STORE uid +FLAGS (...)         RFC 3501 §6.4.6
 *   UID COPY uid mailbox → [COPYUID]   RFC 3501 §6.4.7, RFC 4315 §3
 *   UID MOVE uid mailbox → [COPYUID]   RFC 6851 §3.1, 4.3
 *   UID EXPUNGE uid                    RFC 4315 §2.1
 *
 * Every function here runs inside withMailbox()/withClient() of the account's handle.
 */
import type { ImapFlow, ImapResponse } from 'imapflow';
import type { ImapAttribute, ImapCompileNode } from 'imapflow/lib/handler/types.js';
import { decodePath, encodePath, normalizePath } from 'imapflow/lib/tools.js';
import { execCommand, registerCommand, runCommand } from '../connectors/imap/imapflow-internals.js';
import { MailsiftError, type ErrorCode } from '../errors.js';

const CMD = 'MAILSIFT-ACTION';
const registered = new WeakSet<ImapFlow>();

type Untagged = Record<string, (untagged: ImapResponse) => void>;

/** Sends `command attributes` and resolves with the tagged OK; a NO/BAD rejects with imapflow's error (responseStatus, responseText). */
async function exec(client: ImapFlow, command: string, attributes: ImapCompileNode[], untagged?: Untagged): Promise<ImapResponse> {
  if (!registered.has(client)) {
    registerCommand(client, CMD, ((c: ImapFlow, cmd: string, attrs: ImapCompileNode[], u?: Untagged) => execCommand(c, cmd, attrs, u)) as (c: ImapFlow, ...args: never[]) => Promise<unknown>);
    registered.add(client);
  }
  return (await runCommand(client, CMD, command, attributes, untagged)) as ImapResponse;
}

/** The capabilities the executor's choices depend on, minus those the deps say to ignore. */
export interface Caps {
  readonly move: boolean;
  readonly uidplus: boolean;
}

export function capsOf(client: ImapFlow, ignore: readonly string[] = []): Caps {
  const has = (c: string) => client.capabilities.has(c) && !ignore.includes(c);
  return { move: has('MOVE'), uidplus: has('UIDPLUS') };
}

const atom = (value: string): ImapCompileNode => ({ type: 'ATOM', value });
const seq = (uid: number): ImapCompileNode => ({ type: 'SEQUENCE', value: String(uid) });
const mailboxArg = (client: ImapFlow, mailbox: string): ImapCompileNode => ({ type: 'STRING', value: encodePath(client, normalizePath(client, mailbox)) });

function text(node: ImapAttribute | undefined): string {
  const v = node && !Array.isArray(node) ? node.value : undefined;
  return Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** The response code (`[TRYCREATE]`, `[COPYUID ...]`) of a response line, with its arguments. */
function responseCode(response: ImapResponse | undefined): string[] {
  const first = response?.attributes?.[0];
  const section = first && !Array.isArray(first) ? first.section : undefined;
  return section ? section.map((n) => text(n)) : [];
}

/** True when the error is the server's NO/BAD: the command was refused, so it did nothing. */
export function isRefusal(err: unknown): boolean {
  const e = (err instanceof MailsiftError ? err.cause : err) as { responseStatus?: string } | undefined;
  return e?.responseStatus === 'NO' || e?.responseStatus === 'BAD';
}

/** The server's response code of a refusal (TRYCREATE, ALREADYEXISTS, ...), upper case. */
export function refusalCode(err: unknown): string | undefined {
  const e = (err instanceof MailsiftError ? err.cause : err) as { response?: ImapResponse; serverResponseCode?: string } | undefined;
  return (e?.serverResponseCode ?? responseCode(e?.response)[0])?.toUpperCase() || undefined;
}

/** One line for an imapflow error: the server's text, else the message. Never a command line. */
export function reasonOf(err: unknown): string {
  const e = err as { responseText?: string; message?: string; code?: string } | undefined;
  // Dovecot appends its timing, "(0.001 + 0.000 secs).": noise in a log line.
  const t = (e?.responseText || e?.message || String(err)).replace(/\s+/g, ' ').replace(/\s*\(\d+\.\d+( \+ \d+\.\d+)* secs\)\.?$/, '').trim();
  return e?.code && !t.includes(e.code) ? `${t} [${e.code}]` : t;
}

/** Wraps an imapflow error (MailsiftErrors pass through); a dropped connection keeps IMAP_CONNECTION_LOST. */
export function imapError(code: ErrorCode, what: string, err: unknown): MailsiftError {
  if (err instanceof MailsiftError) return err;
  // [TRYCREATE] (RFC 3501 §7.1): the target mailbox does not exist.
  if (refusalCode(err) === 'TRYCREATE') return new MailsiftError('IMAP_MAILBOX_MISSING', `${what}: ${reasonOf(err)} (no :create given)`, { cause: err });
  const lost = /^(NoConnection|EConnectionClosed|StateLogout|ETIMEOUT|ECONNRESET|EPIPE)$/.test((err as { code?: string })?.code ?? '');
  return new MailsiftError(lost ? 'IMAP_CONNECTION_LOST' : code, `${what}: ${reasonOf(err)}`, { cause: err });
}

/** The destination UID from `[COPYUID validity src dst]` when one UID was copied. */
function copyUidFrom(codes: string[]): number | undefined {
  if (codes[0]?.toUpperCase() !== 'COPYUID' || !/^\d+$/.test(codes[3] ?? '')) return undefined;
  return Number(codes[3]);
}

/**
 * UID STORE uid +FLAGS.SILENT (flags) (or -FLAGS), then a UID FETCH (FLAGS) of that UID.
 * Resolves true when the message is there, false when the UID no longer exists (the STORE is
 * then a no-op). The FETCH is needed: with NOTIFY active, Dovecot 2.3 sends no untagged FETCH
 * for a STORE in the selected mailbox (measured), so the STORE alone says nothing.
 */
export async function storeFlags(client: ImapFlow, uid: number, flags: readonly string[], mode: '+' | '-' = '+'): Promise<boolean> {
  await exec(client, 'UID STORE', [seq(uid), atom(`${mode}FLAGS.SILENT`), flags.map(atom)]);
  return uidExists(client, uid);
}

/** UID COPY; resolves with the new UID when the server sent COPYUID. */
export async function copyMessage(client: ImapFlow, uid: number, mailbox: string): Promise<{ uid?: number }> {
  const response = await exec(client, 'UID COPY', [seq(uid), mailboxArg(client, mailbox)]);
  const target = copyUidFrom(responseCode(response));
  return target === undefined ? {} : { uid: target };
}

/** UID MOVE; the COPYUID comes in an untagged OK before the tagged one (RFC 6851 §4.3), or in the tagged OK. */
export async function moveMessage(client: ImapFlow, uid: number, mailbox: string): Promise<{ uid?: number }> {
  let target: number | undefined;
  const response = await exec(client, 'UID MOVE', [seq(uid), mailboxArg(client, mailbox)], {
    OK: (untagged) => {
      target ??= copyUidFrom(responseCode(untagged));
    },
  });
  target ??= copyUidFrom(responseCode(response));
  return target === undefined ? {} : { uid: target };
}

/** UID EXPUNGE of exactly this UID (needs UIDPLUS). */
export async function expungeUid(client: ImapFlow, uid: number): Promise<void> {
  await exec(client, 'UID EXPUNGE', [seq(uid)]);
}

/** Whether the selected mailbox still has this UID (UID FETCH uid (UID)). */
export async function uidExists(client: ImapFlow, uid: number): Promise<boolean> {
  let found = false;
  await exec(client, 'UID FETCH', [seq(uid), atom('UID')], {
    FETCH: (untagged) => {
      const list = untagged.attributes?.[1];
      if (!Array.isArray(list)) return;
      for (let i = 0; i + 1 < list.length; i += 2) if (text(list[i]).toUpperCase() === 'UID' && Number(text(list[i + 1])) === uid) found = true;
    },
  });
  return found;
}

/** CREATE (and SUBSCRIBE) unless it exists; imapflow already treats [ALREADYEXISTS] as success. */
export async function createMailbox(client: ImapFlow, mailbox: string): Promise<boolean> {
  try {
    const r = await client.mailboxCreate(mailbox);
    return !!r?.created;
  } catch (err) {
    // Servers without RFC 5530 codes answer a plain NO when it exists: check before failing.
    if (isRefusal(err) && (await mailboxExists(client, mailbox))) return false;
    throw imapError('IMAP_COMMAND_FAILED', `CREATE "${mailbox}" failed`, err);
  }
}

async function mailboxExists(client: ImapFlow, mailbox: string): Promise<boolean> {
  const path = normalizePath(client, mailbox);
  let exists = false;
  await exec(client, 'LIST', [{ type: 'STRING', value: '' }, mailboxArg(client, mailbox)], {
    LIST: (untagged) => {
      const flags = Array.isArray(untagged.attributes?.[0]) ? untagged.attributes[0].map((f) => text(f).toLowerCase()) : [];
      if (!flags.includes('\\noselect') && !flags.includes('\\nonexistent')) exists = true;
    },
  });
  return exists || (!!client.mailbox && client.mailbox.path === path);
}

/**
 * The mailbox with the \Trash special-use attribute (RFC 6154), else one named "Trash" (any
 * case), else undefined. Servers with SPECIAL-USE report the attributes in a plain LIST.
 */
export async function findTrash(client: ImapFlow): Promise<string | undefined> {
  const listed: { path: string; flags: string[] }[] = [];
  await exec(client, 'LIST', [{ type: 'STRING', value: '' }, { type: 'STRING', value: '*' }], {
    LIST: (untagged) => {
      const attrs = untagged.attributes ?? [];
      const flags = Array.isArray(attrs[0]) ? attrs[0].map((f) => text(f).toLowerCase()) : [];
      const raw = text(attrs[2]);
      if (raw) listed.push({ path: normalizePath(client, decodePath(client, raw)), flags });
    },
  });
  const selectable = listed.filter((m) => !m.flags.includes('\\noselect') && !m.flags.includes('\\nonexistent'));
  return selectable.find((m) => m.flags.includes('\\trash'))?.path ?? selectable.find((m) => m.path.toLowerCase() === 'trash')?.path;
}

/** Flags that can be stored: system flags but \Recent (RFC 3501 §2.3.2), and keywords that are atoms. */
export function storableFlags(flags: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of flags) {
    if (f.toLowerCase() === '\\recent' || f === '\\*') continue;
    if (!/^\\?[^\s(){%*"\\\]\x00-\x1f\x7f]+$/.test(f)) continue;
    if (!out.some((o) => o.toLowerCase() === f.toLowerCase())) out.push(f);
  }
  return out;
}

/** Flags of `a` plus those of `b` (case-insensitive), storable only. */
export function mergeFlags(a: readonly string[], b: readonly string[]): string[] {
  return storableFlags([...a, ...b]);
}

/**
 * Makes sure the selected mailbox's view holds `uid` (or, without a UID, is fresh): SELECTs it
 * again (same mode) when the UID is at or above the UIDNEXT seen at selection. Needed because
 * with NOTIFY active Dovecot 2.3 sends no EXISTS for the selected mailbox (measured), so a
 * message that arrived after the SELECT stays invisible to UID COPY/STORE/FETCH/SEARCH on that
 * selection, and the watcher keeps a mailbox selected for a short while after each command.
 */
export async function refreshView(client: ImapFlow, mailbox: string, uid?: number): Promise<void> {
  const box = client.mailbox;
  if (box && uid !== undefined && box.uidNext > uid) return;
  await client.mailboxOpen(mailbox, { readOnly: !!box && box.readOnly });
}

/**
 * Inside withMailbox(ref.mailbox): refreshes the view for the UID and throws
 * IMAP_UIDVALIDITY_CHANGED when the mailbox is not the one the UID belongs to.
 */
export async function enterSource(client: ImapFlow, mailbox: string, uidValidity: number, uid: number): Promise<void> {
  await refreshView(client, mailbox, uid);
  const actual = Number(client.mailbox ? client.mailbox.uidValidity : 0);
  if (actual !== uidValidity) {
    throw new MailsiftError('IMAP_UIDVALIDITY_CHANGED', `"${mailbox}" has UIDVALIDITY ${actual}, the message was seen under ${uidValidity}: its UID is void`);
  }
}
