/**
 * The sms notification method: `sms:` URIs of RFC 5724 (one or more RFC 3966
 * telephone numbers separated by ",", then an optional "?body=..."). mailsift's
 * Twilio connector sends them later; here we only validate. Not registered for
 * Sieve at IANA and unknown to Pigeonhole, so scripts using it are mailsift-only.
 * Status: validation only.
 */
import type { NotifyMethod } from './registry.js';
import { parseTelephoneSubscriber, type PhoneNumber } from './tel.js';

export interface SmsUri {
  readonly recipients: readonly PhoneNumber[];
  /** The sms-fields as written (after "?"), or undefined. */
  readonly query?: string;
  readonly body?: string;
}

/** RFC 5724 §2.2: sms-field = sms-field-name "=" escaped-value; escaped-value = *(unreserved / pct-encoded). */
const FIELD = /^([A-Za-z0-9\-._~]+)=((?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})*)$/;

export function parseSms(body: string): SmsUri | { readonly error: string } {
  const q = body.indexOf('?');
  const hier = q < 0 ? body : body.slice(0, q);
  const query = q < 0 ? undefined : body.slice(q + 1);
  if (hier === '') return { error: 'no recipient' };
  const recipients: PhoneNumber[] = [];
  for (const part of hier.split(',')) {
    let text: string;
    try {
      text = decodeURIComponent(part);
    } catch {
      return { error: 'invalid % encoding' };
    }
    const n = parseTelephoneSubscriber(text);
    if ('error' in n) return n;
    if (!recipients.some((r) => r.key === n.key)) recipients.push(n);
  }
  let smsBody: string | undefined;
  for (const field of query === undefined ? [] : query.split('&')) {
    const m = FIELD.exec(field);
    if (!m) return { error: `invalid field "${field}"` };
    if (m[1]!.toLowerCase() === 'body') {
      if (smsBody !== undefined) return { error: 'body given twice' };
      try {
        smsBody = decodeURIComponent(m[2]!);
      } catch {
        return { error: 'invalid % encoding in body' };
      }
    }
  }
  return { recipients, query, body: smsBody };
}

export const sms: NotifyMethod = {
  scheme: 'sms',
  acceptsOptions: true,
  check(body) {
    const p = parseSms(body);
    return 'error' in p ? p.error : undefined;
  },
  capability(body, name) {
    if ('error' in parseSms(body)) return undefined;
    return name.toLowerCase() === 'online' ? 'maybe' : undefined;
  },
  // As for mailto: numbers an earlier sms notification reaches are dropped.
  reduce(uri, earlier) {
    const parsed = parseSms(uri.slice(uri.indexOf(':') + 1));
    if ('error' in parsed || !earlier.length) return uri;
    const before = new Set(earlier.flatMap((e) => {
      const p = parseSms(e.slice(e.indexOf(':') + 1));
      return 'error' in p ? [] : p.recipients.map((r) => r.key);
    }));
    const left = parsed.recipients.filter((r) => !before.has(r.key));
    if (!left.length) return undefined;
    if (left.length === parsed.recipients.length) return uri;
    return 'sms:' + left.map((r) => encodeURI(r.text)).join(',') + (parsed.query === undefined ? '' : '?' + parsed.query);
  },
};
