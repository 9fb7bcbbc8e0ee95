/**
 * vnd.mailsift.account: mailsift's own extension. `fileinto :account "<name>"
 * <mailbox>` stores into a mailbox of another configured account instead of the
 * message's own (fileinto.ts reads the tag and sets `account` on the action; an
 * empty name means the message's own account). Stores to the same mailbox name in
 * different accounts are different actions, and a store into another account's
 * INBOX does not stand in for the implicit keep (result.ts). Status: complete.
 */
import { defineExtension } from './define.js';

export const account = defineExtension({
  name: 'vnd.mailsift.account',
  spec: 'mailsift (vendor extension)',
  tagsFor: { fileinto: { account: { arg: 'string' } } },
});
