/**
 * Addresses in Sieve arguments as Pigeonhole 0.5.19 accepts them (its
 * sieve_address_parse): one RFC 5322 mailbox, "local@domain" or "Name <local@domain>",
 * with a lenient local part and a strict domain. Used for mailto recipients and
 * :from (RFC 5436) and for vacation's :from and :addresses (RFC 5230).
 */

/** A mailbox as Pigeonhole's address parser accepts it: lenient local part, strict domain. */
export interface SieveAddress {
  readonly localPart: string;
  readonly domain: string;
  /** local@domain, as written. */
  readonly address: string;
}

const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]$/;

function isAtext(c: string): boolean {
  return ATEXT.test(c);
}

/** Index of `ch` outside double quotes, or -1. */
function indexOutsideQuotes(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) return i;
  }
  return -1;
}

/**
 * One mailbox (RFC 5322 §3.4): "local@domain" or "Name <local@domain>". Like Pigeonhole
 * the local part may hold any dots (".a", "a..b"), the domain may not ("a@b..c").
 * Returns the address, or why it is not one.
 */
export function parseSieveAddress(text: string): SieveAddress | { readonly error: string } {
  let s = text.trim();
  if (s === '') return { error: 'empty address' };
  if (indexOutsideQuotes(s, ',') >= 0) return { error: 'not a single address (found ",")' };
  const lt = indexOutsideQuotes(s, '<');
  if (lt >= 0) {
    if (!s.endsWith('>')) return { error: 'missing ">" after the address' };
    const phrase = s.slice(0, lt);
    if (/[@:;<>[\]]/.test(phrase.replace(/"(?:[^"\\]|\\.)*"/g, ''))) return { error: 'invalid display name' };
    s = s.slice(lt + 1, -1).trim();
  }
  let i = 0;
  let local = '';
  if (s.startsWith('"')) {
    const m = /^"(?:[^"\\\r\n]|\\.)*"/.exec(s);
    if (!m) return { error: 'unterminated quoted local part' };
    local = m[0];
    i = local.length;
  } else {
    while (i < s.length && (isAtext(s[i]!) || s[i] === '.')) i++;
    local = s.slice(0, i);
  }
  if (local === '' || s[i] !== '@') return { error: `invalid or lonely local part "${local}" (expecting "@")` };
  const domain = s.slice(i + 1);
  const literal = /^\[[^[\]\\\s]*\]$/.test(domain);
  const labels = domain.split('.');
  if (!literal && (domain === '' || labels.some((l) => l === '' || ![...l].every(isAtext)))) {
    return { error: 'invalid or missing domain' };
  }
  return { localPart: local, domain, address: `${local}@${domain}` };
}

/** SMTP address equality as Pigeonhole compares recipients: the domain ignores case, the local part does not. */
export function sameAddress(a: SieveAddress, b: SieveAddress): boolean {
  return a.localPart === b.localPart && a.domain.toLowerCase() === b.domain.toLowerCase();
}
