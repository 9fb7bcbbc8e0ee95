/**
 * RFC 5228 (Sieve), the base language: keep, discard, redirect and the address,
 * header, exists and size tests, with the :is/:contains/:matches match types.
 * Control structures (require, if, stop, allof, anyof, not, true, false) are in
 * the compiler's checker, because they shape the plan itself.
 * Status: complete.
 */
import { defineCommand, defineExtension, defineTest, type Bound, type LowerContext } from './define.js';
import { redirectTarget } from './lib/address.js';
import { normalizeFlags } from './lib/flags.js';
import { isFieldName, lowerIndex, pickIndexed, type FieldIndex } from './lib/select.js';
import type { AddressPart } from './define.js';
import { contains, is, matches } from '../runtime/match.js';
import { fieldValue } from '../runtime/message/header-fields.js';
import type { MatchSpec, Runtime } from '../runtime/runtime.js';
import { isConstant, type Str } from '../runtime/strings.js';

/** keep and fileinto take :flags from imap4flags; without it they store the internal flags. */
export function storeFlags(flags: readonly Str[] | undefined, rt: Runtime): string[] {
  return flags ? normalizeFlags(rt.expandList(flags)) : rt.currentFlags();
}

export function flagsArg(b: Bound | true | undefined): readonly Str[] | undefined {
  return b === undefined || b === true ? undefined : b.list;
}

const keep = defineCommand<{ flags?: readonly Str[] }>({
  signature: { positional: [] },
  lower: (call) => ({ flags: flagsArg(call.tag('flags')) }),
  run(args, rt) {
    rt.addAction({ type: 'keep', implicit: false, flags: storeFlags(args.flags, rt) });
  },
});

const discard = defineCommand<null>({
  signature: { positional: [] },
  lower: () => null,
  run(_args, rt) {
    rt.addAction({ type: 'discard' });
  },
});

const redirect = defineCommand<{ address: Str; copy: boolean }>({
  signature: { positional: [{ name: 'address', kind: 'string' }] },
  lower(call, cx) {
    const address = call.positional[0]!;
    if (isConstant(address.str!) && !redirectTarget(address.str)) {
      cx.error('invalid-value', address.span, `"${address.str}" is not a valid address to redirect to`);
      return undefined;
    }
    return { address: address.str!, copy: call.tag('copy') !== undefined };
  },
  run(args, rt) {
    const text = rt.expand(args.address);
    const address = redirectTarget(text);
    if (!address) return rt.fail('invalid-address', `"${text}" is not a valid address to redirect to`);
    rt.addAction({ type: 'redirect', address, copy: args.copy });
  },
});

/**
 * Header names of a test, checked when constant. RFC 5228 §5.7 asks for valid field
 * names; Pigeonhole only warns about an invalid one (it can never match), and so do we.
 */
function checkNames(b: Bound, cx: LowerContext, what: string): void {
  for (const [i, s] of (b.list ?? []).entries()) {
    if (isConstant(s) && !isFieldName(s)) cx.warning('invalid-value', b.literals?.[i]?.span ?? b.span, `"${s}" is not a valid ${what}: it never matches`);
  }
}

interface HeaderArgs {
  readonly names: readonly Str[];
  readonly keys: readonly Str[];
  readonly match: MatchSpec;
  readonly index?: FieldIndex;
}

const header = defineTest<HeaderArgs>({
  signature: { positional: [{ name: 'header names', kind: 'string-list' }, { name: 'keys', kind: 'string-list' }], match: true },
  lower(call, cx) {
    const index = lowerIndex(call, cx);
    if (index === false) return undefined;
    checkNames(call.positional[0]!, cx, 'header name');
    return { names: call.positional[0]!.list!, keys: call.positional[1]!.list!, match: call.match, index };
  },
  test(args, rt) {
    return rt.match(args.match, headerValues(rt, rt.strings(args.names), args.index), args.keys);
  },
});

const NO_VALUES: readonly string[] = [];

/** What header() gives for each name, in order, from one lookup per name; no array for an absent field. */
function headerValues(rt: Runtime, names: readonly string[], index: FieldIndex | undefined): readonly string[] {
  if (names.length === 1) {
    const fields = pickIndexed(rt.message.fieldsNamed(names[0]!), index);
    return fields.length === 0 ? NO_VALUES : fields.map(fieldValue);
  }
  const out: string[] = [];
  for (const name of names) for (const f of pickIndexed(rt.message.fieldsNamed(name), index)) out.push(fieldValue(f));
  return out;
}

