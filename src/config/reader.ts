/**
 * Typed access to one TOML table that records problems instead of throwing.
 * Every getter marks its key as known; `finish()` then reports the keys nobody
 * asked for as `unknown-key`, with a "did you mean" from the known ones. A
 * getter returns undefined when the key is absent *or* invalid (the problem is
 * recorded, so the caller's default never reaches a returned Config).
 */
import { Cron } from 'croner';
import type { TomlValue } from 'smol-toml';
import { expandPath, type ExpandEnv } from './expand.js';
import { joinKey, suggestion, type Problems } from './problems.js';
import type { SecretRef } from './types.js';
import { parseDuration, parseSize } from './units.js';

export type TomlTable = { [key: string]: TomlValue };

export interface ReadContext {
  readonly problems: Problems;
  readonly expand: ExpandEnv;
  /** Directory relative paths are resolved against (the config file's). */
  readonly baseDir: string;
}

export function isTable(v: unknown): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** How a value is named in "must be X, not Y" messages. */
export function typeName(v: unknown): string {
  if (typeof v === 'bigint') return 'an integer';
  if (typeof v === 'number') return 'a float';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  return 'a table';
}

/** Literal secret keys, and the prefix of the `*_command`/`*_file`/`*_env` keys to use instead. */
const LITERAL_SECRETS: ReadonlyMap<string, string> = new Map([
  ['password', 'password'],
  ['pass', 'password'],
  ['auth_token', 'auth_token'],
]);

const secretKeys = (prefix: string): string => `${prefix}_command, ${prefix}_file or ${prefix}_env`;

export class TableReader {
  private readonly known = new Set<string>();

  constructor(
    readonly data: TomlTable,
    /** Dotted key of this table ('' for the root). */
    readonly keyPath: string,
    readonly ctx: ReadContext,
  ) {}

