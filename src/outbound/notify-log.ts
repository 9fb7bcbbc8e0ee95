/**
 * The record of notifications (state database, table `notify_log`): what the rate limits,
 * the dedup window and `mailsift status` read. A row is written *before* sending
 * ('pending'), in the same synchronous step as the limit checks, so two messages handled
 * at once cannot both squeeze under a limit; it becomes 'sent' or 'failed' afterwards.
 *
 * The table is created by the state database's migrations (src/state/schema.ts, migration 3),
 * so it exists in every database this class is given. Dropping its rows loses only rate-limit
 * history: the exactly-once guarantee is the action ledger's, not this table's.
 */
import type Database from 'better-sqlite3';

export type NotifyStatus = 'pending' | 'sent' | 'failed' | 'suppressed';

export interface NotifyLogEntry {
  readonly at: number;
  readonly channel: 'sms' | 'mail';
  readonly target: string;
  /** The rule's own limit key, when it set one (`:options ["max-per-hour=N"]`). */
  readonly rule?: string;
  readonly sender?: string;
  readonly status: NotifyStatus;
  readonly detail?: string;
}

const HOUR = 3_600_000;

export class NotifyLog {
  private readonly insert: Database.Statement;
  private readonly finishStmt: Database.Statement;
  private readonly countAll: Database.Statement;
  private readonly countChannel: Database.Statement;
  private readonly countRule: Database.Statement;
  private readonly recent: Database.Statement;
  private readonly pruneStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare('INSERT INTO notify_log (at, channel, target, rule, sender, status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.finishStmt = db.prepare('UPDATE notify_log SET status = ?, detail = ? WHERE id = ?');
    const live = `status IN ('pending', 'sent') AND at > ?`;
    this.countAll = db.prepare(`SELECT count(*) AS n FROM notify_log WHERE ${live}`);
    this.countChannel = db.prepare(`SELECT count(*) AS n FROM notify_log WHERE ${live} AND channel = ?`);
    this.countRule = db.prepare(`SELECT count(*) AS n FROM notify_log WHERE ${live} AND rule = ?`);
    this.recent = db.prepare(`SELECT 1 AS one FROM notify_log WHERE ${live} AND target = ? AND sender = ? LIMIT 1`);
    this.pruneStmt = db.prepare('DELETE FROM notify_log WHERE at <= ?');
  }

  /** Notifications sent (or being sent) in the hour before `now`: all, one channel, or one rule. */
  lastHour(now: number, filter: { channel?: 'sms' | 'mail'; rule?: string } = {}): number {
    const since = now - HOUR;
    const row = (filter.rule !== undefined ? this.countRule.get(since, filter.rule) : filter.channel ? this.countChannel.get(since, filter.channel) : this.countAll.get(since)) as { n: number };
    return row.n;
  }

  /** Was `target` notified about mail from `sender` after `since`? */
  notifiedSince(target: string, sender: string, since: number): boolean {
    return this.recent.get(since, target, sender) !== undefined;
  }

  /** Record one notification; returns its id for `finish`. */
  add(e: NotifyLogEntry): number {
    return Number(this.insert.run(e.at, e.channel, e.target, e.rule ?? null, e.sender ?? null, e.status, e.detail ?? null).lastInsertRowid);
  }

  finish(id: number, status: Exclude<NotifyStatus, 'pending'>, detail?: string): void {
    this.finishStmt.run(status, detail ?? null, id);
  }

  /** Run `fn` atomically (checks and the pending row together). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  entries(): NotifyLogEntry[] {
    return (this.db.prepare('SELECT at, channel, target, rule, sender, status, detail FROM notify_log ORDER BY id').all() as Record<string, unknown>[]).map((r) => ({
      at: r.at as number,
      channel: r.channel as 'sms' | 'mail',
      target: r.target as string,
      ...(r.rule !== null && { rule: r.rule as string }),
      ...(r.sender !== null && { sender: r.sender as string }),
      status: r.status as NotifyStatus,
      ...(r.detail !== null && { detail: r.detail as string }),
    }));
  }

  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
