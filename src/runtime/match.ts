/**
 * Match types (RFC 5228 §2.7.1): :is, :contains and :matches. Extensions add more
 * (:count and :value from relational, :regex) through the same interface.
 */
import type { Comparator } from './comparators.js';
import { SieveRuntimeError } from './errors.js';
import { codePoints, globMatch, globMatchString, octetUnits } from './glob.js';
import type { Limits } from './limits.js';
import { MAX_MATCH_VALUES, truncateUtf8 } from './strings.js';
import type { DiagnosticCode } from '../dsl/diagnostics.js';

export interface MatchContext {
  readonly comparator: Comparator;
  /** The relational operator of :count/:value (RFC 5231), lower-case. */
  readonly relation?: string;
  /** Receives ${0}..${n} after a successful :matches or :regex, when variables are in use. */
  readonly capture?: (groups: string[]) => void;
  readonly limits: Limits;
  /**
   * The keys are the plan's own constant array, the same on every evaluation: a match type
   * may cache work done on them (folded keys) by array identity.
   */
  readonly stableKeys?: boolean;
}

export interface MatchType {
  readonly name: string;
  /** Needs a comparator that supports substring operations. */
  readonly substring: boolean;
  match(values: readonly string[], keys: readonly string[], cx: MatchContext): boolean;
  /**
   * Compile-time check of one constant key (e.g. a :regex pattern); bind calls it
   * for every constant item of the key list, which is always the last positional
   * argument (RFC 5228 §2.7). Returns a diagnostic, or undefined when the key is fine.
   */
  validateKey?(key: string, comparator: Comparator, limits: Limits): { readonly code: DiagnosticCode; readonly message: string } | undefined;
}

