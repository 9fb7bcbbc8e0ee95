/**
 * reject: RFC 5429 §2.2. `reject <reason>` refuses the message (an MDN-style
 * refusal, or an SMTP error when still in the transaction); it cancels the
 * implicit keep. The conflict rules of §2.3 live in src/runtime/result.ts and
 * match Pigeonhole 0.5.19: reject (or ereject) together with keep, fileinto (even
 * :copy), redirect (even :copy), vacation or a second reject is a runtime error;
 * with discard or notify it is fine. Status: complete.
 */
import { defineCommand, defineExtension } from './define.js';
import type { RejectAction } from '../runtime/actions.js';
import type { Str } from '../runtime/strings.js';

/** The reject and ereject commands differ only in the action type they produce. */
export function rejectCommand(type: RejectAction['type']) {
  return defineCommand<{ reason: Str }>({
    signature: { positional: [{ name: 'reason', kind: 'string' }] },
    lower: (call) => ({ reason: call.positional[0]!.str! }),
    run(args, rt) {
      rt.addAction({ type, reason: rt.expand(args.reason) });
    },
  });
}

export const reject = defineExtension({
  name: 'reject',
  spec: 'RFC 5429 §2.2',
  commands: { reject: rejectCommand('reject') },
});
