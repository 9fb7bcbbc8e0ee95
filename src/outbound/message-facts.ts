/**
 * What the outbound handlers need to know about the message that triggered them: its
 * envelope sender (from Return-Path, as a delivered message keeps it), the addresses it was
 * delivered to, and the header fields that mark lists, bulk and automatic mail
 * (RFC 3834 §2, RFC 2369/2919, RFC 5230 §4.5).
 */
import { defaultEnvelope } from '../host/envelope-defaults.js';
import { parseMessage } from '../runtime/message/parse.js';
import type { MessageView } from '../runtime/message/types.js';

export interface MessageFacts {
  readonly view: MessageView;
  /** The envelope sender: '' for the null sender `<>`, undefined when nothing names one. */
  readonly sender?: string;
  /** The first From address. */
  readonly from?: string;
  readonly subject: string;
  /** `<id@host>`, as written, or undefined. */
  readonly messageId?: string;
  readonly references: readonly string[];
  /**
   * The addresses the header says the message was for (To, Cc, Bcc, Resent-To, Resent-Cc,
   * Resent-Bcc: RFC 5230 §4.5's list), lower-cased. Not Delivered-To, which is the envelope.
   */
  readonly recipients: readonly string[];
  /** Delivered-To / X-Original-To only: the mailbox owner's own addresses, lower-cased. */
  readonly deliveredTo: readonly string[];
  /** Values of X-Loop fields, lower-cased bare addresses. */
  readonly loops: readonly string[];
  /** Why this is automatic or list mail (RFC 3834 §2), or undefined for a personal message. */
  readonly automatic?: string;
}

const LIST_FIELDS = ['list-id', 'list-help', 'list-subscribe', 'list-unsubscribe', 'list-post', 'list-owner', 'list-archive'];

/** RFC 3834 §2 and RFC 5230 §4.5: reasons never to answer a message automatically. */
function automaticReason(view: MessageView, sender: string | undefined): string | undefined {
  const auto = view.header('auto-submitted')[0];
  if (auto !== undefined && auto.trim().toLowerCase().split(/[\s;]/)[0] !== 'no') return `it is Auto-Submitted: ${auto.trim()}`;
  const precedence = view.header('precedence')[0]?.trim().toLowerCase();
  if (precedence === 'bulk' || precedence === 'list' || precedence === 'junk') return `it has Precedence: ${precedence}`;
  const list = LIST_FIELDS.find((f) => view.header(f).length > 0);
  if (list) return `it is list mail (${list})`;
  if (sender === '') return 'its sender is the null sender <>';
  if (sender !== undefined) {
    const local = sender.slice(0, sender.lastIndexOf('@') < 0 ? undefined : sender.lastIndexOf('@')).toLowerCase();
    if (local === 'mailer-daemon' || local === 'postmaster' || local.startsWith('owner-') || local.endsWith('-request') || local === 'listserv' || local === 'majordomo') {
      return `its sender ${sender} is a system address`;
    }
  }
  return undefined;
}

export function messageFacts(raw: Uint8Array): MessageFacts {
  const view = parseMessage(raw);
  const envelope = defaultEnvelope(view, {});
  const returnPath = view.header('return-path')[0];
  const sender = returnPath !== undefined && /^\s*<\s*>\s*$/.test(returnPath) ? '' : envelope.from;
  const from = view.addresses('from')[0]?.addresses[0]?.address;
  const messageId = /<[^<>\s]+>/.exec(view.header('message-id')[0] ?? '')?.[0];
  const refs = (view.header('references')[0] ?? view.header('in-reply-to')[0] ?? '').match(/<[^<>\s]+>/g) ?? [];
  const recipients = ['to', 'cc', 'bcc', 'resent-to', 'resent-cc', 'resent-bcc']
    .flatMap((h) => view.addresses(h).flatMap((f) => f.addresses.map((a) => a.address.toLowerCase())));
  const deliveredTo = ['delivered-to', 'x-original-to'].flatMap((h) => view.addresses(h).flatMap((f) => f.addresses.map((a) => a.address.toLowerCase())));
  const loops = view.header('x-loop').map((v) => bareAddress(v).toLowerCase());
  const automatic = automaticReason(view, sender);
  return {
    view,
    ...(sender !== undefined && { sender }),
    ...(from !== undefined && { from }),
    subject: view.header('subject')[0] ?? '',
    ...(messageId !== undefined && { messageId }),
    references: refs,
    recipients: [...new Set(recipients)],
    deliveredTo: [...new Set(deliveredTo)],
    loops,
    ...(automatic !== undefined && { automatic }),
  };
}

/** `Me <me@example.com>` → `me@example.com`. */
export function bareAddress(text: string): string {
  return (/<([^<>]+)>/.exec(text)?.[1] ?? text).trim();
}

/** SMTP address equality as far as it matters here: the whole address, ignoring case. */
export function sameAddress(a: string, b: string): boolean {
  return bareAddress(a).toLowerCase() === bareAddress(b).toLowerCase();
}