/** Match values as Pigeonhole keeps them: ${0}..${31}, each cut at the variable size limit. */
export function captureValues(groups: readonly (string | undefined)[], limits: Limits): string[] {
  return groups.slice(0, MAX_MATCH_VALUES).map((g) => (g === undefined ? '' : truncateUtf8(g, limits.maxVariableSize)));
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A string as its UTF-8 bytes, one char (U+0000..U+00FF) per byte, for octet-wise matching. */
export function toByteString(s: string): string {
  if (!hasNonAscii(s)) return s; // ASCII is its own UTF-8
  const bytes = utf8Encoder.encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

/** The inverse of toByteString; a character split by an octet-wise match becomes U+FFFD. */
export function fromByteString(s: string): string {
  if (!hasNonAscii(s)) return s;
  return utf8Decoder.decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

const NON_ASCII = /[^\x00-\x7f]/;

export function hasNonAscii(s: string): boolean {
  return NON_ASCII.test(s);
}

export const is: MatchType = {
  name: 'is',
  substring: false,
  match(values, keys, cx) {
    // An empty value only equals an empty key, whatever the comparator: Pigeonhole's
    // :is says so, which matters for i;ascii-numeric ("" would be +infinity there).
    for (const v of values) for (const k of keys) if (v === '' ? k === '' : cx.comparator.equals(v, k)) return true;
    return false;
  },
};

/** Keys folded once per constant key list of the plan, instead of once per value. */
const foldedKeyCache = new WeakMap<readonly string[], { readonly comparator: Comparator; readonly folded: readonly string[] }>();

export function foldedKeys(keys: readonly string[], cx: MatchContext): readonly string[] {
  const fold = cx.comparator.fold;
  if (!cx.stableKeys) return keys.map((k) => fold(k));
  const hit = foldedKeyCache.get(keys);
  if (hit !== undefined && hit.comparator === cx.comparator) return hit.folded;
  const folded = keys.map((k) => fold(k));
  foldedKeyCache.set(keys, { comparator: cx.comparator, folded });
  return folded;
}

/** The comparator's searcher per constant key list (null: it has none for these keys). */
const searcherCache = new WeakMap<readonly string[], { readonly comparator: Comparator; readonly search: ((value: string) => boolean) | null }>();

function searcher(keys: readonly string[], cx: MatchContext): ((value: string) => boolean) | null {
  if (!cx.stableKeys || cx.comparator.searcher === undefined) return null;
  const hit = searcherCache.get(keys);
  if (hit !== undefined && hit.comparator === cx.comparator) return hit.search;
  const search = cx.comparator.searcher(keys) ?? null;
  searcherCache.set(keys, { comparator: cx.comparator, search });
  return search;
}

export const contains: MatchType = {
  name: 'contains',
  substring: true,
  match(values, keys, cx) {
    if (values.length === 0) return false;
    const search = searcher(keys, cx);
    if (search !== null) {
      for (const v of values) if (search(v)) return true;
      return false;
    }
    const fold = cx.comparator.fold;
    const folded = foldedKeys(keys, cx);
    for (const v of values) {
      const fv = fold(v);
      for (const k of folded) if (fv.includes(k)) return true;
    }
    return false;
  },
};

const SURROGATE = /[\uD800-\uDFFF]/;

/** Unpaired surrogates make a 'u' regex fail; they cannot come from valid text anyway. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Does a :matches pattern hold an unquoted "?" */
function hasQuestionMark(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '?') return true;
  }
  return false;
}

/**
 * :matches. Comparators are octet-based (RFC 4790 §9.2, §9.3), and Pigeonhole's "?"
 * takes one octet: "?" does not match "ü" (two octets in UTF-8), "??" does. Only a
 * "?" can tell octets from characters (a literal section can only match whole
 * characters of valid UTF-8), so the octet form is used just for non-ASCII values
 * with a "?" in the pattern; a ${n} that splits a character gets U+FFFD there.
 */
export const matches: MatchType = {
  name: 'matches',
  substring: true,
  match(values, keys, cx) {
    if (values.length === 0) return false;
    const fold = cx.comparator.fold;
    const folded = foldedKeys(keys, cx);
    for (const v of values) {
      if (v.length > cx.limits.maxMatchInput) {
        throw new SieveRuntimeError('regex-too-costly', `value of ${v.length} characters is too long for :matches`);
      }
      const surrogates = SURROGATE.test(v);
      const original = surrogates ? wellFormed(v) : v;
      const nonAscii = hasNonAscii(original);
      // The folded value as a string, for keys that globMatchString can take.
      let foldedValue: string | undefined;
      // Split and fold the value once per form (code points, or octets for "?" on non-ASCII).
      let forms: { source?: string[]; folded?: string[] }[] | undefined;
      for (const key of folded) {
        if (key === '*') {
          // Matches anything, ${1} being the whole value (what the matchers below give).
          if (cx.capture) cx.capture(captureValues([original, original], cx.limits));
          return true;
        }
        const octets = nonAscii && hasQuestionMark(key);
        if (!octets && !surrogates && cx.comparator.unitFold === true && !SURROGATE.test(key)) {
          const ranges = globMatchString(key, (foldedValue ??= fold(original)));
          if (ranges) {
            if (cx.capture) {
              const groups = [original];
              for (const r of ranges) groups.push(original.slice(r[0], r[1]));
              cx.capture(captureValues(groups, cx.limits));
            }
            return true;
          }
          continue;
        }
        const form = (forms ??= [{}, {}])[octets ? 1 : 0]!;
        const source = (form.source ??= octets ? octetUnits(toByteString(original)) : codePoints(original));
        const subject = (form.folded ??= source.map(fold));
        const ranges = octets
          ? globMatch(toByteString(key), subject, octetUnits, `\u0000octets\u0000${key}`)
          : globMatch(key, subject, codePoints);
        if (ranges) {
          // Captures are cut from the unfolded value, so ${1} keeps its case.
          if (cx.capture) {
            const groups = [original, ...ranges.map(([a, b]) => source.slice(a, b).join(''))];
            cx.capture(captureValues(octets ? groups.map((g, i) => (i === 0 ? g : fromByteString(g))) : groups, cx.limits));
          }
          return true;
        }
      }
    }
    return false;
  },
};

