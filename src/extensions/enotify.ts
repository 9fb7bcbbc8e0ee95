/**
 * enotify: RFC 5435 (Sieve notifications), with the methods of
 * ./notify-methods/ (mailto per RFC 5436; sms and tel for mailsift's Twilio
 * connector). Adds the notify command, the valid_notify_method and
 * notify_method_capability tests, and the :encodeurl modifier of `set` (§7;
 * applied by variables.ts through encodeUrl below).
 *
 * As in Pigeonhole 0.5.19: a constant method URI, :from or option is checked at
 * compile time; the same mistakes coming from variables are runtime errors
 * (invalid options from variables are dropped instead: Pigeonhole crashes there).
 * :importance must be literally "1", "2" or "3". A notification whose recipients
 * earlier ones already reach is dropped or trimmed by its method.
 * Status: complete.
 */
import { defineCommand, defineExtension, defineTest, tagArgument, type Bound, type LowerContext } from './define.js';
import { lookupMethod, uriProblem } from './notify-methods/registry.js';
import type { NotifyAction } from '../runtime/actions.js';
import type { MatchSpec } from '../runtime/runtime.js';
import { isConstant, showStr, type Str } from '../runtime/strings.js';

/**
 * RFC 5435 §3.5 / §8: option = optionname "=" value, optionname = l-d *(l-d / "." / "-" / "_"),
 * value = any octets but NUL, CR and LF.
 */
export function optionProblem(option: string): string | undefined {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(.*)$/s.exec(option);
  if (!m) return `invalid option name in option "${option}"`;
  if (/[\0\r\n]/.test(m[2]!)) return `invalid value in option "${m[1]}"`;
  return undefined;
}

/**
 * :encodeurl (RFC 5435 §7): percent-encode the UTF-8 octets of everything but
 * RFC 3986 unreserved characters, with upper-case hex digits (Pigeonhole writes
 * "a b/é" as "a%20b%2F%C3%A9").
 */
export function encodeUrl(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

interface NotifyArgs {
  readonly method: Str;
  readonly from?: Str;
  readonly importance: 1 | 2 | 3;
  readonly options: readonly Str[];
  readonly message?: Str;
}

/** Compile-time checks of a constant method URI and, given that method, a constant :from. */
function lowerMethod(method: Bound, from: Bound | undefined, cx: LowerContext): boolean {
  if (!isConstant(method.str!)) return true;
  const problem = uriProblem(method.str);
  if (problem) {
    cx.error('invalid-value', method.span, problem);
    return false;
  }
  const found = lookupMethod(method.str);
  if (found.ok && from && isConstant(from.str!)) {
    const bad = found.method.checkFrom?.(from.str);
    if (bad) {
      cx.error('invalid-value', from.span, bad);
      return false;
    }
  }
  return true;
}

const notify = defineCommand<NotifyArgs>({
  signature: {
    positional: [{ name: 'method', kind: 'string' }],
    tags: { from: { arg: 'string' }, importance: { arg: 'string' }, options: { arg: 'string-list' }, message: { arg: 'string' } },
  },
  lower(call, cx) {
    let ok = true;
    let importance: 1 | 2 | 3 = 2;
    const imp = tagArgument(call.tag('importance'));
    if (imp) {
      // RFC 5435 §3.4; Pigeonhole wants the literal value even when variables are in use.
      const v = imp.str!;
      if (v === '1' || v === '2' || v === '3') importance = Number(v) as 1 | 2 | 3;
      else {
        cx.error('invalid-value', imp.span, `:importance must be "1", "2" or "3", not "${showStr(v)}"`);
        ok = false;
      }
    }
    const options = tagArgument(call.tag('options'));
    for (const [i, o] of (options?.list ?? []).entries()) {
      const problem = isConstant(o) ? optionProblem(o) : undefined;
      if (problem) {
        cx.error('invalid-value', options!.literals?.[i]?.span ?? options!.span, problem);
        ok = false;
      }
    }
    const from = tagArgument(call.tag('from'));
    if (!lowerMethod(call.positional[0]!, from, cx)) ok = false;
    if (!ok) return undefined;
    return {
      method: call.positional[0]!.str!,
      from: from?.str,
      importance,
      options: options?.list ?? [],
      message: tagArgument(call.tag('message'))?.str,
    };
  },
  run(args, rt) {
    const uri = rt.expand(args.method);
    const found = lookupMethod(uri);
    if (!found.ok) return rt.fail('invalid-notify-method', found.problem);
    const problem = uriProblem(uri);
    if (problem) return rt.fail('invalid-notify-method', problem);
    const from = args.from === undefined ? undefined : rt.expand(args.from);
    const badFrom = from === undefined ? undefined : found.method.checkFrom?.(from);
    if (badFrom) return rt.fail('invalid-address', badFrom);
    const message = args.message === undefined ? undefined : rt.expand(args.message);
    const options = rt.expandList(args.options).filter((o) => optionProblem(o) === undefined);
    // RFC 5435 §3.8 leaves duplicate detection to the method; the earlier ones of the same scheme decide.
    const earlier = rt.result.actions
      .filter((a): a is NotifyAction => a.type === 'notify')
      .map((a) => a.method)
      .filter((m) => {
        const other = lookupMethod(m);
        return other.ok && other.method === found.method;
      });
    const target = found.method.reduce(uri, earlier);
    if (target === undefined) return;
    rt.addAction({
      type: 'notify',
      method: target,
      ...(message === undefined ? {} : { message }),
      ...(from === undefined ? {} : { from }),
      importance: args.importance,
      options,
    });
  },
});

/** RFC 5435 §5.1: true when every URI names a supported method and is valid for it. */
const validNotifyMethod = defineTest<{ uris: readonly Str[] }>({
  signature: { positional: [{ name: 'notification-uris', kind: 'string-list' }] },
  lower: (call) => ({ uris: call.positional[0]!.list! }),
  test(args, rt) {
    const uris = rt.expandList(args.uris);
    return uris.length > 0 && uris.every((u) => uriProblem(u) === undefined);
  },
});

interface CapabilityArgs {
  readonly uri: Str;
  readonly capability: Str;
  readonly keys: readonly Str[];
  readonly match: MatchSpec;
}

/**
 * RFC 5435 §5.2: compare one capability of a method with the keys. An invalid URI or
 * an unknown capability makes the test false (Pigeonhole logs it and goes on).
 */
const notifyMethodCapability = defineTest<CapabilityArgs>({
  signature: {
    positional: [
      { name: 'notification-uri', kind: 'string' },
      { name: 'notification-capability', kind: 'string' },
      { name: 'key-list', kind: 'string-list' },
    ],
    match: true,
  },
  lower: (call) => ({
    uri: call.positional[0]!.str!,
    capability: call.positional[1]!.str!,
    keys: call.positional[2]!.list!,
    match: call.match,
  }),
  test(args, rt) {
    const found = lookupMethod(rt.expand(args.uri));
    if (!found.ok) return false;
    const value = found.method.capability(found.body, rt.expand(args.capability));
    return value !== undefined && rt.match(args.match, [value], args.keys);
  },
});

export const enotify = defineExtension({
  name: 'enotify',
  spec: 'RFC 5435, RFC 5436',
  commands: { notify },
  tests: { valid_notify_method: validNotifyMethod, notify_method_capability: notifyMethodCapability },
  tagsFor: { set: { encodeurl: { group: 'precedence-15' } } },
});
