/**
 * comparator-i;ascii-numeric: RFC 4790 §9.1, usable in Sieve by RFC 5228 §2.7.3.
 * A string is the number written by its leading ASCII digits ("007x" is 7, any
 * length, no overflow); a string that does not start with a digit, the empty
 * string included, is positive infinity, and all such strings are equal. It
 * has equality and ordering but no substring operation, so :contains, :matches
 * and :regex refuse it at compile time. Follows Pigeonhole's
 * ext-cmp-i-ascii-numeric.c; with :is, an empty value still only equals an empty
 * key (Pigeonhole's :is, see src/runtime/match.ts). Status: complete.
 */
import { defineExtension } from './define.js';
import type { Comparator } from '../runtime/comparators.js';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The leading digits without leading zeros ("" for zero), or null for +infinity. */
function digitsOf(s: string): string | null {
  // Reads stay within the string: a read past its end (NaN) makes V8 drop optimised code.
  const n = s.length;
  if (n === 0 || !isDigit(s.charCodeAt(0))) return null;
  let start = 0;
  while (start < n && s.charCodeAt(start) === 48) start++;
  let end = start;
  while (end < n && isDigit(s.charCodeAt(end))) end++;
  return s.slice(start, end);
}

export function compareNumeric(a: string, b: string): number {
  const x = digitsOf(a);
  const y = digitsOf(b);
  if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
  // Same length of significant digits: the digit strings order like the numbers.
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

export const asciiNumeric: Comparator = {
  name: 'i;ascii-numeric',
  substring: false,
  equals: (a, b) => compareNumeric(a, b) === 0,
  compare: compareNumeric,
  fold: (s) => s,
};

export const comparatorAsciiNumeric = defineExtension({
  name: 'comparator-i;ascii-numeric',
  spec: 'RFC 4790 §9.1',
  comparators: [asciiNumeric],
});
