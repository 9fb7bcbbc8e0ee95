/**
 * What `mailsift status` shows: a log of processed messages, and one status row
 * per (account, mailbox) with how it is watched, when it last saw an event, the
 * last error, how many messages it processed and how far behind it is. Written
 * by the daemon, read by other processes at the same time (WAL allows that).
 */
import type Database from 'better-sqlite3';
import { opt } from './rows.js';
import { isWriteRefusal } from './sqlite-errors.js';

/** How a mailbox is being watched right now. */
export type WatchMode = 'notify' | 'idle' | 'poll' | 'schedule' | 'listen' | 'offline';
/** ok: the actions ran; error: they failed or the rules did (the message was kept); skipped: not run (too large, in doubt, ...). */
export type ProcessedStatus = 'ok' | 'error' | 'skipped';

export interface ProcessedInput {
  readonly account: string;
  readonly mailbox: string;
  readonly uid: string;
  readonly messageId?: string;
  readonly from?: string;
  readonly subject?: string;
  /** Human summary of the actions: `fileinto "Lists/dev"; addflag \\Seen`, or `keep`. */
  readonly actions: string;
  /** Line of the rule that decided the disposition, when known. */
  readonly ruleLine?: number;
  readonly status: ProcessedStatus;
  readonly error?: string;
  /** Default: now. */
  readonly at?: number;
  /** Time since the message arrived, for the status row's lag. */
  readonly lagMs?: number;
}

export interface ProcessedEntry extends Omit<ProcessedInput, 'lagMs' | 'at'> {
  readonly id: number;
  readonly at: number;
}

export interface MailboxStatus {
  readonly account: string;
  readonly mailbox: string;
  readonly mode: WatchMode;
  readonly lastEventAt?: number;
  readonly lastError?: string;
  readonly lastErrorAt?: number;
  readonly processedCount: number;
  readonly lagMs?: number;
  readonly updatedAt: number;
}

/** Fields to change; `null` clears lastError. */
export interface StatusPatch {
  readonly mode?: WatchMode;
  readonly lastEventAt?: number;
  readonly lastError?: string | null;
  readonly lagMs?: number;
}

interface ProcessedRow {
  id: number;
  account: string;
  mailbox: string;
  uid: string;
  message_id: string | null;
  from_addr: string | null;
  subject: string | null;
  actions: string;
  rule_line: number | null;
  status: ProcessedStatus;
  error: string | null;
  at: number;
}

interface StatusRow {
  account: string;
  mailbox: string;
  mode: WatchMode;
  last_event_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  processed_count: number;
  lag_ms: number | null;
  updated_at: number;
}

