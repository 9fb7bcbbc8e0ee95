/**
 * spamtest and spamtestplus: RFC 5235.
 *
 *   spamtest [:percent] [COMPARATOR] [MATCH-TYPE] <value>
 *
 * The test compares one string, the spam score: "0" when the message was not
 * tested, "1" (clearly not spam) to "10" (clearly spam); with :percent
 * (spamtestplus only) "0" to "100". The default comparator is i;ascii-casemap, so
 * numeric comparisons need :comparator "i;ascii-numeric" (RFC 5235 §4 examples).
 *
 * Where the score comes from is host configuration (`settings.spamtest`), read
 * exactly as Pigeonhole 0.5.19 reads its sieve_spamtest_* settings; the default is
 * the reference setup: a numeric X-Spam-Score header with maximum 10. The mapping
 * (ext-spamvirustest-common.c) uses C floats: ratio = score / max, clamped to
 * [0, 1]; value = trunc(ratio * 9 + 1.001), percent = trunc(ratio * 100 + 0.001);
 * a missing or unparsable header (trailing blanks included) gives "0".
 * A classifier can supply the ratio instead: `settings.spamtest.probability`.
 * virustest.ts shares this machinery. Status: complete.
 */
import { defineExtension, defineTest } from './define.js';
import { decodeWords } from '../runtime/message/decode-words.js';
import type { MatchSpec, Runtime } from '../runtime/runtime.js';
import type { Str } from '../runtime/strings.js';

/** How the status header is read (Pigeonhole's sieve_spamtest_* / sieve_virustest_* settings). */
export interface ScoreTestSettings {
  /** Field holding the status; its first occurrence is used. */
  readonly header?: string;
  /** A regular expression whose group 1 is the status (Pigeonhole's "Header: regexp" form). */
  readonly pattern?: string;
  /** score: a decimal number; strlen: a run of one repeated character ("*****"); text: one of textValues. */
  readonly type?: 'score' | 'strlen' | 'text';
  /** The score meaning "certainly spam/infected" for score and strlen. */
  readonly maxValue?: number;
  /** Or read the maximum from a header of the message (Pigeonhole's _max_header). */
  readonly maxHeader?: string;
  readonly maxPattern?: string;
  /** For type text: the status text of each level, e.g. { 1: 'clean', 5: 'infected' } (case-sensitive). */
  readonly textValues?: Readonly<Record<number, string>>;
  /**
   * A classifier's verdict, from 0 (certainly clean) to 1 (certainly spam/infected); return
   * undefined to fall back to the header. Asked once per message.
   */
  readonly probability?: (rt: Runtime) => number | undefined;
}

export type SpamtestSettings = ScoreTestSettings;

export const SPAMTEST_DEFAULTS: ScoreTestSettings = { header: 'X-Spam-Score', type: 'score', maxValue: 10 };

const f = Math.fround;

/**
 * Pigeonhole's decimal parser, in float arithmetic: optional sign, at most 5 digits
 * before and 5 after the radix point ("." or ","), nothing else (not even blanks).
 */
export function parseDecimal(s: string): number | undefined {
  const m = /^([+-]?)([0-9]*)(?:[.,]([0-9]*))?$/.exec(s);
  if (!m || s === '' || m[2]!.length > 5 || (m[3] ?? '').length > 5) return undefined;
  let value = 0;
  for (const d of m[2]!) value = f(f(value * 10) + Number(d));
  let radix = f(0.1);
  for (const d of m[3] ?? '') {
    value = f(value + f(Number(d) * radix));
    radix = f(radix / 10);
  }
  return m[1] === '-' ? f(-value) : value;
}

/** The first field's value as Dovecot gives it: unfolded, decoded, leading blanks dropped, trailing ones kept. */
function firstValue(rt: Runtime, name: string, pattern: string | undefined): string | undefined {
  const field = rt.message.fieldsNamed(name)[0];
  if (!field) return undefined;
  const raw = field.raw.replace(/\r?\n[ \t]?/g, ' ').replace(/^[ \t]+/, '');
  const value = raw.includes('=?') ? decodeWords(raw) : raw;
  if (pattern === undefined) return value;
  try {
    return new RegExp(pattern).exec(value)?.[1];
  } catch {
    return undefined; // a broken pattern in the host's settings: the extension reads as "not tested"
  }
}

