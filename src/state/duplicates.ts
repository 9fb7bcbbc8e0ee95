/**
 * RFC 7352 duplicate tracking: ids (Message-ID, a header value, :uniqueid) per
 * handle, each with an expiry. The runtime asks `seen` through a `duplicate`
 * HostQuery; after the script succeeded the host calls `remember` for each of
 * RunResult.duplicates (the runtime already applied :last: it only returns
 * marks that must be (re)stored, so `remember` always sets the new expiry).
 *
 * One store for all accounts: they belong to one user, and catching the same
 * list mail delivered to two of them is what the extension is for (§1). Scripts
 * that want separate tracking use :handle.
 */
import type Database from 'better-sqlite3';

export class Duplicates {
  private readonly seenStmt: Database.Statement<[string, string, number], { one: number }>;
  private readonly rememberStmt: Database.Statement<[string, string, number]>;
  private readonly purgeStmt: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.seenStmt = db.prepare('SELECT 1 AS one FROM duplicates WHERE handle = ? AND id = ? AND expires_at > ?');
    this.rememberStmt = db.prepare(
      `INSERT INTO duplicates (handle, id, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (handle, id) DO UPDATE SET expires_at = excluded.expires_at`,
    );
    this.purgeStmt = db.prepare('DELETE FROM duplicates WHERE expires_at <= ?');
  }

  /** Was `id` remembered under `handle` and not yet expired at `now` (ms)? */
  seen(id: string, handle: string, now: number): boolean {
    return this.seenStmt.get(handle, id, now) !== undefined;
  }

  /** Remember `id` under `handle` until `now + seconds` (replacing an older expiry). */
  remember(id: string, handle: string, seconds: number, now: number): void {
    this.rememberStmt.run(handle, id, now + Math.max(0, Math.round(seconds * 1000)));
  }

  /** Delete expired ids; returns how many. */
  purgeExpired(now: number): number {
    return this.purgeStmt.run(now).changes;
  }
}
