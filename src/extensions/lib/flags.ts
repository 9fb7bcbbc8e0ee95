/**
 * IMAP flag lists as imap4flags (RFC 5232 §3) handles them. A flag list is a string
 * of flags separated by spaces; each string of a Sieve string list may hold several.
 *
 * Two views exist, as in Pigeonhole 0.5:
 * - flag *variables* (named ones and the internal one) are edited in place by
 *   setflag/addflag/removeflag: valid, not yet present flags are appended, removed
 *   ones are cut out with one adjoining space; everything else in the string stays;
 * - flag *lists* given to actions by :flags are split, validated and de-duplicated,
 *   system flags written in their canonical case (see normalizeFlags).
 */
import { asciiLower } from '../../runtime/comparators.js';

const SYSTEM_FLAGS = new Map(['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((f) => [f.toLowerCase(), f]));

/**
 * RFC 3501 §9 flag-keyword = atom: printable ASCII except atom-specials
 * ( ) { SP CTL % * " \ ]. Non-ASCII is not allowed either (Pigeonhole drops "ü").
 */
const KEYWORD = /^[!#$&'+-[^-z|}~]+$/;

/** A flag Pigeonhole accepts: one of the five system flags (\Recent may not be set) or an atom. */
export function isValidFlag(flag: string): boolean {
  if (flag.startsWith('\\')) return SYSTEM_FLAGS.has(asciiLower(flag));
  return KEYWORD.test(flag);
}

export function canonicalFlag(flag: string): string {
  return SYSTEM_FLAGS.get(asciiLower(flag)) ?? flag;
}

/** The flags of one flag string, split at spaces only (a TAB belongs to the flag and makes it invalid). */
export function splitFlags(s: string): string[] {
  return s.split(' ').filter((f) => f !== '');
}

/** Flags compare case-insensitively in ASCII (strcasecmp in Pigeonhole). */
function sameFlag(a: string, b: string): boolean {
  return a === b || asciiLower(a) === asciiLower(b);
}

/** addflag on a flag variable: append each valid flag of `flags` that `current` lacks. */
export function addFlags(current: string, flags: string): string {
  let out = current;
  for (const f of splitFlags(flags)) {
    if (!isValidFlag(f) || splitFlags(out).some((g) => sameFlag(g, f))) continue;
    out = out === '' ? f : `${out} ${f}`;
  }
  return out;
}

/**
 * removeflag on a flag variable: cut every occurrence of each flag of `flags` out
 * of `current`, together with the space after it (the one before it at the end).
 */
export function removeFlags(current: string, flags: string): string {
  let s = current;
  for (const flag of splitFlags(flags)) {
    let at = 0;
    for (;;) {
      const m = /[^ ]+/g;
      m.lastIndex = at;
      const hit = m.exec(s);
      if (!hit) break;
      let start = hit.index;
      let end = start + hit[0].length;
      if (!sameFlag(hit[0], flag)) {
        at = end;
        continue;
      }
      end = Math.min(end + 1, s.length);
      if (end === s.length && start > 0) start--;
      s = s.slice(0, start) + s.slice(end);
      at = start;
    }
  }
  return s;
}

/** The valid, de-duplicated flags of one flag string, as spelled (what hasflag compares). */
export function flagsOf(s: string): string[] {
  return splitFlags(addFlags('', s));
}

/**
 * Flags for an action (:flags of keep/fileinto): split, validated, de-duplicated,
 * system flags in canonical case. Pigeonhole treats system flags as a set but passes
 * keywords on as written: `:flags "foo Foo"` stores both, so only exact repeats go.
 */
export function normalizeFlags(list: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const s of list) {
    for (const f of splitFlags(s)) {
      if (!isValidFlag(f)) continue;
      const flag = canonicalFlag(f);
      if (seen.has(flag)) continue;
      seen.add(flag);
      out.push(flag);
    }
  }
  return out;
}
