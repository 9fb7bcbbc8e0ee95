/**
 * The tel notification method: a `tel:` URI (RFC 3966) names a phone to notify
 * (mailsift's Twilio connector places the call or text later; here we only
 * validate). Not an IETF-registered Sieve notification method and unknown to
 * Pigeonhole, so scripts using it are mailsift-only. Also exports the RFC 3966
 * telephone-subscriber parser the sms method shares. Status: validation only.
 */
import type { NotifyMethod } from './registry.js';

export interface PhoneNumber {
  /** As written. */
  readonly text: string;
  /** Comparable form: "+" and digits for a global number, digits plus the context for a local one. */
  readonly key: string;
}

const VISUAL = /[-.()]/g;
/** RFC 3966 §3: pname = 1*( alphanum / "-" ); pvalue = 1*paramchar. */
const PARAM = /^([A-Za-z0-9-]+)(?:=((?:[[\]/:&+$A-Za-z0-9\-_.!~*'()]|%[0-9A-Fa-f]{2})+))?$/;
const GLOBAL_DIGITS = /^\+[0-9\-.()]*[0-9][0-9\-.()]*$/;
const LOCAL_DIGITS = /^[0-9A-Fa-f*#\-.()]*[0-9A-Fa-f*#][0-9A-Fa-f*#\-.()]*$/;
const DOMAIN = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;

/**
 * RFC 3966 §3 telephone-subscriber: a global number ("+1-555-123-4567", visual
 * separators allowed) or a local number that carries ";phone-context=".
 */
export function parseTelephoneSubscriber(text: string): PhoneNumber | { readonly error: string } {
  const [digits = '', ...params] = text.split(';');
  const names = new Set<string>();
  let context: string | undefined;
  for (const p of params) {
    const m = PARAM.exec(p);
    if (!m) return { error: `invalid parameter ";${p}" in telephone number "${text}"` };
    const name = m[1]!.toLowerCase();
    if (names.has(name)) return { error: `parameter ";${name}" given twice in "${text}"` };
    names.add(name);
    if (name === 'ext' && !/^[0-9\-.()]+$/.test(m[2] ?? '')) return { error: `invalid extension in "${text}"` };
    if (name === 'phone-context') {
      context = m[2];
      if (!context || !(GLOBAL_DIGITS.test(context) || DOMAIN.test(context))) return { error: `invalid phone-context in "${text}"` };
    }
  }
  if (GLOBAL_DIGITS.test(digits)) {
    if (context !== undefined) return { error: `a global number takes no phone-context: "${text}"` };
    return { text, key: digits.replace(VISUAL, '') };
  }
  if (LOCAL_DIGITS.test(digits)) {
    if (context === undefined) return { error: `local number "${text}" needs a ";phone-context=" (RFC 3966 §5.1.5)` };
    const ctx = context.startsWith('+') ? context.replace(VISUAL, '') : context.toLowerCase();
    return { text, key: `${digits.replace(VISUAL, '').toUpperCase()};${ctx}` };
  }
  return { error: `"${digits}" is not a telephone number` };
}

/** Percent-decoding of the URI, which RFC 3966 allows in parameter values only; we decode for the check. */
function decoded(body: string): string | undefined {
  try {
    return decodeURIComponent(body);
  } catch {
    return undefined;
  }
}

function checkTel(body: string): string | undefined {
  const text = decoded(body);
  if (text === undefined) return 'invalid % encoding';
  const n = parseTelephoneSubscriber(text);
  return 'error' in n ? n.error : undefined;
}

export const tel: NotifyMethod = {
  scheme: 'tel',
  acceptsOptions: true,
  check: checkTel,
  capability(body, name) {
    if (checkTel(body) !== undefined) return undefined;
    return name.toLowerCase() === 'online' ? 'maybe' : undefined;
  },
  // One number per URI: a second notification to the same phone adds nothing.
  reduce(uri, earlier) {
    const key = (u: string): string | undefined => {
      const n = parseTelephoneSubscriber(decoded(u.slice(u.indexOf(':') + 1)) ?? '');
      return 'error' in n ? undefined : n.key;
    };
    const mine = key(uri);
    return mine !== undefined && earlier.some((e) => key(e) === mine) ? undefined : uri;
  },
};
