/**
 * The IMAP commands the watcher sends itself, registered on each client so they run through
 * imapflow's run() (which breaks an active IDLE first) and parse their own untagged answers:
 *
 *   NOTIFY SET (personal|mailboxes (...) (MessageNew MessageExpunge))   RFC 5465
 *   LIST "" (patterns) RETURN (STATUS (UIDNEXT UIDVALIDITY MESSAGES [HIGHESTMODSEQ]))   RFC 5258/5819
 *   STATUS <mailbox> (...)                                                RFC 3501 §6.3.10
 *
 * imapflow's own list({statusQuery}) and status() are not used: list() may add LSUB and
 * per-mailbox STATUS round trips, and status() attributes any STATUS line that arrives during
 * the command to the queried mailbox, which is wrong once NOTIFY sends unsolicited ones.
 */
import type { ImapFlow, ImapResponse } from 'imapflow';
import type { ImapCompileNode } from 'imapflow/lib/handler/types.js';
import { decodePath, encodePath, normalizePath } from 'imapflow/lib/tools.js';
import { execCommand, registerCommand, runCommand, seedFolder } from './imapflow-internals.js';
import { parseStatusResponse, type StatusFields } from './mailbox-state.js';

const atom = (value: string): ImapCompileNode => ({ type: 'ATOM', value });
const str = (value: string): ImapCompileNode => ({ type: 'STRING', value });

/** RFC 6154 §2 special-use attributes (imapflow copies the one it finds into mailbox.specialUse). */
const SPECIAL_USE = new Set(['\\all', '\\archive', '\\drafts', '\\flagged', '\\junk', '\\sent', '\\trash']);

const CMD_NOTIFY = 'MAILSIFT-NOTIFY';
const CMD_NOTIFY_NONE = 'MAILSIFT-NOTIFY-NONE';
const CMD_LIST_STATUS = 'MAILSIFT-LIST-STATUS';
const CMD_STATUS = 'MAILSIFT-STATUS';

/** A STATUS answer, name already decoded and normalized the way imapflow names mailboxes. */
export interface StatusAnswer {
  mailbox: string;
  fields: StatusFields;
}

export interface ListedMailbox {
  mailbox: string;
  delimiter: string;
  /** False for \Noselect and \NonExistent entries (e.g. the parent "Lists" of "Lists/dev"). */
  selectable: boolean;
}

export type NotifyFilter = { kind: 'personal' } | { kind: 'mailboxes'; mailboxes: string[] };

function tokenText(node: unknown): string {
  const v = (node as { value?: unknown } | null)?.value;
  return Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : '';
}

/** Decodes modified UTF-7 (unless UTF8=ACCEPT is on) and normalizes like imapflow does (INBOX, namespace). */
export function mailboxFromWire(client: ImapFlow, raw: string): string {
  return normalizePath(client, decodePath(client, raw));
}

function mailboxToWire(client: ImapFlow, path: string): ImapCompileNode {
  return str(encodePath(client, path));
}

/** Parses one untagged STATUS line into a StatusAnswer. */
export function statusAnswer(client: ImapFlow, untagged: ImapResponse): StatusAnswer | undefined {
  const parsed = parseStatusResponse(untagged);
  return parsed && { mailbox: mailboxFromWire(client, parsed.rawName), fields: parsed.fields };
}

export function statusItems(client: ImapFlow): ImapCompileNode[] {
  const items = ['UIDNEXT', 'UIDVALIDITY', 'MESSAGES'];
  if (client.capabilities.has('CONDSTORE')) items.push('HIGHESTMODSEQ');
  return items.map(atom);
}

async function notifyHandler(client: ImapFlow, filter: NotifyFilter): Promise<void> {
  const events = [atom('MessageNew'), atom('MessageExpunge')];
  const spec = filter.kind === 'personal' ? [atom('personal'), events] : [atom('mailboxes'), filter.mailboxes.map((m) => mailboxToWire(client, m)), events];
  // No STATUS indicator: the caller takes its own baseline with LIST-STATUS right after, which
  // (unlike Dovecot's initial NOTIFY STATUS lines) includes HIGHESTMODSEQ.
  await execCommand(client, 'NOTIFY', [atom('SET'), spec]);
}

async function notifyNoneHandler(client: ImapFlow): Promise<void> {
  await execCommand(client, 'NOTIFY', [atom('NONE')]);
}

