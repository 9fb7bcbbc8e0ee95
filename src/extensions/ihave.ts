/**
 * ihave: RFC 5463. The `ihave` test and the `error` command.
 *
 * `ihave <capabilities: string-list>` is true iff every capability is one mailsift
 * knows; the answer is fixed at compile time. When it guards an if/elsif block,
 * the compiler enables those capabilities inside the block, and a block guarded by
 * an unknown capability is not checked at all, so it may use commands this
 * implementation lacks (§4; see Checker.guard in src/dsl/check.ts). Capability
 * names are compared exactly ("FILEINTO" is unknown) and are taken as written:
 * "${x}" names no capability, so it is false, as in Pigeonhole.
 *
 * `error <message: string>` stops the script with a runtime error (§5): the
 * actions so far are dropped and the implicit keep applies (RFC 5228 §2.10.6),
 * like Pigeonhole ("final result: failed; resolved with successful implicit
 * keep"). Status: complete.
 */
import { defineCommand, defineExtension, defineTest, type Call } from './define.js';
import type { Str } from '../runtime/strings.js';

/** The capability names as written (variables are not expanded in ihave). */
function capabilities(call: Call): string[] {
  return (call.positional[0]?.literals ?? []).map((l) => l.value);
}

const ihave = defineTest<boolean>({
  signature: { positional: [{ name: 'capabilities', kind: 'string-list' }] },
  guards: (call) => capabilities(call),
  lower: (call, cx) => capabilities(call).every((c) => cx.known.has(c)),
  test: (known) => known,
});

const error = defineCommand<Str>({
  signature: { positional: [{ name: 'message', kind: 'string' }] },
  lower: (call) => call.positional[0]!.str!,
  run(message, rt) {
    rt.fail('script-error', rt.expand(message));
  },
});

export const ihaveExtension = defineExtension({
  name: 'ihave',
  spec: 'RFC 5463',
  commands: { error },
  tests: { ihave },
});