/**
 * Address headers the address test accepts, as in Pigeonhole: others are a
 * compile error, since they cannot hold addresses (RFC 5228 §5.1).
 */
export const ADDRESS_HEADERS = new Set([
  'from', 'to', 'cc', 'bcc', 'sender', 'reply-to', 'resent-from', 'resent-to', 'resent-cc', 'resent-bcc',
  'resent-sender', 'resent-reply-to', 'delivered-to', 'errors-to', 'mail-followup-to', 'mail-reply-to',
  'x-original-to', 'x-beenthere', 'return-receipt-to', 'disposition-notification-to', 'original-recipient',
  'x-envelope-to', 'envelope-to', 'x-delivered-to', 'return-path', 'apparently-to', 'followup-to',
]);

interface AddressArgs extends HeaderArgs {
  readonly part: AddressPart;
}

/**
 * Append the values one address field offers to a test, by RFC 5228 §5.1 and Pigeonhole's
 * fallbacks. An address without the requested part (":detail" of "a@b") gives no value to
 * compare, but :count still counts it (as ''), as in Pigeonhole.
 */
function pushAddressValues(out: string[], rt: Runtime, name: string, part: AddressPart, index: FieldIndex | undefined, counting: boolean): void {
  for (const field of pickIndexed(rt.message.addresses(name), index)) {
    if (field.addresses.length === 0) {
      // An unparsable field or an empty group: :all compares its text, other parts never
      // match (Pigeonhole does the same, so `address :count` counts such a field once).
      if (field.text === '') continue;
      if (part.name === 'all') out.push(field.text);
      else if (counting) out.push('');
      continue;
    }
    for (const a of field.addresses) {
      const v = part.extract(a);
      if (v !== null) out.push(v);
      else if (counting) out.push('');
    }
  }
}

const address = defineTest<AddressArgs>({
  signature: {
    positional: [{ name: 'header names', kind: 'string-list' }, { name: 'keys', kind: 'string-list' }],
    match: true,
    addressPart: true,
  },
  lower(call, cx) {
    const index = lowerIndex(call, cx);
    if (index === false) return undefined;
    const names = call.positional[0]!;
    for (const [i, s] of (names.list ?? []).entries()) {
      if (isConstant(s) && !ADDRESS_HEADERS.has(s.toLowerCase())) {
        cx.error('invalid-value', names.literals?.[i]?.span ?? names.span, `"${s}" is not an address header`);
        return undefined;
      }
    }
    return { names: names.list!, keys: call.positional[1]!.list!, match: call.match, part: call.addressPart, index };
  },
  test(args, rt) {
    const values: string[] = [];
    const counting = args.match.type.name === 'count';
    for (const name of rt.strings(args.names)) pushAddressValues(values, rt, name, args.part, args.index, counting);
    return rt.match(args.match, values, args.keys);
  },
});

const exists = defineTest<{ names: readonly Str[] }>({
  signature: { positional: [{ name: 'header names', kind: 'string-list' }] },
  lower(call, cx) {
    checkNames(call.positional[0]!, cx, 'header name');
    return { names: call.positional[0]!.list! };
  },
  test(args, rt) {
    for (const name of rt.strings(args.names)) if (rt.message.fieldsNamed(name).length === 0) return false;
    return true;
  },
});

const size = defineTest<{ over: boolean; limit: number }>({
  signature: { positional: [{ name: 'limit', kind: 'number' }], tags: { over: { group: 'size' }, under: { group: 'size' } } },
  lower(call, cx) {
    const over = call.tag('over') !== undefined;
    if (!over && call.tag('under') === undefined) {
      cx.error('missing-argument', call.node.nameSpan, 'size needs :over or :under');
      return undefined;
    }
    return { over, limit: call.positional[0]!.num! };
  },
  test: (args, rt) => (args.over ? rt.message.size > args.limit : rt.message.size < args.limit),
});

export const core = defineExtension({
  name: '',
  spec: 'RFC 5228',
  commands: { keep, discard, redirect },
  tests: { header, address, exists, size },
  matchTypes: [{ type: is }, { type: contains }, { type: matches }],
});