async function listStatusHandler(client: ImapFlow, patterns: string[], onStatus: (a: StatusAnswer) => void): Promise<ListedMailbox[]> {
  const listed: ListedMailbox[] = [];
  const wirePatterns = patterns.map((p) => mailboxToWire(client, p));
  const onList = (untagged: ImapResponse) => {
    const attrs = untagged.attributes ?? [];
    const raw = Array.isArray(attrs[0]) ? attrs[0].map((f) => tokenText(f)) : [];
    const flags = raw.map((f) => f.toLowerCase());
    const entry = { mailbox: mailboxFromWire(client, tokenText(attrs[2])), delimiter: tokenText(attrs[1]), selectable: !flags.includes('\\noselect') && !flags.includes('\\nonexistent') };
    listed.push(entry);
    if (!entry.selectable) return;
    // What imapflow's own LIST before its first SELECT of the mailbox would have cached.
    const specialUse = raw.find((f) => SPECIAL_USE.has(f.toLowerCase()));
    seedFolder(client, { path: entry.mailbox, delimiter: entry.delimiter, flags: new Set(raw), listed: true, ...(specialUse && { specialUse }) });
  };
  const onStatusLine = (untagged: ImapResponse) => {
    const answer = statusAnswer(client, untagged);
    if (answer) onStatus(answer);
  };
  if (client.capabilities.has('LIST-STATUS')) {
    // One round trip for every watched mailbox (RFC 5819); several patterns need LIST-EXTENDED,
    // which LIST-STATUS servers have (RFC 5819 §1 builds on RFC 5258).
    const patternArg = wirePatterns.length === 1 ? wirePatterns[0]! : wirePatterns;
    await execCommand(client, 'LIST', [str(''), patternArg, atom('RETURN'), [atom('STATUS'), statusItems(client)]], { LIST: onList, STATUS: onStatusLine });
    return listed;
  }
  // No LIST-STATUS: LIST per pattern, then one STATUS per selectable mailbox (unavoidable).
  for (const pattern of wirePatterns) await execCommand(client, 'LIST', [str(''), pattern], { LIST: onList });
  for (const m of listed) if (m.selectable) await statusHandler(client, m.mailbox, onStatus);
  return listed;
}

async function statusHandler(client: ImapFlow, mailbox: string, onStatus: (a: StatusAnswer) => void): Promise<void> {
  await execCommand(client, 'STATUS', [mailboxToWire(client, mailbox), statusItems(client)], {
    STATUS: (untagged) => {
      const answer = statusAnswer(client, untagged);
      if (answer) onStatus(answer);
    },
  });
}

/** Registers the commands on a fresh client. */
export function installCommands(client: ImapFlow): void {
  registerCommand(client, CMD_NOTIFY, notifyHandler as (c: ImapFlow, ...args: never[]) => Promise<unknown>);
  registerCommand(client, CMD_NOTIFY_NONE, notifyNoneHandler as (c: ImapFlow, ...args: never[]) => Promise<unknown>);
  registerCommand(client, CMD_LIST_STATUS, listStatusHandler as (c: ImapFlow, ...args: never[]) => Promise<unknown>);
  registerCommand(client, CMD_STATUS, statusHandler as (c: ImapFlow, ...args: never[]) => Promise<unknown>);
}

/** NOTIFY SET for new/expunged messages; unsolicited `* STATUS` lines follow (RFC 5465 §5.2). */
export async function notifySet(client: ImapFlow, filter: NotifyFilter): Promise<void> {
  await runCommand(client, CMD_NOTIFY, filter);
}

/** NOTIFY NONE (RFC 5465 §3): no more unsolicited events until the next NOTIFY SET. */
export async function notifyNone(client: ImapFlow): Promise<void> {
  await runCommand(client, CMD_NOTIFY_NONE);
}

/** One LIST(-STATUS) over the patterns; every STATUS line goes to onStatus. */
export async function listStatus(client: ImapFlow, patterns: string[], onStatus: (a: StatusAnswer) => void): Promise<ListedMailbox[]> {
  return (await runCommand(client, CMD_LIST_STATUS, patterns, onStatus)) as ListedMailbox[];
}

/** STATUS of one mailbox; unsolicited STATUS lines arriving meanwhile also go to onStatus, with their own names. */
export async function statusOf(client: ImapFlow, mailbox: string, onStatus: (a: StatusAnswer) => void): Promise<void> {
  await runCommand(client, CMD_STATUS, mailbox, onStatus);
}
