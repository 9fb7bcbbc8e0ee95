/**
 * Which POP3 messages were processed, by UIDL (RFC 1939 §7: unique per maildrop and stable
 * across sessions), in the state database's `pop3_uidls` table (schema migration 2).
 *
 * A row is written in the same transaction as the processed-log entry, after the message's
 * actions ran, so a message is processed once. `delete_due` marks one to DELE: it stays set
 * until a QUIT confirmed the deletion (then the row is dropped, the UIDL being gone from the
 * server). A session that dies before QUIT deletes nothing, and the next session DELEs again.
 */
import type Database from 'better-sqlite3';

export interface UidlRow {
  readonly uidl: string;
  readonly status: 'ok' | 'error';
  readonly deleteDue: boolean;
}

export class UidlStore {
  private readonly allStmt: Database.Statement<[string], { uidl: string; status: 'ok' | 'error'; delete_due: number }>;
  private readonly putStmt: Database.Statement<[Record<string, unknown>]>;
  private readonly dropStmt: Database.Statement<[string, string]>;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    this.allStmt = db.prepare('SELECT uidl, status, delete_due FROM pop3_uidls WHERE account = ?');
    this.putStmt = db.prepare(
      `INSERT INTO pop3_uidls (account, uidl, status, delete_due, processed_at) VALUES (@account, @uidl, @status, @deleteDue, @now)
       ON CONFLICT (account, uidl) DO UPDATE SET status = excluded.status, delete_due = excluded.delete_due, processed_at = excluded.processed_at`,
    );
    this.dropStmt = db.prepare('DELETE FROM pop3_uidls WHERE account = ? AND uidl = ?');
  }

  /** Every recorded UIDL of the account. */
  all(account: string): Map<string, UidlRow> {
    return new Map(this.allStmt.all(account).map((r) => [r.uidl, { uidl: r.uidl, status: r.status, deleteDue: r.delete_due === 1 }]));
  }

  /** Record a processed message (call inside the processing transaction). */
  record(account: string, uidl: string, status: 'ok' | 'error', deleteDue: boolean): void {
    this.putStmt.run({ account, uidl, status, deleteDue: deleteDue ? 1 : 0, now: this.now() });
  }

  /**
   * Forget UIDLs the server no longer lists (deleted by us or by another client): a server
   * may reuse a UIDL only for a new message once the old one is gone (RFC 1939 §7 allows
   * reuse in principle), so a stale row could hide a new message.
   */
  forgetAllBut(account: string, listed: ReadonlySet<string>): number {
    let n = 0;
    const txn = this.db.transaction(() => {
      for (const uidl of this.all(account).keys()) {
        if (!listed.has(uidl)) n += this.dropStmt.run(account, uidl).changes;
      }
    });
    txn.immediate();
    return n;
  }

  /** The deletion was confirmed by QUIT. */
  deleted(account: string, uidls: readonly string[]): void {
    const txn = this.db.transaction(() => {
      for (const u of uidls) this.dropStmt.run(account, u);
    });
    txn.immediate();
  }
}
