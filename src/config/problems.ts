/**
 * Configuration problems: user mistakes, so they are collected (all of them, in
 * file order) rather than thrown one at a time. Each has a stable `code` that
 * tests and tools key on, the dotted `key` it is about, and a message that reads
 * after `FILE: key KEY: `.
 */
import { MailsiftError } from '../errors.js';

export type ConfigProblemCode =
  /** The file is not valid TOML (then nothing else is checked). */
  | 'toml-syntax'
  /** A key that this table does not have; the message suggests the closest one. */
  | 'unknown-key'
  | 'missing-key'
  /** A string where an integer was expected, a table where a string was, ... */
  | 'wrong-type'
  /** A number outside its range (ports, durations below their minimum). */
  | 'out-of-range'
  /** A string outside its allowed set or shape (enums, names, addresses, empty strings). */
  | 'invalid-value'
  | 'invalid-duration'
  | 'invalid-size'
  | 'invalid-cron'
  /** A path that cannot be expanded (`~user`, an unset `$VAR`) or is empty. */
  | 'invalid-path'
  /** Not exactly one of `password_command`, `password_file`, `password_env` (or `auth_token_*`). */
  | 'secret-source'
  /** A literal `password = "..."` or `auth_token = "..."`: refused, secrets never live in the file. */
  | 'literal-secret'
  /** `tls = "none"` to a host that is not loopback, without `allow_insecure = true`. */
  | 'insecure-tls'
  /** `[[watch]]`/`[[sweep]]` names an account that is not defined. */
  | 'unknown-account'
  /** `[[watch]]`/`[[sweep]]` names an account of a type it cannot use. */
  | 'wrong-account-type'
  /** A key that exists but does not apply here (e.g. `mailboxes` for a pop3 watch). */
  | 'not-applicable'
  /** The same (account, mailbox) watched twice. */
  | 'duplicate-watch';

export interface ConfigProblem {
  readonly code: ConfigProblemCode;
  /** Dotted path of the key (`accounts.work.port`, `watch[0].mailboxes[1]`); '' for the whole file. */
  readonly key: string;
  readonly message: string;
  /** Only for `toml-syntax`: 1-based position. */
  readonly line?: number;
  readonly column?: number;
}

/** `FILE: key accounts.work.port: must be an integer between 1 and 65535`. */
export function formatProblem(file: string, p: ConfigProblem): string {
  if (p.line !== undefined) return `${file}:${p.line}:${p.column ?? 1}: ${p.message}`;
  return p.key === '' ? `${file}: ${p.message}` : `${file}: key ${p.key}: ${p.message}`;
}

export function formatProblems(file: string, problems: readonly ConfigProblem[]): string {
  return problems.map((p) => formatProblem(file, p)).join('\n');
}

/**
 * CONFIG_INVALID with every problem. The message has one line per problem (so
 * the CLI can print it as it is); `problems` has them as data.
 */
export class ConfigError extends MailsiftError {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super('CONFIG_INVALID', formatProblems(file, problems));
  }
}

/** Collects problems in the order they are found. */
export class Problems {
  readonly list: ConfigProblem[] = [];

  add(code: ConfigProblemCode, key: string, message: string): void {
    this.list.push({ code, key, message });
  }
}

/** `a.b` + `c` → `a.b.c`; keys that are not bare TOML keys are quoted. */
export function joinKey(parent: string, key: string): string {
  const part = /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
  return parent === '' ? part : `${parent}.${part}`;
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions ("wrok" → "work" is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a small edit distance (case-insensitive), if any. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

/** ` (did you mean "x"?)` or ''. */
export function suggestion(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}
