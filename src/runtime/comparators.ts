/**
 * Comparators (RFC 4790, RFC 5228 §2.7.3). i;octet and i;ascii-casemap are always
 * available; others (i;ascii-numeric) arrive with their extension.
 */

export interface Comparator {
  readonly name: string;
  /** Whether :contains, :matches and :regex can use it (RFC 5228 §2.7.3, "substring"). */
  readonly substring: boolean;
  equals(a: string, b: string): boolean;
  /** Ordering for relational tests: negative, zero or positive. */
  compare(a: string, b: string): number;
  /** The form both sides take before substring and wildcard matching. */
  fold(s: string): string;
  /** fold maps each UTF-16 unit to one unit on its own, so a folded string lines up with the original. */
  readonly unitFold?: boolean;
  /**
   * Optional: a test for "the folded value contains one of the folded keys" that does not
   * fold the value (long bodies), or undefined when these keys need the plain way.
   */
  searcher?(keys: readonly string[]): ((value: string) => boolean) | undefined;
}

const encoder = new TextEncoder();

/** Unsigned octet order of the UTF-8 forms (RFC 4790 §9.2), i.e. code point order. */
function compareOctets(a: string, b: string): number {
  if (a === b) return 0;
  // Fast path, without encoding: up to the first differing UTF-16 unit both strings encode
  // alike, and when that unit (or the end) is decided by units below the surrogate range,
  // unit order is code point order, which is UTF-8 octet order.
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  const x = i < a.length ? a.charCodeAt(i) : -1;
  const y = i < b.length ? b.charCodeAt(i) : -1;
  const prev = i > 0 ? a.charCodeAt(i - 1) : 0;
  if (x < 0xd800 && y < 0xd800 && prev < 0xd800) return x - y;
  return compareEncoded(a, b);
}

function compareEncoded(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

const NON_ASCII = /[^\x00-\x7f]/;
const lowerRun = (m: string): string => m.toLowerCase();

/** i;ascii-casemap folds ASCII letters only: "MÜNCHEN" and "München" differ, as in Pigeonhole. */
export function asciiLower(s: string): string {
  // Fast path: most header values are already lower case or have no letters to fold.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      // For pure ASCII, toLowerCase() is exactly ASCII folding, and native.
      return NON_ASCII.test(s) ? s.replace(/[A-Z]+/g, lowerRun) : s.toLowerCase();
    }
  }
  return s;
}

const upperRun = (m: string): string => m.toUpperCase();

/** ASCII letters to upper case, nothing else (:upper, and :regex with i;ascii-casemap). */
export function asciiUpper(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return NON_ASCII.test(s) ? s.replace(/[a-z]+/g, upperRun) : s.toUpperCase();
  }
  return s;
}

/**
 * asciiLower(a) === asciiLower(b) without building either: folding maps each unit to one
 * unit, so strings of different lengths never fold equal.
 */
function asciiCaseEquals(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}

export const octet: Comparator = {
  name: 'i;octet',
  substring: true,
  equals: (a, b) => a === b,
  compare: compareOctets,
  fold: (s) => s,
  unitFold: true,
};

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|]/g;
/** Beyond this many key characters a single search expression is not worth building. */
const MAX_SEARCH_KEYS = 4096;

/**
 * One case-insensitive scan for all keys. For ASCII keys, a non-unicode /i RegExp matches
 * exactly what ASCII folding does: its canonicalisation never maps a non-ASCII character
 * to an ASCII one (ECMA-262 Canonicalize), so "ſ" and "K" (Kelvin) do not match "s" and
 * "k" (checked for every UTF-16 unit against every ASCII character).
 */
function asciiCaseSearcher(keys: readonly string[]): ((value: string) => boolean) | undefined {
  if (keys.length === 0 || keys.some((k) => NON_ASCII.test(k)) || keys.reduce((n, k) => n + k.length, 0) > MAX_SEARCH_KEYS) return undefined;
  const re = new RegExp(keys.map((k) => k.replace(REGEX_SYNTAX, '\\$&')).join('|'), 'i');
  return (value) => re.test(value);
}

export const asciiCasemap: Comparator = {
  name: 'i;ascii-casemap',
  substring: true,
  equals: asciiCaseEquals,
  compare: (a, b) => compareOctets(asciiLower(a), asciiLower(b)),
  fold: asciiLower,
  unitFold: true,
  searcher: asciiCaseSearcher,
};

export const DEFAULT_COMPARATOR = asciiCasemap;
