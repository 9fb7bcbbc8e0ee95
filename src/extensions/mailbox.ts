/**
 * mailbox: RFC 5490 §3. The mailboxexists test, answered by the host (sans-IO: the
 * runtime yields a `mailbox-exists` query), and :create on fileinto, which only
 * marks the action (fileinto.ts reads the tag; the host creates the mailbox when it
 * stores). Status: complete.
 *
 * Names are not checked at compile time: Pigeonhole accepts any string and simply
 * finds no such mailbox. One deliberate difference: Pigeonhole (Dovecot) reports
 * the empty name "" as existing (it names the namespace root); mailsift asks the host,
 * which knows no mailbox "", so a `mailboxexists "${folder}"` guard with an unset
 * variable is false instead of leading to `fileinto ""`.
 */
import { defineExtension, defineTest } from './define.js';
import type { HostRequest } from '../runtime/host.js';
import type { Str } from '../runtime/strings.js';

interface MailboxexistsArgs {
  readonly names: readonly Str[];
}

const mailboxexists = defineTest<MailboxexistsArgs>({
  // mailboxexists <mailbox-names: string-list>
  signature: { positional: [{ name: 'mailbox names', kind: 'string-list' }] },
  lower: (call) => ({ names: call.positional[0]!.list! }),
  asksHost: true,
  test(args, rt): HostRequest<boolean> {
    // RFC 5490 §3.1: true only if every named mailbox exists (and could be stored into).
    const mailboxes = rt.expandList(args.names);
    return { query: { kind: 'mailbox-exists', mailboxes }, resume: (answer) => answer === true };
  },
});

export const mailbox = defineExtension({
  name: 'mailbox',
  spec: 'RFC 5490',
  tests: { mailboxexists },
  tagsFor: { fileinto: { create: {} } },
});
