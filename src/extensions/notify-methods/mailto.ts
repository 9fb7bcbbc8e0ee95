/**
 * The mailto notification method: RFC 5436, with mailto URIs (RFC 6068) parsed the
 * way Pigeonhole 0.5.19 parses them, since scripts must behave the same there:
 * a literal "," in the to-part is an error (only "%2C" separates recipients), hfield
 * values must be plain ASCII without CR/LF (except body=), at most 8 recipients and
 * 16 hfields are used, reserved headers (from, bcc, in-reply-to, ...) are ignored,
 * and the first subject=/body= wins. Status: complete.
 */
import { parseSieveAddress, sameAddress, type SieveAddress } from './address.js';
import type { NotifyMethod } from './registry.js';

export interface MailtoRecipient {
  /** As written in the URI, decoded ("Name <a@b>" stays so). */
  readonly full: string;
  readonly address: SieveAddress;
  readonly cc: boolean;
}

export interface MailtoUri {
  readonly recipients: readonly MailtoRecipient[];
  /** Other hfields, in order (reserved ones dropped). */
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  readonly subject?: string;
  readonly body?: string;
}

const MAX_RECIPIENTS = 8;
const MAX_HEADERS = 16;
/** Header fields a URI may not set: Pigeonhole's list (RFC 5436 §2.3), "data" (sic) included. */
const RESERVED = new Set([
  'auto-submitted', 'received', 'message-id', 'data', 'bcc', 'in-reply-to', 'references', 'resent-date',
  'resent-from', 'resent-sender', 'resent-to', 'resent-cc', 'resent-bcc', 'resent-msg-id', 'from', 'sender',
]);
const UNIQUE = new Set(['reply-to']);

/** RFC 6068 qchar without "%", "=", "&" and "?" (these are handled by the parser). */
function isQchar(c: string): boolean {
  return /^[A-Za-z0-9\-._~!$'()*+,;:@]$/.test(c);
}

class MailtoError extends Error {}

/** Percent-decoding reads bytes; "%00" and malformed escapes are errors. */
function decodeRun(s: string, i: number, stop: string, allowed: (c: string) => boolean, where: string): [string, number] {
  const bytes: number[] = [];
  for (; i < s.length && !stop.includes(s[i]!); i++) {
    const c = s[i]!;
    if (c === '%') {
      const v = /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3)) ? parseInt(s.slice(i + 1, i + 3), 16) : 0;
      if (v === 0) throw new MailtoError('invalid % encoding');
      bytes.push(v);
      i += 2;
    } else if (allowed(c)) {
      bytes.push(c.charCodeAt(0));
    } else {
      throw new MailtoError(`invalid character "${c}" in ${where}`);
    }
  }
  return [new TextDecoder().decode(Uint8Array.from(bytes)), i];
}

/** Parse the part of a mailto URI after "mailto:". Throws MailtoError with the reason. */
function parse(body: string): MailtoUri {
  const recipients: MailtoRecipient[] = [];
  const headers: { name: string; value: string }[] = [];
  let subject: string | undefined;
  let mailBody: string | undefined;

  const add = (text: string, cc: boolean): void => {
    const address = parseSieveAddress(text);
    if ('error' in address) throw new MailtoError(`invalid recipient "${text}": ${address.error}`);
    if (recipients.length >= MAX_RECIPIENTS) return;
    const i = recipients.findIndex((r) => sameAddress(r.address, address));
    // A duplicate is dropped; a Cc that is also a To becomes a To.
    if (i >= 0) recipients[i] = { ...recipients[i]!, cc: recipients[i]!.cc && cc };
    else recipients.push({ full: text, address, cc });
  };

  // to = addr-spec *("%2C" addr-spec): a decoded "," separates, a literal one is an error.
  let i = 0;
  if (body !== '' && body[0] !== '?') {
    let current = '';
    for (; i < body.length && body[i] !== '?'; i++) {
      const c = body[i]!;
      if (c === '%') {
        const [ch] = decodeRun(body.slice(i, i + 3), 0, '', () => false, "'to' part");
        i += 2;
        if (ch === ',') {
          add(current, false);
          current = '';
        } else current += ch;
      } else if (c === ':' || c === ';' || c === ',' || !isQchar(c)) {
        throw new MailtoError(`invalid character "${c}" in 'to' part`);
      } else current += c;
    }
    add(current, false);
  }
  if (body[i] === '?') i++;

  // hfields = hfield *("&" hfield); hfield = hfname "=" hfvalue.
  let count = 0;
  while (i < body.length) {
    let name: string;
    [name, i] = decodeRun(body, i, '=', isQchar, 'header field name part');
    if (body[i] === '=') i++;
    if (!/^[!-9;-~]*$/.test(name)) throw new MailtoError('invalid header field name');
    let value: string;
    [value, i] = decodeRun(body, i, '&', (c) => c === '=' || isQchar(c), 'header field value part');
    if (body[i] === '&') i++;
    const lname = name.toLowerCase();
    if (lname !== 'body' && !/^[\t\x20-\x7e]*$/.test(value)) throw new MailtoError('invalid header field body');
    if (count++ >= MAX_HEADERS) continue;
    if (lname === 'to' || lname === 'cc') for (const r of value.split(',')) add(r, lname === 'cc');
    else if (lname === 'subject') subject ??= value;
    else if (lname === 'body') mailBody ??= value;
    else if (RESERVED.has(lname)) continue;
    else if (UNIQUE.has(lname) && headers.some((h) => h.name.toLowerCase() === lname)) continue;
    else headers.push({ name, value });
  }
  return { recipients, headers, subject, body: mailBody };
}

