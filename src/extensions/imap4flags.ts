/**
 * imap4flags: RFC 5232. setflag/addflag/removeflag on the internal flag variable
 * or on a named variable, the hasflag test, and :flags on keep and fileinto (which
 * core.ts and fileinto.ts read through `storeFlags`). The internal variable is
 * `rt.flags`; the implicit keep and stores without :flags take its value.
 *
 * Pigeonhole 0.5.19 behaviour followed (measured with sieve-test):
 * - invalid flags ("\\Recent", "\\Bogus", "a(b", non-ASCII) are silently dropped by
 *   setflag/addflag and by hasflag's view of a variable;
 * - a named flag variable is edited in place (see lib/flags.ts), so text set with
 *   `set` that was never normalised stays as it was;
 * - hasflag normalises each variable separately; its keys are split and validated
 *   as flags for :is and :contains only, other match types see them as written.
 * Status: complete.
 */
import { defineCommand, defineExtension, defineTest, type Bound, type Call, type LowerContext } from './define.js';
import { addFlags, canonicalFlag, flagsOf, removeFlags, splitFlags } from './lib/flags.js';
import type { MatchSpec, Runtime } from '../runtime/runtime.js';
import { isConstant, isIdentifier, type Str } from '../runtime/strings.js';

type Edit = (current: string, flags: string) => string;

interface FlagCommandArgs {
  /** Lower-case variable name, or undefined for the internal variable. */
  readonly variable?: string;
  readonly flags: readonly Str[];
}

/**
 * Variable names must be constant identifiers (RFC 5232 §3), and naming one needs
 * the variables extension: Pigeonhole refuses `setflag "v" "x"` without it.
 */
function lowerVariableNames(b: Bound, call: Call, cx: LowerContext): string[] | undefined {
  if (!cx.has('variables')) {
    cx.error('undeclared-capability', b.span, `${call.name} can only name a variable when "variables" is required`);
    return undefined;
  }
  const names: string[] = [];
  for (const [i, s] of (b.list ?? []).entries()) {
    const written = b.literals?.[i]?.value ?? '';
    if (!isConstant(s) || !isIdentifier(s)) {
      cx.error('invalid-value', b.literals?.[i]?.span ?? b.span, `"${written}" is not a valid variable name`);
      return undefined;
    }
    names.push(s.toLowerCase());
  }
  return names;
}

/** Apply an edit to a named variable or to the internal one, flag by flag string. */
function editFlags(rt: Runtime, args: FlagCommandArgs, edit: Edit, reset: boolean): void {
  const strings = rt.expandList(args.flags);
  if (args.variable === undefined) {
    let current = reset ? '' : (rt.flags ?? []).join(' ');
    for (const s of strings) current = edit(current, s);
    rt.flags = splitFlags(current).map(canonicalFlag);
    return;
  }
  if (!rt.variables.has(args.variable) && rt.variables.size >= rt.limits.maxVariables) {
    rt.fail('too-many-variables', `more than ${rt.limits.maxVariables} variables`);
  }
  let current = reset ? '' : (rt.variables.get(args.variable) ?? '');
  for (const s of strings) current = edit(current, s);
  rt.variables.set(args.variable, current);
}

function flagCommand(edit: Edit, reset: boolean) {
  return defineCommand<FlagCommandArgs>({
    // setflag [<variablename: string>] <list-of-flags: string-list>
    signature: { positional: [{ name: 'variable name', kind: 'string', optional: true }, { name: 'flags', kind: 'string-list' }] },
    lower(call, cx) {
      const variable = call.positional[0];
      let name: string | undefined;
      if (variable) {
        const names = lowerVariableNames(variable, call, cx);
        if (!names) return undefined;
        name = names[0];
      }
      return { variable: name, flags: call.positional[1]!.list! };
    },
    run(args, rt) {
      editFlags(rt, args, edit, reset);
    },
  });
}

interface HasflagArgs {
  readonly variables?: readonly string[];
  readonly flags: readonly Str[];
  readonly match: MatchSpec;
}

const hasflag = defineTest<HasflagArgs>({
  // hasflag [MATCH-TYPE] [COMPARATOR] [<variable-list: string-list>] <list-of-flags: string-list>
  signature: {
    positional: [{ name: 'variable list', kind: 'string-list', optional: true }, { name: 'flags', kind: 'string-list' }],
    match: true,
  },
  lower(call, cx) {
    const list = call.positional[0];
    const variables = list ? lowerVariableNames(list, call, cx) : undefined;
    if (list && !variables) return undefined;
    return { variables, flags: call.positional[1]!.list!, match: call.match };
  },
  test(args, rt) {
    const values = args.variables
      ? args.variables.flatMap((v) => flagsOf(rt.variables.get(v) ?? ''))
      : [...(rt.flags ?? [])];
    // RFC 5232 §4 compares flag names; Pigeonhole splits the keys into flags for
    // :is and :contains, and leaves them whole for :matches, :regex, :count, :value.
    const name = args.match.type.name;
    const keys = name === 'is' || name === 'contains' ? rt.expandList(args.flags).flatMap(flagsOf) : args.flags;
    return rt.match(args.match, values, keys);
  },
});

export const imap4flags = defineExtension({
  name: 'imap4flags',
  spec: 'RFC 5232',
  commands: { setflag: flagCommand(addFlags, true), addflag: flagCommand(addFlags, false), removeflag: flagCommand(removeFlags, false) },
  tests: { hasflag },
  tagsFor: { keep: { flags: { arg: 'string-list' } }, fileinto: { flags: { arg: 'string-list' } } },
});
