/**
 * editheader: RFC 5293. addheader and deleteheader change the header of the message
 * as later tests see it and as it is delivered (`rt.editable()`, a fork of the view).
 *
 * Pigeonhole 0.5.19 behaviour followed (measured with sieve-test):
 * - Received and Auto-Submitted may be added but never deleted (RFC 5293 §6 asks
 *   for protected fields): deleting them is silently skipped at run time;
 * - an invalid field name is a compile error when constant, a runtime error when it
 *   comes from a variable; the empty name is accepted and does nothing;
 * - a value with a NUL is refused (compile or run time); a value longer than
 *   `maxAddedHeaderValue` bytes (2048, Pigeonhole's default) too;
 * - CR/LF in a value: CRs are dropped, a line break followed by a space or tab is a
 *   fold (the break goes, the space or tab stays), the value ends at any other break;
 * - deleteheader's :index counts the fields of the name and deletes the selected one
 *   only when it matches the value patterns; `:index 0` and `:last` without :index
 *   select every field (Pigeonhole accepts both, though the RFC forbids them).
 * Status: complete.
 */
import { defineCommand, defineExtension, type Bound, type LowerContext } from './define.js';
import { isFieldName } from './lib/select.js';
// Not the message index: that would load html-to-text, which nothing here uses.
import { fieldValue } from '../runtime/message/header-fields.js';
import type { MatchSpec, Runtime } from '../runtime/runtime.js';
import { isConstant, type Str } from '../runtime/strings.js';

/** Fields RFC 5293 §6 protects: tracing and loop-prevention information. */
const PROTECTED = new Set(['received', 'auto-submitted']);
const ADDED_BYTES = 'editheader.added';

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** A field name checked when constant; '' passes (it is a no-op, as in Pigeonhole). */
function lowerName(b: Bound, cx: LowerContext): Str | undefined {
  if (isConstant(b.str!) && b.str !== '' && !isFieldName(b.str)) {
    cx.error('invalid-value', b.span, `"${b.str}" is not a valid header field name`);
    return undefined;
  }
  return b.str!;
}

function valueProblem(value: string, max: number): string | undefined {
  if (value.includes('\0')) return 'the header value contains a NUL character';
  const size = utf8Length(value);
  if (size > max) return `the header value of ${size} bytes exceeds the limit of ${max}`;
  return undefined;
}

/** Expand a name at run time: undefined for '' (nothing to do), a runtime error when invalid. */
function runtimeName(s: Str, rt: Runtime): string | undefined {
  const name = rt.expand(s);
  if (name === '') return undefined;
  if (!isFieldName(name)) rt.fail('invalid-header', `"${name}" is not a valid header field name`);
  return name;
}

/** Line breaks in a value, as Pigeonhole's header writer leaves them (see the file comment). */
function cleanValue(value: string): string {
  const noCr = value.replace(/\r/g, '');
  const cut = noCr.search(/\n(?![ \t])/);
  return (cut < 0 ? noCr : noCr.slice(0, cut)).replace(/\n(?=[ \t])/g, '');
}

const addheader = defineCommand<{ name: Str; value: Str; last: boolean }>({
  // addheader [":last"] <field-name: string> <value: string>
  signature: { positional: [{ name: 'field name', kind: 'string' }, { name: 'value', kind: 'string' }], tags: { last: {} } },
  lower(call, cx) {
    const name = lowerName(call.positional[0]!, cx);
    const value = call.positional[1]!;
    const problem = isConstant(value.str!) ? valueProblem(value.str, cx.limits.maxAddedHeaderValue) : undefined;
    if (problem) cx.error('invalid-value', value.span, problem);
    if (name === undefined || problem) return undefined;
    return { name, value: value.str!, last: call.tag('last') !== undefined };
  },
  run(args, rt) {
    const name = runtimeName(args.name, rt);
    if (name === undefined) return;
    const value = rt.expand(args.value);
    const problem = valueProblem(value, rt.limits.maxAddedHeaderValue);
    if (problem) return rt.fail('invalid-header', problem);
    const added = ((rt.state.get(ADDED_BYTES) as number | undefined) ?? 0) + name.length + utf8Length(value);
    if (added > rt.limits.maxAddedHeaderBytes) {
      return rt.fail('invalid-header', `addheader would add more than ${rt.limits.maxAddedHeaderBytes} bytes of header`);
    }
    rt.state.set(ADDED_BYTES, added);
    rt.editable().addField(name, cleanValue(value), { last: args.last });
  },
});

interface DeleteArgs {
  readonly name: Str;
  readonly patterns?: readonly Str[];
  readonly match: MatchSpec;
  /** 1-based, counted from the end with `last`; undefined deletes every matching field. */
  readonly index?: number;
  readonly last: boolean;
}

const deleteheader = defineCommand<DeleteArgs>({
  // deleteheader [":index" <fieldno: number> [":last"]] [COMPARATOR] [MATCH-TYPE]
  //              <field-name: string> [<value-patterns: string-list>]
  signature: {
    positional: [{ name: 'field name', kind: 'string' }, { name: 'value patterns', kind: 'string-list', optional: true }],
    tags: { index: { arg: 'number' }, last: {} },
    match: true,
  },
  lower(call, cx) {
    const name = lowerName(call.positional[0]!, cx);
    if (name === undefined) return undefined;
    const index = call.tag('index');
    const n = index === undefined || index === true ? 0 : (index.num ?? 0);
    return {
      name,
      patterns: call.positional[1]?.list,
      match: call.match,
      index: n > 0 ? n : undefined,
      last: call.tag('last') !== undefined,
    };
  },
  run(args, rt) {
    const name = runtimeName(args.name, rt);
    if (name === undefined || PROTECTED.has(name.toLowerCase())) return;
    const lname = name.toLowerCase();
    const positions: number[] = [];
    rt.message.fields().forEach((f, i) => {
      if (f.lname === lname) positions.push(i);
    });
    let chosen = positions;
    if (args.index !== undefined) {
      const at = args.last ? positions.length - args.index : args.index - 1;
      chosen = at >= 0 && at < positions.length ? [positions[at]!] : [];
    }
    const fields = rt.message.fields();
    // RFC 5293 §5: with value patterns, only fields whose value matches are deleted.
    const doomed = args.patterns ? chosen.filter((i) => rt.match(args.match, [fieldValue(fields[i]!)], args.patterns!)) : chosen;
    if (doomed.length > 0) rt.editable().removeFields(doomed);
  },
});

export const editheader = defineExtension({
  name: 'editheader',
  spec: 'RFC 5293',
  commands: { addheader, deleteheader },
});