const MAX_TEXT = 1_000;
function clip(s: string | undefined): string | null {
  if (s === undefined) return null;
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

function toProcessed(r: ProcessedRow): ProcessedEntry {
  return {
    id: r.id,
    account: r.account,
    mailbox: r.mailbox,
    uid: r.uid,
    ...opt('messageId', r.message_id),
    ...opt('from', r.from_addr),
    ...opt('subject', r.subject),
    actions: r.actions,
    ...opt('ruleLine', r.rule_line),
    status: r.status,
    ...opt('error', r.error),
    at: r.at,
  };
}

function toStatus(r: StatusRow): MailboxStatus {
  return {
    account: r.account,
    mailbox: r.mailbox,
    mode: r.mode,
    ...opt('lastEventAt', r.last_event_at),
    ...opt('lastError', r.last_error),
    ...opt('lastErrorAt', r.last_error_at),
    processedCount: r.processed_count,
    ...opt('lagMs', r.lag_ms),
    updatedAt: r.updated_at,
  };
}

const STATUS_COLUMNS = 'account, mailbox, mode, last_event_at, last_error, last_error_at, processed_count, lag_ms, updated_at';
const PROCESSED_COLUMNS = 'id, account, mailbox, uid, message_id, from_addr, subject, actions, rule_line, status, error, at';

export class Events {
  private readonly insertProcessed: Database.Statement<[Record<string, unknown>]>;
  private readonly getStatus: Database.Statement<[string, string], StatusRow>;
  private readonly patchStatus: Database.Statement<[Record<string, unknown>]>;
  private readonly allStatuses: Database.Statement<[], StatusRow>;
  private readonly recentAll: Database.Statement<[number], ProcessedRow>;
  private readonly recentAccount: Database.Statement<[string, number], ProcessedRow>;
  private readonly recentMailbox: Database.Statement<[string, string, number], ProcessedRow>;
  private readonly pruneStmt: Database.Statement<[number]>;
  private readonly logTxn: Database.Transaction<(e: ProcessedInput) => number>;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
  ) {
    this.insertProcessed = db.prepare(
      `INSERT INTO processed (account, mailbox, uid, message_id, from_addr, subject, actions, rule_line, status, error, at)
       VALUES (@account, @mailbox, @uid, @messageId, @from, @subject, @actions, @ruleLine, @status, @error, @at)`,
    );
    this.getStatus = db.prepare(`SELECT ${STATUS_COLUMNS} FROM mailbox_status WHERE account = ? AND mailbox = ?`);
    // One statement patches the row in place (no SELECT first, no savepoint of its own): it
    // runs for every message the SMTP intake accepts, before the 250. Absent fields (NULL)
    // keep the stored value; @errorSet says whether last_error is to be set (to NULL: cleared).
    this.patchStatus = db.prepare(
      `INSERT INTO mailbox_status (${STATUS_COLUMNS})
       VALUES (@account, @mailbox, coalesce(@mode, 'offline'), @lastEventAt,
               CASE WHEN @errorSet THEN @lastError END, CASE WHEN @errorSet AND @lastError IS NOT NULL THEN @now END,
               @count, @lagMs, @now)
       ON CONFLICT (account, mailbox) DO UPDATE SET
         mode = coalesce(@mode, mode), last_event_at = coalesce(@lastEventAt, last_event_at),
         last_error = CASE WHEN @errorSet THEN @lastError ELSE last_error END,
         last_error_at = CASE WHEN @errorSet THEN (CASE WHEN @lastError IS NULL THEN NULL ELSE @now END) ELSE last_error_at END,
         processed_count = processed_count + @count, lag_ms = coalesce(@lagMs, lag_ms), updated_at = @now`,
    );
    this.allStatuses = db.prepare(`SELECT ${STATUS_COLUMNS} FROM mailbox_status ORDER BY account, mailbox`);
    this.recentAll = db.prepare(`SELECT ${PROCESSED_COLUMNS} FROM processed ORDER BY id DESC LIMIT ?`);
    this.recentAccount = db.prepare(`SELECT ${PROCESSED_COLUMNS} FROM processed WHERE account = ? ORDER BY id DESC LIMIT ?`);
    this.recentMailbox = db.prepare(`SELECT ${PROCESSED_COLUMNS} FROM processed WHERE account = ? AND mailbox = ? ORDER BY id DESC LIMIT ?`);
    this.pruneStmt = db.prepare('DELETE FROM processed WHERE at < ?');

    this.logTxn = db.transaction((e: ProcessedInput): number => {
      const at = e.at ?? this.now();
      const id = this.insertProcessed.run({
        account: e.account,
        mailbox: e.mailbox,
        uid: e.uid,
        messageId: clip(e.messageId),
        from: clip(e.from),
        subject: clip(e.subject),
        actions: clip(e.actions) ?? '',
        ruleLine: e.ruleLine ?? null,
        status: e.status,
        error: clip(e.error),
        at,
      }).lastInsertRowid;
      this.patch(e.account, e.mailbox, { lastEventAt: at, ...(e.status === 'error' && e.error !== undefined ? { lastError: e.error } : {}), ...(e.lagMs !== undefined ? { lagMs: e.lagMs } : {}) }, true);
      return Number(id);
    });
  }

  /** Append to the processed log and bump the mailbox's status row (count, last event, lag, error), atomically. Returns the row id. */
  logProcessed(entry: ProcessedInput): number {
    return this.logTxn(entry);
  }

  /**
   * Update (or create) a mailbox's status row: `setStatus('work', 'INBOX', { mode: 'idle', lastError: null })`.
   * Outside a transaction, a database that refuses the write (a full disk) is passed over: the
   * row only feeds `mailsift status`, and its callers (connection events, shutdown) must not
   * fail for it. Writes that matter (ledger, checkpoints) still fail and are reported there.
   */
  setStatus(account: string, mailbox: string, patch: StatusPatch): void {
    try {
      this.patch(account, mailbox, patch, false);
    } catch (err) {
      if (this.patchStatus.database.inTransaction || !isWriteRefusal(err)) throw err;
    }
  }

  private patch(account: string, mailbox: string, patch: StatusPatch, countProcessed: boolean): void {
    this.patchStatus.run({
      account,
      mailbox,
      mode: patch.mode ?? null,
      lastEventAt: patch.lastEventAt ?? null,
      errorSet: patch.lastError === undefined ? 0 : 1,
      lastError: patch.lastError === undefined || patch.lastError === null ? null : clip(patch.lastError),
      count: countProcessed ? 1 : 0,
      lagMs: patch.lagMs ?? null,
      now: this.now(),
    });
  }

  statuses(): MailboxStatus[] {
    return this.allStatuses.all().map(toStatus);
  }

  status(account: string, mailbox: string): MailboxStatus | undefined {
    const row = this.getStatus.get(account, mailbox);
    return row === undefined ? undefined : toStatus(row);
  }

  /** Newest first. */
  recent(options: { limit?: number; account?: string; mailbox?: string } = {}): ProcessedEntry[] {
    const limit = options.limit ?? 50;
    const rows =
      options.account === undefined
        ? this.recentAll.all(limit)
        : options.mailbox === undefined
          ? this.recentAccount.all(options.account, limit)
          : this.recentMailbox.all(options.account, options.mailbox, limit);
    return rows.map(toProcessed);
  }

  /** Delete log rows older than `before` (ms). Status rows stay. Returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
