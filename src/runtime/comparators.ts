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
}

const encoder = new TextEncoder();

function compareOctets(a: string, b: string): number {
  if (a === b) return 0;
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** i;ascii-casemap folds ASCII letters only: "MÜNCHEN" and "München" differ, as in Pigeonhole. */
export function asciiLower(s: string): string {
  // Fast path: most header values are already lower case or have no letters to fold.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

export const octet: Comparator = {
  name: 'i;octet',
  substring: true,
  equals: (a, b) => a === b,
  compare: compareOctets,
  fold: (s) => s,
};

export const asciiCasemap: Comparator = {
  name: 'i;ascii-casemap',
  substring: true,
  equals: (a, b) => a === b || asciiLower(a) === asciiLower(b),
  compare: (a, b) => compareOctets(asciiLower(a), asciiLower(b)),
  fold: asciiLower,
};

export const DEFAULT_COMPARATOR = asciiCasemap;
