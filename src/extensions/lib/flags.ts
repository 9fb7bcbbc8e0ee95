/**
 * IMAP flag lists as imap4flags (RFC 5232 §3) handles them: each string may hold
 * several space-separated flags; duplicates are dropped case-insensitively, the
 * first spelling kept; system flags are written in their canonical case.
 */

const SYSTEM_FLAGS = new Map(['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((f) => [f.toLowerCase(), f]));

/** RFC 3501 atom characters, minus the ones not allowed in a flag keyword. */
const KEYWORD = /^[^\s(){%*"\\\]\x00-\x1f\x7f]+$/;

export function isValidFlag(flag: string): boolean {
  if (flag.startsWith('\\')) return SYSTEM_FLAGS.has(flag.toLowerCase());
  return KEYWORD.test(flag);
}

export function canonicalFlag(flag: string): string {
  return SYSTEM_FLAGS.get(flag.toLowerCase()) ?? flag;
}

/** Split, validate and de-duplicate; invalid flags are dropped (Pigeonhole ignores them with a warning). */
export function normalizeFlags(list: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const s of list) {
    for (const f of s.split(' ')) {
      if (!f || !isValidFlag(f)) continue;
      const key = f.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(canonicalFlag(f));
    }
  }
  return out;
}
