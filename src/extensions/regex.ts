/**
 * regex: draft-ietf-sieve-regex-01. The match type :regex, with POSIX extended
 * regular expressions (translated to JS by lib/ere.ts, which documents the
 * dialect: glibc's regcomp in the C locale, as Pigeonhole uses it), and the
 * :quoteregex modifier of `set` (§5; Pigeonhole 0.5.19 lacks it).
 *
 * - The pattern may match anywhere in the value (no implicit anchors, §3).
 * - i;octet matches case-sensitively, i;ascii-casemap case-insensitively (ASCII
 *   only); other comparators are refused.
 * - Values and patterns are matched octet by octet, as in Pigeonhole: "." is one
 *   byte of UTF-8, so "^.$" does not match "ü".
 * - With variables, ${0} is the matched text and ${1}..${n} the groups; a group
 *   that did not take part is "" (§4).
 * - Constant patterns are checked at compile time (`invalid-value`); a pattern
 *   from a variable that turns out invalid just does not match (Pigeonhole logs
 *   and goes on).
 *
 * Differences from Pigeonhole, intended: JS regexes backtrack, so a costly
 * pattern could hang the daemon. Patterns longer than Limits.maxRegexLength and
 * patterns with a repetition inside a repetition ("(a+)+", star height above 1)
 * are refused: at compile time (`regex-too-costly` diagnostic) or, from a
 * variable, at run time (`regex-too-costly` error). And ${0}..${9} follow JS's
 * leftmost-first choice: when alternatives of different length match at the same
 * place ("a|ab" on "ab"), glibc's leftmost-longest rule captures more. Whether the
 * test matches is never affected. Status: complete.
 */
import { defineExtension } from './define.js';
import { translateEre } from './lib/ere.js';
import { asciiUpper, type Comparator } from '../runtime/comparators.js';
import { SieveRuntimeError } from '../runtime/errors.js';
import type { Limits } from '../runtime/limits.js';
import { captureValues, fromByteString, toByteString, type MatchType } from '../runtime/match.js';

type Compiled = { readonly ok: true; readonly re: RegExp } | { readonly ok: false; readonly costly: boolean; readonly message: string };

const cache = new Map<string, Compiled>();
const CACHE_SIZE = 1000;

function caseInsensitive(comparator: Comparator): boolean {
  return comparator.name !== 'i;octet';
}

/** The translation only emits valid JS; should it not, the pattern is reported, never thrown. */
function toRegExp(source: string): Compiled {
  try {
    return { ok: true, re: new RegExp(source, 'd') };
  } catch (err) {
    return { ok: false, costly: false, message: `not supported (${(err as Error).message})` };
  }
}

/** Compile a pattern (cached), or say why not. */
export function compileRegex(pattern: string, icase: boolean, limits: Limits): Compiled {
  if (pattern.length > limits.maxRegexLength) {
    return { ok: false, costly: true, message: `a regular expression of ${pattern.length} characters exceeds the limit of ${limits.maxRegexLength}` };
  }
  const key = (icase ? 'i' : 'o') + pattern;
  let compiled = cache.get(key);
  if (!compiled) {
    const ere = translateEre(toByteString(pattern), icase);
    compiled = ere.ok ? toRegExp(ere.source) : ere;
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(key, compiled);
  }
  return compiled;
}

export const regexMatch: MatchType = {
  name: 'regex',
  substring: true,
  validateKey(key, comparator, limits) {
    if (comparator.name !== 'i;octet' && comparator.name !== 'i;ascii-casemap') {
      return { code: 'unsupported-match', message: `:regex only works with the i;octet and i;ascii-casemap comparators, not "${comparator.name}"` };
    }
    const compiled = compileRegex(key, caseInsensitive(comparator), limits);
    if (compiled.ok) return undefined;
    return compiled.costly
      ? { code: 'regex-too-costly', message: `regular expression "${key}" refused: ${compiled.message}` }
      : { code: 'invalid-value', message: `invalid regular expression "${key}": ${compiled.message}` };
  },
  match(values, keys, cx) {
    const icase = caseInsensitive(cx.comparator);
    for (const v of values) {
      if (v.length > cx.limits.maxMatchInput) {
        throw new SieveRuntimeError('regex-too-costly', `value of ${v.length} characters is too long for :regex`);
      }
      // regexec sees a C string: the value ends at a NUL.
      const nul = v.indexOf('\0');
      const bytes = toByteString(nul < 0 ? v : v.slice(0, nul));
      const subject = icase ? asciiUpper(bytes) : bytes;
      for (const k of keys) {
        const compiled = compileRegex(k, icase, cx.limits);
        if (!compiled.ok) {
          if (compiled.costly) throw new SieveRuntimeError('regex-too-costly', `regular expression "${k}" refused: ${compiled.message}`);
          continue;
        }
        const m = compiled.re.exec(subject);
        if (!m) continue;
        if (cx.capture) {
          // Upper-casing keeps offsets, so groups are cut from the original bytes.
          const groups = m.indices!.map((r) => (r ? fromByteString(bytes.slice(r[0], r[1])) : undefined));
          cx.capture(captureValues(groups, cx.limits));
        }
        return true;
      }
    }
    return false;
  },
};

export const regex = defineExtension({
  name: 'regex',
  spec: 'draft-ietf-sieve-regex-01',
  matchTypes: [{ type: regexMatch }],
  // Same precedence as :quotewildcard (variables.ts applies it).
  tagsFor: { set: { quoteregex: { group: 'precedence-20' } } },
});