/** The parsed URI (the part after "mailto:"), or why it is invalid. */
export function parseMailto(body: string): MailtoUri | { readonly error: string } {
  try {
    return parse(body);
  } catch (e) {
    if (e instanceof MailtoError) return { error: e.message };
    throw e;
  }
}

/** Percent-encode all but the characters that are safe in `keep`. */
function pct(s: string, keep: RegExp): string {
  let out = '';
  for (const ch of s) {
    if (keep.test(ch)) out += ch;
    else for (const b of new TextEncoder().encode(ch)) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const SAFE_TO = /^[A-Za-z0-9\-._~!$'()*+@]$/;
const SAFE_VALUE = /^[A-Za-z0-9\-._~!$'()*+@:;=]$/;

/** Write a parsed URI back as "mailto:..." (used when duplicates removed some recipients). */
export function formatMailto(uri: MailtoUri): string {
  const to = uri.recipients.filter((r) => !r.cc).map((r) => r.full);
  const cc = uri.recipients.filter((r) => r.cc).map((r) => r.full);
  const fields: string[] = [];
  if (to.length > 1) fields.push('to=' + to.slice(1).map((r) => pct(r, SAFE_VALUE)).join(','));
  if (cc.length) fields.push('cc=' + cc.map((r) => pct(r, SAFE_VALUE)).join(','));
  if (uri.subject !== undefined) fields.push('subject=' + pct(uri.subject, SAFE_VALUE));
  for (const h of uri.headers) fields.push(pct(h.name, SAFE_TO) + '=' + pct(h.value, SAFE_VALUE));
  if (uri.body !== undefined) fields.push('body=' + pct(uri.body, SAFE_VALUE));
  return 'mailto:' + (to.length ? pct(to[0]!, SAFE_TO) : '') + (fields.length ? '?' + fields.join('&') : '');
}

function bodyOf(uri: string): string {
  return uri.slice(uri.indexOf(':') + 1);
}

export const mailto: NotifyMethod = {
  scheme: 'mailto',
  acceptsOptions: false,
  check(body) {
    const parsed = parseMailto(body);
    return 'error' in parsed ? parsed.error : undefined;
  },
  checkFrom(from) {
    const a = parseSieveAddress(from);
    return 'error' in a ? `specified :from address "${from}" is invalid for the mailto method: ${a.error}` : undefined;
  },
  // RFC 5436 §2.9: a mail recipient may or may not be online.
  capability(body, name) {
    if ('error' in parseMailto(body)) return undefined;
    return name.toLowerCase() === 'online' ? 'maybe' : undefined;
  },
  // Pigeonhole drops the recipients an earlier mailto notification already reaches,
  // and the whole notification when none is left (RFC 5436 §2.5 leaves it open).
  reduce(uri, earlier) {
    const parsed = parseMailto(bodyOf(uri));
    if ('error' in parsed || !earlier.length) return uri;
    const before = earlier.flatMap((e) => {
      const p = parseMailto(bodyOf(e));
      return 'error' in p ? [] : p.recipients.map((r) => r.address);
    });
    const left = parsed.recipients.filter((r) => !before.some((b) => sameAddress(b, r.address)));
    if (!left.length) return undefined;
    return left.length === parsed.recipients.length ? uri : formatMailto({ ...parsed, recipients: left });
  },
};
