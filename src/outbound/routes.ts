/**
 * Which SMTP server sends the mail that a message's rules cause (redirect, vacation, notify
 * mailto): the account's own `[accounts.NAME.smtp]` when it has one, else the global
 * `[outgoing]` (docs/configuration.md). One route per server, built on first use; the handlers
 * of a route are built once and shared by every message that takes it, so a route keeps one
 * nodemailer transport and its `from` is the sender and X-Loop address of that account.
 */
import type { Account, OutgoingConfig } from '../config/types.js';
import { createSmtpSender, type SmtpSender, type SmtpSenderOptions } from './smtp.js';

export interface SmtpRoute {
  /** Where the settings come from, for messages: `[outgoing]` or `[accounts.NAME.smtp]`. */
  readonly section: string;
  readonly config: OutgoingConfig;
  /** The sender, opened on first use. */
  smtp(): SmtpSender;
}

/** The account's own submission settings, when its type has them. */
function accountSmtp(account: Account | undefined): OutgoingConfig | undefined {
  return account !== undefined && 'smtp' in account ? account.smtp : undefined;
}

export interface SmtpRoutes {
  /** The route for mail caused by a message of `account`; undefined when neither it nor `[outgoing]` configures one. */
  forAccount(account: string): SmtpRoute | undefined;
  /** Every `from` any route uses: the owner's own addresses (never redirected to, never answered). */
  readonly fromAddresses: readonly string[];
  readonly any: boolean;
  close(): void;
}

export function createSmtpRoutes(accounts: Readonly<Record<string, Account>>, outgoing: OutgoingConfig | undefined, options: SmtpSenderOptions = {}): SmtpRoutes {
  const built = new Map<string, SmtpRoute & { sender?: SmtpSender }>();
  const route = (key: string, section: string, config: OutgoingConfig): SmtpRoute => {
    let r = built.get(key);
    if (!r) {
      const entry: SmtpRoute & { sender?: SmtpSender } = {
        section,
        config,
        smtp: () => (entry.sender ??= createSmtpSender(config, { ...options, section })),
      };
      built.set(key, entry);
      r = entry;
    }
    return r;
  };
  const own = Object.values(accounts).flatMap((a) => {
    const s = accountSmtp(a);
    return s ? [s.from] : [];
  });
  return {
    forAccount(name) {
      const a = Object.hasOwn(accounts, name) ? accounts[name] : undefined;
      const s = accountSmtp(a);
      if (s) return route(`account\u0000${name}`, `[accounts.${name}.smtp]`, s);
      return outgoing ? route('', '[outgoing]', outgoing) : undefined;
    },
    fromAddresses: [...(outgoing ? [outgoing.from] : []), ...own],
    any: outgoing !== undefined || own.length > 0,
    close() {
      for (const r of built.values()) r.sender?.close();
    },
  };
}
