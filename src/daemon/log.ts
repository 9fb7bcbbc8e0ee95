/**
 * The daemon's log: one line per message (account, mailbox, UID, From, Subject, the actions
 * and the rule line that decided them) and one line per connection event or error. Text for
 * people, or one JSON object per line (`--log-format json`) for log shippers.
 *
 * Secrets never reach this module: account configs carry only where a password comes from,
 * and MailsiftErrors from the connectors name account, host and user, never the password.
 */

export type LogFormat = 'text' | 'json';
export type LogLevel = 'info' | 'warn' | 'error';

/** One processed message. */
export interface MessageLogEntry {
  readonly account: string;
  readonly mailbox: string;
  readonly uid: number;
  readonly from?: string;
  readonly subject?: string;
  readonly messageId?: string;
  /** Human descriptions of the actions, in order (`fileinto "Lists/dev"`, `keep (implicit)`). */
  readonly actions: readonly string[];
  /** Line of the rule that decided the disposition; absent for the implicit keep. */
  readonly ruleLine?: number;
  /** ok: the actions ran (or were already done); error: rules or executor failed, the message stayed; skipped: not evaluated. */
  readonly status: 'ok' | 'error' | 'skipped';
  readonly error?: string;
  /** A sweep or `--dry-run`: nothing was changed. */
  readonly dryRun?: boolean;
  /** Operations the ledger reported as done before (a restart, a second sweep). */
  readonly alreadyDone?: number;
}

export interface LogFields {
  readonly account?: string;
  readonly mailbox?: string;
  /** The MailsiftError code, for errors. */
  readonly code?: string;
  readonly [key: string]: unknown;
}

export interface DaemonLogger {
  message(entry: MessageLogEntry): void;
  event(level: LogLevel, text: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  readonly format?: LogFormat;
  /** Where each finished line goes (without the newline added: it is included). Default: stdout. */
  readonly write?: (line: string) => void;
  /** Text format: prefix lines with an ISO time. Default: on, except under systemd (JOURNAL_STREAM), which stamps lines itself. */
  readonly timestamps?: boolean;
  /** Text format: prefix lines with `<3>`/`<4>`/`<6>` so journald records their priority (sd-daemon(3)). Default: under systemd. */
  readonly syslogPrefix?: boolean;
  readonly now?: () => Date;
}

/** `"…"` with quotes, backslashes and control characters escaped; long values cut. */
export function quoted(text: string, max = 120): string {
  const one = text.replace(/\s+/g, ' ').trim();
  const cut = one.length > max ? `${one.slice(0, max - 1)}…` : one;
  return JSON.stringify(cut);
}

/** A mailbox name as is, or quoted when it has spaces or quotes. */
function mailboxName(name: string): string {
  return /^[^\s"]+$/.test(name) ? name : JSON.stringify(name);
}

export function formatMessageText(e: MessageLogEntry): string {
  const head = `${e.account} ${mailboxName(e.mailbox)} uid=${e.uid} from=${quoted(e.from ?? '')} subject=${quoted(e.subject ?? '')}`;
  if (e.status === 'skipped') return `${head} → skipped: ${e.error ?? 'not evaluated'}`;
  const actions = e.actions.length ? e.actions.join('; ') : 'keep';
  const rule = e.ruleLine !== undefined ? ` (rule line ${e.ruleLine})` : '';
  const already = e.alreadyDone ? ` [${e.alreadyDone} already done]` : '';
  const dry = e.dryRun ? ' [dry run]' : '';
  const error = e.status === 'error' ? ` — failed, message kept: ${e.error ?? 'unknown error'}` : '';
  return `${head} → ${actions}${rule}${already}${dry}${error}`;
}

/** What the daemon runs, counted for its startup line. */
export interface RunningCounts {
  /** IMAP accounts with at least one `[[watch]]`, and those watches. */
  readonly imapAccounts: number;
  readonly imapWatches: number;
  readonly pop3Accounts: number;
  readonly smtpIntakes: number;
  /** Scheduled `[[sweep]]`s. */
  readonly sweeps: number;
}

function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * "1 IMAP account (2 watches), 1 POP3 account, 1 SMTP intake, 1 sweep": only what runs, so a
 * POP3-only or intake-only setup does not read as "0 accounts".
 */
export function describeRunning(c: RunningCounts): string {
  const parts: string[] = [];
  if (c.imapAccounts > 0) parts.push(`${counted(c.imapAccounts, 'IMAP account')} (${counted(c.imapWatches, 'watch', 'watches')})`);
  if (c.pop3Accounts > 0) parts.push(counted(c.pop3Accounts, 'POP3 account'));
  if (c.smtpIntakes > 0) parts.push(counted(c.smtpIntakes, 'SMTP intake'));
  if (c.sweeps > 0) parts.push(counted(c.sweeps, 'sweep'));
  return parts.length > 0 ? parts.join(', ') : 'nothing to watch and no sweeps';
}

/** syslog priorities: err, warning, info. */
const PRIORITY: Record<LogLevel, string> = { error: '<3>', warn: '<4>', info: '<6>' };

export function createLogger(options: LoggerOptions = {}): DaemonLogger {
  const format = options.format ?? 'text';
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const stamps = options.timestamps ?? !process.env.JOURNAL_STREAM;
  const priorities = options.syslogPrefix ?? !!process.env.JOURNAL_STREAM;
  const now = options.now ?? (() => new Date());
  const text = (line: string, level: LogLevel = 'info') =>
    write(`${priorities ? PRIORITY[level] : ''}${stamps ? `${now().toISOString()} ` : ''}${line}\n`);
  const json = (obj: Record<string, unknown>) => write(`${JSON.stringify({ time: now().toISOString(), ...obj }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
  return {
    message(e) {
      if (format === 'json') json({ level: e.status === 'error' ? 'warn' : 'info', event: 'message', ...e });
      else text(formatMessageText(e), e.status === 'error' ? 'warn' : 'info');
    },
    event(level, message, fields = {}) {
      if (format === 'json') json({ level, event: 'log', msg: message, ...fields });
      else text(`${level === 'info' ? '' : `${level === 'warn' ? 'warning' : 'error'}: `}${fields.code ? `[${fields.code}] ` : ''}${message}`, level);
    },
  };
}

/** A logger that keeps everything, for tests and for `mailsift sweep` summaries. */
export class MemoryLogger implements DaemonLogger {
  readonly messages: MessageLogEntry[] = [];
  readonly events: { level: LogLevel; text: string; fields: LogFields }[] = [];

  constructor(private readonly forward?: DaemonLogger) {}

  message(entry: MessageLogEntry): void {
    this.messages.push(entry);
    this.forward?.message(entry);
  }

  event(level: LogLevel, text: string, fields: LogFields = {}): void {
    this.events.push({ level, text, fields });
    this.forward?.event(level, text, fields);
  }
}
