/**
 * vacation (RFC 5230, :seconds of RFC 6131): an automatic reply, sent under the rules of
 * RFC 3834 and RFC 5230 §4.5. No reply goes
 * - to list, bulk or junk mail, or to Auto-Submitted mail (message-facts.ts);
 * - to the null sender, MAILER-DAEMON and other system addresses;
 * - to the user's own addresses (`:addresses`, the `[outgoing]` from, the account's user);
 * - when none of the user's addresses is in To/Cc/Bcc/Resent-To/Resent-Cc/Resent-Bcc (§4.5:
 *   a Bcc or a list copy); the addresses the message was delivered to (Delivered-To,
 *   X-Original-To) count as the user's, as Pigeonhole counts the envelope recipient, but do
 *   not by themselves show that the message was addressed to the user;
 * - to a sender answered under the same :handle within the period (:days / :seconds),
 *   kept per sender in the state database (the duplicates table, under its own handle).
 * The reply has `Auto-Submitted: auto-replied`, In-Reply-To and References, the subject
 * "Auto: <original>" unless :subject says otherwise, and the null envelope sender (§5).
 * Not replying is not a failure: the operation is done, and its detail says why.
 */
import type { VacationAction } from '../runtime/actions.js';
import type { OutboundContext, OutboundHandler } from '../actions/outbound.js';
import { bareAddress, messageFacts } from './message-facts.js';
import type { SmtpSender } from './smtp.js';

/** The part of `state.duplicates` vacation uses. */
export interface VacationMemory {
  seen(id: string, handle: string, now: number): boolean;
  remember(id: string, handle: string, seconds: number, now: number): void;
}

export interface VacationDeps {
  readonly smtp: () => SmtpSender;
  /** Default sender of the reply (`[outgoing]` from). */
  readonly from: string;
  readonly ownAddresses: (account: string) => readonly string[];
  readonly memory: VacationMemory;
  readonly now?: () => number;
}

/** The duplicates-table handle: vacation periods never mix with RFC 7352 `duplicate` ids. */
function memoryHandle(account: string, handle: string): string {
  return `vacation\u001f${account}\u001f${handle}`;
}

export function vacationHandler(deps: VacationDeps): OutboundHandler<VacationAction> {
  return {
    async run(ctx: OutboundContext<VacationAction>): Promise<string> {
      const a = ctx.action;
      const now = (deps.now ?? Date.now)();
      const facts = messageFacts(await ctx.message());
      const sender = facts.sender;
      if (sender === undefined) return 'no vacation reply: the message names no sender';
      if (facts.automatic) return `no vacation reply: ${facts.automatic}`;
      const own = new Set([...a.addresses, ...deps.ownAddresses(ctx.ref.account), deps.from, ...(a.from ? [a.from] : []), ...facts.deliveredTo].map((x) => bareAddress(x).toLowerCase()));
      const lsender = sender.toLowerCase();
      if (own.has(lsender)) return `no vacation reply: ${sender} is the user's own address`;
      // §4.5: a Bcc copy or a list copy names someone else in its header: no reply.
      if (!facts.recipients.some((r) => own.has(r))) return 'no vacation reply: none of the user\'s addresses is in To, Cc, Bcc, Resent-To, Resent-Cc or Resent-Bcc';
      const handle = memoryHandle(ctx.ref.account, a.handle);
      if (deps.memory.seen(lsender, handle, now)) return `no vacation reply: ${sender} was answered within the last ${a.days !== undefined ? `${a.days} days` : `${a.seconds} s`}`;
      if (ctx.inDoubt) {
        // An interrupted attempt may have sent it: better no second reply.
        deps.memory.remember(lsender, handle, a.seconds, now);
        return `no vacation reply to ${sender}: an earlier attempt was interrupted and may have sent it`;
      }
      const subject = a.subject ?? `Auto: ${facts.subject}`;
      const headers: Record<string, string> = { 'Auto-Submitted': 'auto-replied' };
      const references = [...facts.references, ...(facts.messageId ? [facts.messageId] : [])];
      const from = a.from ?? deps.from;
      const base = {
        envelope: { from: '', to: [sender] },
        from,
        to: sender,
        subject,
        headers,
        ...(facts.messageId !== undefined && { inReplyTo: facts.messageId }),
        ...(references.length > 0 && { references }),
      };
      // :mime — the reason is a MIME entity (its own header and body): sent as the message's body part.
      const answer = await deps.smtp().send(a.mime ? { ...base, raw: mimeReply(base, a.reason) } : { ...base, text: a.reason });
      deps.memory.remember(lsender, handle, a.seconds, now);
      return `vacation reply sent to ${sender} (${answer})`;
    },
  };
}

/** With :mime the reason already holds MIME header fields; the outer header is ours. */
function mimeReply(m: { from: string; to: string; subject: string; headers: Record<string, string>; inReplyTo?: string; references?: readonly string[] }, reason: string): string {
  const encode = (s: string): string => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`);
  const lines = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${encode(m.subject)}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${crypto.randomUUID()}@${bareAddress(m.from).split("@")[1] ?? "mailsift.invalid"}>`,
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
    ...(m.references?.length ? [`References: ${m.references.join(' ')}`] : []),
    ...Object.entries(m.headers).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
  ];
  return `${lines.join('\r\n')}\r\n${reason.replace(/\r?\n/g, '\r\n')}`;
}
