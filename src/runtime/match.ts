/**
 * Match types (RFC 5228 §2.7.1): :is, :contains and :matches. Extensions add more
 * (:count and :value from relational, :regex) through the same interface.
 */
import type { Comparator } from './comparators.js';
import { SieveRuntimeError } from './errors.js';
import type { Limits } from './limits.js';

export interface MatchContext {
  readonly comparator: Comparator;
  /** The relational operator of :count/:value (RFC 5231), lower-case. */
  readonly relation?: string;
  /** Receives ${0}..${n} after a successful :matches or :regex, when variables are in use. */
  readonly capture?: (groups: string[]) => void;
  readonly limits: Limits;
}

export interface MatchType {
  readonly name: string;
  /** Needs a comparator that supports substring operations. */
  readonly substring: boolean;
  match(values: readonly string[], keys: readonly string[], cx: MatchContext): boolean;
}

export const is: MatchType = {
  name: 'is',
  substring: false,
  match(values, keys, cx) {
    for (const v of values) for (const k of keys) if (cx.comparator.equals(v, k)) return true;
    return false;
  },
};

export const contains: MatchType = {
  name: 'contains',
  substring: true,
  match(values, keys, cx) {
    const fold = cx.comparator.fold;
    for (const v of values) {
      const fv = fold(v);
      for (const k of keys) if (fv.includes(fold(k))) return true;
    }
    return false;
  },
};

const globCache = new Map<string, RegExp>();

/**
 * A :matches pattern as an anchored regular expression. "*" is non-greedy and "?"
 * one character (a code point, not a UTF-16 unit); "\" quotes the next character.
 * Each wildcard is a capture group, giving ${1}.. (RFC 5229 §3.2).
 */
export function globToRegExp(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (re) return re;
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') src += '([\\s\\S]*?)';
    else if (c === '?') src += '([\\s\\S])';
    else if (c === '\\' && i + 1 < pattern.length) src += escapeRegExp(pattern[++i]!);
    else src += escapeRegExp(c);
  }
  re = new RegExp(src + '$', 'du');
  if (globCache.size > 10_000) globCache.clear();
  globCache.set(pattern, re);
  return re;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Unpaired surrogates make a 'u' regex fail; they cannot come from valid text anyway. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export const matches: MatchType = {
  name: 'matches',
  substring: true,
  match(values, keys, cx) {
    const fold = cx.comparator.fold;
    for (const v of values) {
      if (v.length > cx.limits.maxMatchInput) {
        throw new SieveRuntimeError('regex-too-costly', `value of ${v.length} characters is too long for :matches`);
      }
      const original = wellFormed(v);
      const folded = fold(original);
      for (const k of keys) {
        const m = globToRegExp(fold(k)).exec(folded);
        if (m) {
          // Captures are cut from the unfolded value, so ${1} keeps its case.
          if (cx.capture) cx.capture(folded === original ? [...m] : groupsOf(original, m));
          return true;
        }
      }
    }
    return false;
  },
};

/** Folding keeps lengths (ASCII only), so the match indices apply to the original value. */
function groupsOf(original: string, m: RegExpExecArray): string[] {
  return m.indices!.map((range) => (range ? original.slice(range[0], range[1]) : ''));
}
