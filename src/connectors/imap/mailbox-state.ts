/**
 * Pure helpers for mailbox state: parsing STATUS data (RFC 3501 §7.2.4, HIGHESTMODSEQ from
 * RFC 7162), merging partial answers (Dovecot's NOTIFY STATUS omits UIDVALIDITY), and matching
 * mailbox names against LIST patterns (RFC 3501 §6.3.8: `*` any, `%` any but the delimiter).
 */
import type { ImapAttribute, ImapResponse } from 'imapflow';
import type { MailboxState } from './types.js';

export interface StatusFields {
  uidNext?: number;
  uidValidity?: number;
  highestModseq?: bigint;
  messages?: number;
}

const UINT32_MAX = 0xffff_ffff;

function uint32(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= UINT32_MAX ? n : undefined;
}

function tokenText(attr: ImapAttribute | undefined): string | undefined {
  if (!attr || Array.isArray(attr)) return undefined;
  const v = attr.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return undefined;
}

/** `* STATUS <name> (<item> <value> ...)` → raw (still encoded) name and the fields we track. */
export function parseStatusResponse(untagged: ImapResponse): { rawName: string; fields: StatusFields } | undefined {
  const attrs = untagged.attributes;
  if (!attrs || attrs.length < 2) return undefined;
  const rawName = tokenText(attrs[0]);
  const list = attrs[1];
  if (rawName === undefined || !Array.isArray(list)) return undefined;
  const fields: StatusFields = {};
  for (let i = 0; i + 1 < list.length; i += 2) {
    const key = tokenText(list[i])?.toUpperCase();
    const value = tokenText(list[i + 1]);
    if (!key || value === undefined) continue;
    switch (key) {
      case 'UIDNEXT': fields.uidNext = uint32(value); break;
      case 'UIDVALIDITY': fields.uidValidity = uint32(value); break;
      case 'MESSAGES': fields.messages = uint32(value); break;
      case 'HIGHESTMODSEQ': if (/^\d{1,20}$/.test(value)) fields.highestModseq = BigInt(value); break;
      default: break; // UNSEEN, RECENT, SIZE...: not tracked
    }
  }
  for (const k of Object.keys(fields) as (keyof StatusFields)[]) if (fields[k] === undefined) delete fields[k];
  return { rawName, fields };
}

/**
 * Applies partial fields to the previous state. A field that is missing keeps its old value,
 * unless UIDVALIDITY changed (then the old UIDNEXT/MODSEQ describe another mailbox). Returns
 * undefined while UIDNEXT or UIDVALIDITY is still unknown.
 */
export function mergeStatus(mailbox: string, previous: MailboxState | undefined, fields: StatusFields): MailboxState | undefined {
  const base = previous && (fields.uidValidity === undefined || fields.uidValidity === previous.uidValidity) ? previous : undefined;
  const uidValidity = fields.uidValidity ?? previous?.uidValidity;
  const uidNext = fields.uidNext ?? base?.uidNext;
  if (uidValidity === undefined || uidNext === undefined) return undefined;
  const next: MailboxState = { mailbox, uidNext, uidValidity };
  const modseq = fields.highestModseq ?? base?.highestModseq;
  if (modseq !== undefined) next.highestModseq = modseq;
  const messages = fields.messages ?? base?.messages;
  if (messages !== undefined) next.messages = messages;
  return next;
}

export function sameState(a: MailboxState | undefined, b: MailboxState | undefined): boolean {
  if (!a || !b) return a === b;
  return a.uidNext === b.uidNext && a.uidValidity === b.uidValidity && a.highestModseq === b.highestModseq && a.messages === b.messages;
}

/** INBOX is case-insensitive (RFC 3501 §5.1), also as the first level of a hierarchy. */
export function normalizeInbox(path: string, delimiter: string): string {
  const first = delimiter ? path.split(delimiter)[0]! : path;
  return first.toUpperCase() === 'INBOX' ? 'INBOX' + path.slice(first.length) : path;
}

export function isPattern(spec: string): boolean {
  return spec.includes('*') || spec.includes('%');
}

/** A predicate that is true for mailbox paths matched by any of the LIST patterns or names. */
export function patternMatcher(specs: readonly string[], delimiter: string): (path: string) => boolean {
  const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
  const notDelim = delimiter ? `[^${escape(delimiter)}]*` : '.*';
  const regexes = specs.map((spec) => {
    const normalized = normalizeInbox(spec, delimiter);
    const body = [...normalized].map((ch) => (ch === '*' ? '.*' : ch === '%' ? notDelim : escape(ch))).join('');
    return new RegExp(`^${body}$`, 's');
  });
  return (path) => {
    const p = normalizeInbox(path, delimiter);
    return regexes.some((r) => r.test(p));
  };
}