function statusValue(rt: Runtime, s: ScoreTestSettings, levels: number): number | undefined {
  const status = s.header === undefined ? undefined : firstValue(rt, s.header, s.pattern);
  if (status === undefined) return undefined;
  switch (s.type ?? 'score') {
    case 'score':
      return parseDecimal(status);
    case 'strlen':
      return status === '' ? 0 : [...status].every((c) => c === status[0]) ? status.length : undefined;
    case 'text':
      for (let i = 0; i <= levels; i++) if (s.textValues?.[i] === status) return i;
      return undefined;
  }
}

/** The configured maximum as Pigeonhole reads it; the last one is kept (it is the same for every message). */
let lastMax: { readonly value: number; readonly parsed: number } | undefined;

function configuredMax(value: number): number {
  if (lastMax?.value !== value) lastMax = { value, parsed: parseDecimal(String(value)) ?? f(value) };
  return lastMax.parsed;
}

/** The score ratio in [0, 1], or -1 when the message carries no usable status. */
function computeRatio(rt: Runtime, s: ScoreTestSettings, levels: number): number {
  const p = s.probability?.(rt);
  if (p !== undefined) return Number.isNaN(p) ? -1 : Math.min(1, Math.max(0, f(p)));
  let max: number | undefined;
  if (s.type === 'text') max = levels;
  else if (s.maxHeader !== undefined) {
    const text = firstValue(rt, s.maxHeader, s.maxPattern);
    max = text === undefined ? undefined : parseDecimal(text);
  } else max = s.maxValue === undefined ? undefined : configuredMax(s.maxValue);
  if (!max) return -1;
  const status = statusValue(rt, s, levels);
  if (status === undefined) return -1;
  return status < 0 ? 0 : status > max ? 1 : f(status / max);
}

const RATIO_KEY = { spamtest: 'spamtest/ratio', virustest: 'virustest/ratio' } as const;

/** The ratio for one extension, computed once per message (the classifier may be costly). */
export function scoreRatio(rt: Runtime, name: 'spamtest' | 'virustest', defaults: ScoreTestSettings): number {
  const key = RATIO_KEY[name];
  const cached = rt.state.get(key) as number | undefined;
  if (cached !== undefined) return cached;
  const ratio = computeRatio(rt, { ...defaults, ...rt.setting<ScoreTestSettings>(name) }, name === 'virustest' ? 5 : 10);
  rt.state.set(key, ratio);
  return ratio;
}

/** The string the test compares: "0" untested, else 1..top (top = 10 spam, 5 virus) or 0..100 with :percent. */
export function scoreString(ratio: number, top: number, percent: boolean): string {
  if (ratio < 0) return '0';
  const r = Math.min(ratio, 1);
  return String(Math.trunc(percent ? f(r * 100) + 0.001 : f(r * (top - 1)) + 1.001));
}

interface SpamtestArgs {
  readonly value: Str;
  readonly percent: boolean;
  readonly match: MatchSpec;
}

const spamtestTest = defineTest<SpamtestArgs>({
  signature: { positional: [{ name: 'value', kind: 'string' }], match: true },
  lower: (call) => ({ value: call.positional[0]!.str!, percent: call.tag('percent') !== undefined, match: call.match }),
  test(args, rt) {
    const score = scoreString(scoreRatio(rt, 'spamtest', SPAMTEST_DEFAULTS), 10, args.percent);
    return rt.match(args.match, [score], [args.value]);
  },
});

export const spamtest = defineExtension({
  name: 'spamtest',
  spec: 'RFC 5235',
  tests: { spamtest: spamtestTest },
});

/** spamtestplus: RFC 5235 §3.2. Only adds :percent to spamtest, and enables spamtest. */
export const spamtestplus = defineExtension({
  name: 'spamtestplus',
  spec: 'RFC 5235 §3.2',
  implies: ['spamtest'],
  tagsFor: { spamtest: { percent: {} } },
});
