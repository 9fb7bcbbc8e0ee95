/**
 * variables: RFC 5229. The `set` command with its modifiers (§4) and the `string`
 * test (§5). References (`${name}`, `${0}`..`${31}`) are parsed by the compiler
 * (src/runtime/strings.ts) and expanded by the runtime, which also fills the match
 * variables after a successful :matches or :regex (§3.2); a failed match, and any
 * other match type, leaves them as they were (measured in Pigeonhole 0.5.19).
 *
 * As in Pigeonhole: names are case-insensitive; values are cut at
 * Limits.maxVariableSize bytes of UTF-8 without splitting a character (the value
 * before the modifiers, and the result); :lower/:upper/:lowerfirst/:upperfirst map
 * ASCII letters only; :length counts characters; and `string` compares with
 * i;octet unless a :comparator is given (RFC 5229 says i;ascii-casemap, like every
 * test; Pigeonhole's tst-string.c defaults to i;octet, and scripts written for it
 * rely on that). :quoteregex comes with the regex extension (see regex.ts).
 * Status: complete.
 */
import { defineCommand, defineExtension, defineTest, type LowerContext } from './define.js';
import type { Span } from '../dsl/diagnostics.js';
import { asciiLower, asciiUpper, octet } from '../runtime/comparators.js';
import { encodeUrl } from './enotify.js';
import type { MatchSpec, Runtime } from '../runtime/runtime.js';
import { isIdentifier, truncateUtf8, type Str } from '../runtime/strings.js';

/** Modifiers by precedence (RFC 5229 §4.1): applied from highest to lowest. */
export type Modifier = 'lower' | 'upper' | 'lowerfirst' | 'upperfirst' | 'quotewildcard' | 'quoteregex' | 'encodeurl' | 'length';

/** Same-precedence modifiers share a tag group, so bind reports them as conflicting (§4.1). */
const PRECEDENCE: readonly (readonly Modifier[])[] = [
  ['lower', 'upper'], // 40
  ['lowerfirst', 'upperfirst'], // 30
  ['quotewildcard', 'quoteregex'], // 20
  ['encodeurl'], // 15, from enotify (RFC 5435 §7)
  ['length'], // 10
];

/** Characters special in POSIX extended regular expressions (draft-ietf-sieve-regex-01 §5). */
const REGEX_SPECIALS = /[\\^$.[\]|()?*+{}]/g;

export function applyModifier(m: Modifier, value: string): string {
  switch (m) {
    case 'lower':
      return asciiLower(value);
    case 'upper':
      return asciiUpper(value);
    case 'lowerfirst':
      return asciiLower(value.slice(0, 1)) + value.slice(1);
    case 'upperfirst':
      return asciiUpper(value.slice(0, 1)) + value.slice(1);
    case 'quotewildcard':
      return value.replace(/[*?\\]/g, '\\$&');
    case 'quoteregex':
      return value.replace(REGEX_SPECIALS, '\\$&');
    case 'encodeurl':
      return encodeUrl(value);
    case 'length':
      return String([...value].length);
  }
}

/** Distinct variable names set by one compilation (one LowerContext per compile). */
const declared = new WeakMap<LowerContext, Set<string>>();

/**
 * Check a variable name a command assigns to, returning it in lower case. A name
 * like "1" is a match variable and "a.b" a namespace; both are refused, as in
 * Pigeonhole. Shared with other extensions that assign variables.
 */
export function lowerVariableName(name: string, span: Span, cx: LowerContext): string | undefined {
  if (/^[0-9]+$/.test(name)) {
    cx.error('invalid-value', span, `cannot assign to match variable \${${name}}`);
    return undefined;
  }
  if (/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/.test(name)) {
    cx.error('invalid-value', span, `variable namespace "${name.split('.')[0]}" is not supported`);
    return undefined;
  }
  if (!isIdentifier(name)) {
    cx.error('invalid-value', span, `"${name}" is not a valid variable name (letters, digits and "_", not starting with a digit)`);
    return undefined;
  }
  const lower = name.toLowerCase();
  let names = declared.get(cx);
  if (!names) declared.set(cx, (names = new Set()));
  names.add(lower);
  if (names.size > cx.limits.maxVariables) {
    cx.error('too-many-variables', span, `variable "${name}" exceeds the limit of ${cx.limits.maxVariables} variables`);
    return undefined;
  }
  return lower;
}

interface SetArgs {
  readonly name: string;
  readonly value: Str;
  readonly modifiers: readonly Modifier[];
}

const set = defineCommand<SetArgs>({
  signature: {
    positional: [{ name: 'name', kind: 'string' }, { name: 'value', kind: 'string' }],
    tags: {
      lower: { group: 'precedence-40' },
      upper: { group: 'precedence-40' },
      lowerfirst: { group: 'precedence-30' },
      upperfirst: { group: 'precedence-30' },
      quotewildcard: { group: 'precedence-20' },
      length: {},
    },
  },
  lower(call, cx) {
    const nameArg = call.positional[0]!;
    const raw = cx.constant(nameArg);
    if (raw === undefined) return undefined;
    const name = lowerVariableName(raw, nameArg.span, cx);
    if (name === undefined) return undefined;
    const modifiers = PRECEDENCE.flat().filter((m) => call.tag(m) !== undefined);
    return { name, value: call.positional[1]!.str!, modifiers };
  },
  run(args, rt) {
    const max = rt.limits.maxVariableSize;
    let value = truncateUtf8(rt.expand(args.value), max);
    for (const m of args.modifiers) value = applyModifier(m, value);
    setVariable(rt, args.name, value);
  },
});

/** Assign `value` to the (lower-cased) variable `name`, cut at the size limit as `set` does (also execute's :output). */
export function setVariable(rt: Runtime, name: string, value: string): void {
  if (!rt.variables.has(name) && rt.variables.size >= rt.limits.maxVariables) {
    rt.fail('too-many-variables', `more than ${rt.limits.maxVariables} variables`);
  }
  rt.variables.set(name, truncateUtf8(value, rt.limits.maxVariableSize));
}

interface StringArgs {
  readonly source: readonly Str[];
  readonly keys: readonly Str[];
  readonly match: MatchSpec;
}

const string = defineTest<StringArgs>({
  signature: { positional: [{ name: 'source', kind: 'string-list' }, { name: 'keys', kind: 'string-list' }], match: true },
  lower(call) {
    const explicit = call.node.args.some((a) => a.kind === 'tag' && a.name === 'comparator');
    const match = explicit ? call.match : { ...call.match, comparator: octet };
    return { source: call.positional[0]!.list!, keys: call.positional[1]!.list!, match };
  },
  test(args, rt) {
    let values = rt.expandList(args.source);
    // RFC 5229 §5: with :count, empty strings are not counted.
    if (args.match.type.name === 'count') values = values.filter((v) => v !== '');
    return rt.match(args.match, values, args.keys);
  },
});

export const variables = defineExtension({
  name: 'variables',
  spec: 'RFC 5229',
  commands: { set },
  tests: { string },
});
