/**
 * The typed, validated configuration. Everything here is plain data with every
 * default filled in and every path expanded (`~`, `$VAR`, relative to the
 * config file), so callers never re-derive a default. docs/configuration.md
 * documents each field under its TOML name (snake_case); the TS names are the
 * camelCase of those, with the unit as a suffix where the TOML value is a string
 * like "60s" or "25MB" (`pollIntervalMs`, `maxSizeBytes`).
 */

export type TlsMode = 'implicit' | 'starttls' | 'none';
export const TLS_MODES: readonly TlsMode[] = ['implicit', 'starttls', 'none'];

/**
 * Where a password or token comes from: exactly one of `*_command`, `*_file`,
 * `*_env`. A literal password is never accepted in the file. Structurally this
 * is also a `SecretSpec`, so it can be passed to `resolveSecret` as it is.
 */
export type SecretRef =
  | { readonly kind: 'command'; readonly command: string }
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'env'; readonly env: string };

/** A server we connect to. `port` defaults from `tls`; `tls = "none"` needs loopback or `allowInsecure`. */
export interface ServerEndpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMode;
  readonly allowInsecure: boolean;
}

export interface ImapAccount extends ServerEndpoint {
  readonly type: 'imap';
  readonly name: string;
  readonly user: string;
  readonly password: SecretRef;
  /** What Sieve `discard` does: move to the special-use \Trash mailbox, or flag \Deleted and expunge. */
  readonly discard: 'trash' | 'expunge';
  /** How often to poll when the server has neither NOTIFY nor IDLE (and the IDLE re-issue period cap). */
  readonly pollIntervalMs: number;
  /** `[accounts.NAME.smtp]`: sends the mail this account's rules cause, instead of `[outgoing]`. */
  readonly smtp?: OutgoingConfig;
}

/** A local Maildir: a file-out target, and a source for `[[sweep]]`. */
export interface MaildirAccount {
  readonly type: 'maildir';
  readonly name: string;
  readonly path: string;
}

/** A local mbox file: a file-out target, and a source for `[[sweep]]`. */
export interface MboxAccount {
  readonly type: 'mbox';
  readonly name: string;
  readonly path: string;
}

/** A POP3 maildrop fetched on `schedule` when watched (src/daemon/pop3-account.ts, docs/pop3.md). */
export interface Pop3Account extends ServerEndpoint {
  readonly type: 'pop3';
  readonly name: string;
  readonly user: string;
  readonly password: SecretRef;
  /** Cron pattern (croner syntax) for when to fetch. */
  readonly schedule: string;
  readonly delete: 'after-delivery' | 'never';
  /**
   * Where kept mail is delivered (an imap, maildir or mbox account), also the account of a
   * `fileinto` without `:account`. Absent: kept mail stays on the POP3 server.
   */
  readonly deliverTo?: { readonly account: string; readonly mailbox: string };
  /** `[accounts.NAME.smtp]`: sends the mail this account's rules cause, instead of `[outgoing]`. */
  readonly smtp?: OutgoingConfig;
}

/** An SMTP listener whose mail runs through rules (src/daemon/smtp-intake-account.ts, docs/smtp-intake.md). */
export interface SmtpIntakeAccount {
  readonly type: 'smtp-intake';
  readonly name: string;
  readonly listenHost: string;
  readonly listenPort: number;
  /** Envelope recipients accepted; anything else is refused at RCPT TO. */
  readonly recipients: readonly string[];
  readonly maxSizeBytes: number;
  /** Where accepted mail is stored (keep → `mailbox`, fileinto → that folder); required once watched. */
  readonly target?: { readonly account: string; readonly mailbox: string };
  /** STARTTLS is offered with this key and certificate (PEM files). */
  readonly tls?: { readonly keyFile: string; readonly certFile: string };
  /** When present, AUTH (PLAIN/LOGIN) as one of these users is required before MAIL FROM. */
  readonly users?: readonly { readonly user: string; readonly password: SecretRef }[];
  /** `[accounts.NAME.smtp]`: sends the mail this account's rules cause, instead of `[outgoing]`. */
  readonly smtp?: OutgoingConfig;
}