  key(name: string): string {
    return joinKey(this.keyPath, name);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.data, name);
  }

  problem(code: Parameters<Problems['add']>[0], name: string, message: string): void {
    this.ctx.problems.add(code, name === '' ? this.keyPath : this.key(name), message);
  }

  /** Mark a key known and return its raw value; `required` records missing-key. */
  raw(name: string, required = false): TomlValue | undefined {
    this.known.add(name);
    if (!this.has(name)) {
      if (required) this.problem('missing-key', name, 'is required');
      return undefined;
    }
    return this.data[name];
  }

  string(name: string, opts: { required?: boolean } = {}): string | undefined {
    const v = this.raw(name, opts.required);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.wrongType(name, 'a string', v);
    if (v.trim() === '') {
      this.problem('invalid-value', name, 'must not be empty');
      return undefined;
    }
    return v;
  }

  integer(name: string, range: { min: number; max: number }, opts: { required?: boolean } = {}): number | undefined {
    const v = this.raw(name, opts.required);
    if (v === undefined) return undefined;
    if (typeof v !== 'bigint' || v < BigInt(range.min) || v > BigInt(range.max)) {
      this.problem(typeof v === 'bigint' ? 'out-of-range' : 'wrong-type', name, `must be an integer between ${range.min} and ${range.max}`);
      return undefined;
    }
    return Number(v);
  }

  boolean(name: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    return typeof v === 'boolean' ? v : this.wrongType(name, 'true or false', v);
  }

  oneOf<T extends string>(name: string, values: readonly T[], opts: { required?: boolean } = {}): T | undefined {
    const v = this.raw(name, opts.required);
    if (v === undefined) return undefined;
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    const list = values.map((x) => `"${x}"`).join(', ');
    this.problem(typeof v === 'string' ? 'invalid-value' : 'wrong-type', name, `must be one of ${list}${typeof v === 'string' ? suggestion(v, values) : ''}`);
    return undefined;
  }

  /** A non-empty array of non-empty strings (or empty, with `allowEmpty`). */
  stringArray(name: string, opts: { required?: boolean; allowEmpty?: boolean } = {}): string[] | undefined {
    const v = this.raw(name, opts.required);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.wrongType(name, 'an array of strings', v);
    if (v.length === 0 && !opts.allowEmpty) {
      this.problem('invalid-value', name, 'must not be empty');
      return undefined;
    }
    let ok = true;
    v.forEach((item, i) => {
      if (typeof item !== 'string' || item.trim() === '') {
        this.ctx.problems.add(typeof item === 'string' ? 'invalid-value' : 'wrong-type', `${this.key(name)}[${i}]`, typeof item === 'string' ? 'must not be empty' : `must be a string, not ${typeName(item)}`);
        ok = false;
      }
    });
    return ok ? (v as string[]) : undefined;
  }

  table(name: string, opts: { required?: boolean } = {}): TableReader | undefined {
    const v = this.raw(name, opts.required);
    if (v === undefined) return undefined;
    if (!isTable(v)) return this.wrongType(name, 'a table', v);
    return new TableReader(v, this.key(name), this.ctx);
  }

  /** An array of tables (`[[name]]`), each with its `name[i]` key. */
  tableArray(name: string): TableReader[] {
    const v = this.raw(name);
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.wrongType(name, `an array of tables (write [[${name}]])`, v);
      return [];
    }
    const out: TableReader[] = [];
    v.forEach((item, i) => {
      const key = `${this.key(name)}[${i}]`;
      if (isTable(item)) out.push(new TableReader(item, key, this.ctx));
      else this.ctx.problems.add('wrong-type', key, `must be a table, not ${typeName(item)}`);
    });
    return out;
  }

  duration(name: string, opts: { minMs: number }): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.wrongType(name, 'a duration string like "60s" or "5m"', v);
    const ms = parseDuration(v);
    if (ms === undefined) {
      this.problem('invalid-duration', name, `must be a duration like "60s", "5m" or "1h30m" (units ms, s, m, h, d), not "${v}"`);
      return undefined;
    }
    if (ms < opts.minMs) {
      this.problem('out-of-range', name, `must be at least ${opts.minMs / 1000}s`);
      return undefined;
    }
    return ms;
  }

  /** Bytes, from "25MB" or an integer. */
  size(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const bytes = typeof v === 'bigint' ? (v > 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined) : typeof v === 'string' ? parseSize(v) : undefined;
    if (bytes === undefined || bytes <= 0) {
      this.problem('invalid-size', name, `must be a positive size like "25MB", "512KB" or a number of bytes`);
      return undefined;
    }
    return bytes;
  }

  path(name: string, opts: { required?: boolean } = {}): string | undefined {
    const v = this.raw(name, opts.required);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.wrongType(name, 'a path string', v);
    const r = expandPath(v, this.ctx.baseDir, this.ctx.expand);
    if (!r.ok) {
      this.problem('invalid-path', name, r.reason);
      return undefined;
    }
    return r.path;
  }

  /** A cron pattern croner accepts (5 or 6 fields, `@daily`, `L`, `#`). */
  cron(name: string, opts: { required?: boolean } = {}): string | undefined {
    const v = this.string(name, opts);
    if (v === undefined) return undefined;
    try {
      new Cron(v, { paused: true }).stop();
      return v;
    } catch (err) {
      const why = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err);
      this.problem('invalid-cron', name, `must be a cron pattern like "0 3 * * *": ${why}`);
      return undefined;
    }
  }

  /**
   * Exactly one of `<prefix>_command`, `<prefix>_file`, `<prefix>_env`. With
   * `required: false`, none at all is fine too (undefined).
   */
  secret(prefix: string, opts: { required: boolean }): SecretRef | undefined {
    const command = this.string(`${prefix}_command`);
    const file = this.path(`${prefix}_file`);
    const env = this.string(`${prefix}_env`);
    const given = [`${prefix}_command`, `${prefix}_file`, `${prefix}_env`].filter((k) => this.has(k));
    if (given.length > 1) {
      this.problem('secret-source', given[1]!, `give only one of ${given.join(', ')}`);
      return undefined;
    }
    if (given.length === 0) {
      // A literal `password` is reported once, as literal-secret, by finish().
      const literal = [...LITERAL_SECRETS].some(([key, p]) => p === prefix && this.has(key));
      if (opts.required && !literal) this.problem('secret-source', `${prefix}_command`, `one of ${secretKeys(prefix)} is required`);
      return undefined;
    }
    if (env !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) {
      this.problem('invalid-value', `${prefix}_env`, 'must be an environment variable name (letters, digits, _)');
      return undefined;
    }
    if (command !== undefined) return { kind: 'command', command };
    if (file !== undefined) return { kind: 'file', file };
    if (env !== undefined) return { kind: 'env', env };
    return undefined;
  }

  /**
   * Report every key no getter asked for. A literal secret gets its own code and
   * advice, where the table takes that secret (`password` in an account, not in `[state]`).
   */
  finish(): void {
    for (const name of Object.keys(this.data)) {
      if (this.known.has(name)) continue;
      const prefix = LITERAL_SECRETS.get(name);
      if (prefix !== undefined && this.known.has(`${prefix}_command`)) {
        this.problem('literal-secret', name, `a literal secret is not allowed in the config file: use ${secretKeys(prefix)}`);
      } else this.problem('unknown-key', name, `unknown key${suggestion(name, this.known)}`);
    }
  }

  private wrongType(name: string, expected: string, v: unknown): undefined {
    this.problem('wrong-type', name, `must be ${expected}, not ${typeName(v)}`);
    return undefined;
  }
}
