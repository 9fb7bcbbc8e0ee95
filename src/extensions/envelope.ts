/**
 * envelope: RFC 5228 §5.4. Tests the SMTP envelope (MAIL FROM as "from", RCPT TO
 * as "to") with the same address parts and match types as the address test.
 * Pigeonhole supports only "from" and "to"; so do we ("auth" needs RFC 5228's
 * envelope-auth, which neither offers). Status: complete.
 */
import type { AddressPart } from './define.js';
import { defineExtension, defineTest } from './define.js';
import type { MailAddress } from '../runtime/message/types.js';
import type { MatchSpec, Runtime } from '../runtime/runtime.js';
import { isConstant, type Str } from '../runtime/strings.js';

const PARTS = new Set(['from', 'to']);

interface EnvelopeArgs {
  readonly parts: readonly Str[];
  readonly keys: readonly Str[];
  readonly match: MatchSpec;
  readonly part: AddressPart;
}

/** An envelope path as a MailAddress; the null path <> has empty parts (RFC 5228 §5.4). */
export function pathAddress(path: string): MailAddress {
  // One leading "<" and one trailing ">" go (what replace(/^<|>$/g, '') does, without a regex).
  let s = path.startsWith('<') ? path.slice(1) : path;
  if (s.endsWith('>')) s = s.slice(0, -1);
  const at = s.lastIndexOf('@');
  return at < 0
    ? { name: '', address: s, localPart: s, domain: '' }
    : { name: '', address: s, localPart: s.slice(0, at), domain: s.slice(at + 1) };
}

function envelopeValue(rt: Runtime, part: string): string | undefined {
  return part === 'from' ? rt.envelope.from : part === 'to' ? rt.envelope.to : undefined;
}

const envelopeTest = defineTest<EnvelopeArgs>({
  signature: {
    positional: [{ name: 'envelope parts', kind: 'string-list' }, { name: 'keys', kind: 'string-list' }],
    match: true,
    addressPart: true,
  },
  lower(call, cx) {
    const parts = call.positional[0]!;
    for (const [i, s] of (parts.list ?? []).entries()) {
      if (isConstant(s) && !PARTS.has(s.toLowerCase())) {
        cx.error('invalid-value', parts.literals?.[i]?.span ?? parts.span, `"${s}" is not an envelope part (from or to)`);
        return undefined;
      }
    }
    return { parts: parts.list!, keys: call.positional[1]!.list!, match: call.match, part: call.addressPart };
  },
  test(args, rt) {
    const values: string[] = [];
    for (const name of rt.strings(args.parts)) {
      const path = envelopeValue(rt, name.toLowerCase());
      if (path === undefined) continue;
      if (path === '' || path === '<>') {
        values.push('');
        continue;
      }
      const v = args.part.extract(pathAddress(path));
      if (v !== null) values.push(v);
    }
    return rt.match(args.match, values, args.keys);
  },
});

export const envelope = defineExtension({
  name: 'envelope',
  spec: 'RFC 5228 §5.4',
  tests: { envelope: envelopeTest },
});
