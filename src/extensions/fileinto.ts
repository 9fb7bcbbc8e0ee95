/**
 * fileinto: RFC 5228 §4.1. Stores the message into a mailbox. Takes :copy
 * (RFC 3894), :flags (RFC 5232), :create (RFC 5490) and :account
 * (vnd.mailsift.account) from their extensions. Status: complete.
 */
import { flagsArg, storeFlags } from './core.js';
import { defineCommand, defineExtension } from './define.js';
import { isConstant, type Str } from '../runtime/strings.js';

interface FileintoArgs {
  readonly mailbox: Str;
  readonly flags?: readonly Str[];
  readonly copy: boolean;
  readonly create: boolean;
  readonly account?: Str;
}

/** Mailbox names must be non-empty and free of control characters (RFC 5228 §4.1, RFC 3501 §5.1). */
export function mailboxProblem(name: string): string | undefined {
  if (name === '') return 'mailbox name is empty';
  if (/[\x00-\x1f\x7f]/.test(name)) return `mailbox name "${name.replace(/[\x00-\x1f\x7f]/g, '?')}" contains control characters`;
  return undefined;
}

const fileintoCommand = defineCommand<FileintoArgs>({
  signature: { positional: [{ name: 'mailbox', kind: 'string' }] },
  lower(call, cx) {
    const mailbox = call.positional[0]!;
    const problem = isConstant(mailbox.str!) ? mailboxProblem(mailbox.str) : undefined;
    if (problem) {
      cx.error('invalid-value', mailbox.span, problem);
      return undefined;
    }
    const account = call.tag('account');
    return {
      mailbox: mailbox.str!,
      flags: flagsArg(call.tag('flags')),
      copy: call.tag('copy') !== undefined,
      create: call.tag('create') !== undefined,
      account: account === true ? undefined : account?.str,
    };
  },
  run(args, rt) {
    const mailbox = rt.expand(args.mailbox);
    const problem = mailboxProblem(mailbox);
    if (problem) return rt.fail('invalid-mailbox', problem);
    const account = args.account === undefined ? undefined : rt.expand(args.account);
    rt.addAction({
      type: 'fileinto',
      mailbox,
      flags: storeFlags(args.flags, rt),
      copy: args.copy,
      create: args.create,
      ...(account ? { account } : {}),
    });
  },
});

export const fileinto = defineExtension({
  name: 'fileinto',
  spec: 'RFC 5228 §4.1',
  commands: { fileinto: fileintoCommand },
});