export type Account = ImapAccount | MaildirAccount | MboxAccount | Pop3Account | SmtpIntakeAccount;
export type AccountType = Account['type'];
export const ACCOUNT_TYPES: readonly AccountType[] = ['imap', 'maildir', 'mbox', 'pop3', 'smtp-intake'];

/** Run `rules` on mail arriving in `mailboxes` of `account` (imap, pop3 or smtp-intake). */
export interface WatchConfig {
  readonly account: string;
  /** IMAP mailbox names or LIST patterns (`*`, `%`); `[]` for pop3 and smtp-intake accounts. */
  readonly mailboxes: readonly string[];
  readonly rules: string;
  /** `new`: only mail arriving after the first start; `all`: also what is already there. */
  readonly start: 'new' | 'all';
}

/** Run `rules` over every message of one mailbox on a cron schedule (imap, maildir or mbox). */
export interface SweepConfig {
  readonly account: string;
  /** Mailbox (imap) or folder (maildir; "INBOX" is the Maildir's root); "INBOX" for an mbox file. */
  readonly mailbox: string;
  readonly rules: string;
  readonly schedule: string;
}

/** The SMTP server for redirect, vacation and notify mailto: `[outgoing]`, or an account's own `[accounts.NAME.smtp]`. */
export interface OutgoingConfig extends ServerEndpoint {
  /** Absent means no SMTP AUTH (then there is no password either). */
  readonly user?: string;
  readonly password?: SecretRef;
  readonly from: string;
}

export interface SmsConfig {
  readonly provider: 'twilio';
  readonly accountSid: string;
  readonly authToken: SecretRef;
  /** E.164 number (`+15550001111`) or a Twilio messaging service SID (`MG…`). */
  readonly from: string;
}

/** Limits for every `notify` (mailto, sms, tel): src/outbound/notify.ts. */
export interface NotifyConfig {
  /** At most this many notifications per rolling hour, all methods together. */
  readonly maxPerHour: number;
  /** At most this many SMS (sms: and tel:) per rolling hour, all rules together. */
  readonly smsMaxPerHour: number;
  /** Notifications to the same target about mail from the same sender within this window: only the first is sent. 0 = off. */
  readonly dedupWindowMs: number;
  /** Minutes after midnight [start, end) in `timezone` when no notification is sent (end < start wraps midnight). */
  readonly quietHours?: { readonly startMinute: number; readonly endMinute: number };
  /** IANA zone for quiet hours; absent = the daemon's local time. */
  readonly timezone?: string;
}

/** vnd.dovecot.pipe: programs `pipe` may run (src/outbound/pipe.ts). */
export interface PipeConfig {
  /** Only programs directly in this directory run; no shell. */
  readonly dir: string;
  readonly timeoutMs: number;
  /** stdout + stderr beyond this kill the program (the pipe fails). */
  readonly maxOutputBytes: number;
}

/** `[pipe]`'s defaults, also what `mailsift test --execute-dir` runs programs with. */
export const PIPE_DEFAULTS = { timeoutMs: 30_000, maxOutputBytes: 64 * 1024 } as const;

/** A classifier model (docs/classify.md, "Learning from moves"). */
export interface ModelConfig {
  readonly name: string;
  /** The model's directory (holding model.sqlite). */
  readonly path: string;
  /** Bucket name → the folder of `account` that holds that bucket's mail. */
  readonly buckets: Readonly<Record<string, string>>;
  /** The IMAP account of the bucket folders; set whenever there are buckets. */
  readonly account?: string;
}

export interface StateConfig {
  /** Directory of `mailsift.db` and the logs. */
  readonly dir: string;
}

export interface Config {
  /** The file this came from (absolute), for messages. */
  readonly file: string;
  readonly state: StateConfig;
  /** By name, in file order. */
  readonly accounts: Readonly<Record<string, Account>>;
  readonly watch: readonly WatchConfig[];
  readonly sweep: readonly SweepConfig[];
  readonly outgoing?: OutgoingConfig;
  readonly sms?: SmsConfig;
  readonly notify?: NotifyConfig;
  readonly pipe?: PipeConfig;
  readonly models: Readonly<Record<string, ModelConfig>>;
}
