/**
 * The action ledger: side effects that must not happen twice (STYLE.md habit 15).
 * Before an action the executor calls `begin(key)`; it commits a `started` row
 * at once, so that row is on disk before the side effect happens. After it,
 * `complete` or `fail`. A crash in between leaves `started`, and the next
 * `begin` answers `in-doubt`: the action may or may not have happened, and the
 * executor decides how to check (look for the message in the target mailbox,
 * skip a notification, ...).
 *
 *   begin: no row → insert started → 'run'
 *          started → attempts + 1 → 'in-doubt'
 *          failed  → started again, attempts + 1 → 'run'  (a recorded failure
 *                    means the action did not happen, so it may be retried)
 *          done    → 'done' (nothing changes)
 *
 * Do not call `begin` inside `inTransaction`: its row would only be committed
 * with the outer transaction, and a crash during the side effect would lose it.
 * Use `inTransaction` for the synchronous bookkeeping after the side effects
 * (the last `complete` + the checkpoint + the processed-log row, together).
 */
import type Database from 'better-sqlite3';
import { MailsiftError } from '../errors.js';
import { opt } from './rows.js';
import { isSqliteError, sqliteReason } from './sqlite-errors.js';

/**
 * Which action on which message. Every source fits: IMAP (account, mailbox,
 * UIDVALIDITY, UID), POP3 (account, '', '', UIDL), SMTP intake (account, '', '',
 * queue id), local files (account, folder, '', file name).
 */
export interface LedgerKey {
  readonly source: string;
  readonly folder: string;
  readonly uidvalidity: string;
  readonly uid: string;
  /** The executor's name for the action, stable across runs: `fileinto:Lists/dev`, `redirect:a@b`, `notify:sms:+1555…`. */
  readonly action: string;
}

export type LedgerState = 'started' | 'done' | 'failed';
export type BeginResult = 'run' | 'done' | 'in-doubt';

export interface LedgerEntry extends LedgerKey {
  readonly state: LedgerState;
  /** How many times `begin` let it run or reported it in doubt: a crash loop shows here. */
  readonly attempts: number;
  readonly detail?: string;
  readonly error?: string;
  readonly startedAt: number;
  readonly finishedAt?: number;
}

interface Row {
  source: string;
  folder: string;
  uidvalidity: string;
  uid: string;
  action: string;
  state: LedgerState;
  attempts: number;
  detail: string | null;
  error: string | null;
  started_at: number;
  finished_at: number | null;
}

/** Error and detail texts are for people; keep rows small. */
const MAX_TEXT = 2_000;
const clip = (s: string): string => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);

const KEY_WHERE = 'source = @source AND folder = @folder AND uidvalidity = @uidvalidity AND uid = @uid AND action = @action';
const COLUMNS = 'source, folder, uidvalidity, uid, action, state, attempts, detail, error, started_at, finished_at';

function keyParams(key: LedgerKey): Record<string, string> {
  for (const f of ['source', 'folder', 'uidvalidity', 'uid', 'action'] as const) {
    if (typeof key[f] !== 'string') throw new MailsiftError('STATE_MISUSE', `ledger key field ${f} must be a string, not ${typeof key[f]}`);
  }
  if (key.action === '' || key.uid === '') throw new MailsiftError('STATE_MISUSE', 'ledger key needs a uid and an action');
  return { source: key.source, folder: key.folder, uidvalidity: key.uidvalidity, uid: key.uid, action: key.action };
}

function toEntry(r: Row): LedgerEntry {
  return {
    source: r.source,
    folder: r.folder,
    uidvalidity: r.uidvalidity,
    uid: r.uid,
    action: r.action,
    state: r.state,
    attempts: r.attempts,
    ...opt('detail', r.detail),
    ...opt('error', r.error),
    startedAt: r.started_at,
    ...opt('finishedAt', r.finished_at),
  };
}

/** The key for an IMAP message: UIDVALIDITY (BigInt from imapflow) and UID as decimal strings. */
export function imapLedgerKey(account: string, mailbox: string, uidvalidity: bigint | number | string, uid: number, action: string): LedgerKey {
  return { source: account, folder: mailbox, uidvalidity: String(uidvalidity), uid: String(uid), action };
}

export class Ledger {
  private readonly getStmt: Database.Statement<[Record<string, string>], Row>;
  private readonly insertStmt: Database.Statement<[Record<string, unknown>]>;
  private readonly restartStmt: Database.Statement<[Record<string, unknown>]>;
  private readonly completeStmt: Database.Statement<[Record<string, unknown>]>;
  private readonly failStmt: Database.Statement<[Record<string, unknown>]>;
  private readonly unfinishedStmt: Database.Statement<[], Row>;
  private readonly unfinishedSourceStmt: Database.Statement<[string], Row>;
  private readonly pruneStmt: Database.Statement<[number]>;
  private readonly beginTxn: (params: Record<string, string>) => BeginResult;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM ledger WHERE ${KEY_WHERE}`);
    this.insertStmt = db.prepare(
      `INSERT INTO ledger (source, folder, uidvalidity, uid, action, state, attempts, started_at)
       VALUES (@source, @folder, @uidvalidity, @uid, @action, 'started', 1, @now)`,
    );
    this.restartStmt = db.prepare(
      `UPDATE ledger SET state = 'started', attempts = attempts + 1, error = NULL, finished_at = NULL,
         started_at = CASE WHEN state = 'failed' THEN @now ELSE started_at END
       WHERE ${KEY_WHERE}`,
    );
    this.completeStmt = db.prepare(`UPDATE ledger SET state = 'done', detail = @detail, error = NULL, finished_at = @now WHERE ${KEY_WHERE}`);
    this.failStmt = db.prepare(`UPDATE ledger SET state = 'failed', error = @error, finished_at = @now WHERE ${KEY_WHERE} AND state <> 'done'`);
    this.unfinishedStmt = db.prepare(`SELECT ${COLUMNS} FROM ledger WHERE state <> 'done' ORDER BY started_at, source, folder, uidvalidity, uid, action`);
    this.unfinishedSourceStmt = db.prepare(`SELECT ${COLUMNS} FROM ledger WHERE source = ? AND state <> 'done' ORDER BY started_at, folder, uidvalidity, uid, action`);
    this.pruneStmt = db.prepare(`DELETE FROM ledger WHERE state <> 'started' AND finished_at < ?`);

    const txn = db.transaction((params: Record<string, string>): BeginResult => {
      const row = this.getStmt.get(params);
      if (row === undefined) {
        this.insertStmt.run({ ...params, now: this.now() });
        return 'run';
      }
      if (row.state === 'done') return 'done';
      this.restartStmt.run({ ...params, now: this.now() });
      return row.state === 'started' ? 'in-doubt' : 'run';
    });
    // IMMEDIATE: the read-then-write must not lose a race against another writer.
    this.beginTxn = (params) => txn.immediate(params);
  }

  /**
   * A write SQLite refused (SQLITE_FULL on a full disk, an I/O error, a lock held too long), as
   * STATE_UNWRITABLE naming the database: the executors pass a MailsiftError on as it is, and
   * the daemon then keeps the message and retries, instead of reporting an IMAP or store failure.
   */
  private write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (!isSqliteError(err)) throw err;
      throw new MailsiftError('STATE_UNWRITABLE', `cannot write the state database ${this.db.name}: ${sqliteReason(err)}`, { cause: err });
    }
  }

  /** See the file comment. Commits before returning (unless called inside a transaction, which you should not). Throws STATE_UNWRITABLE when the row cannot be written. */
  begin(key: LedgerKey): BeginResult {
    const params = keyParams(key);
    return this.write(() => this.beginTxn(params));
  }

  /** Mark done, with an optional detail for people ("moved to Lists/dev as UID 812"). Throws STATE_MISUSE without a prior begin. */
  complete(key: LedgerKey, detail?: string): void {
    const params = keyParams(key);
    if (this.write(() => this.completeStmt.run({ ...params, detail: detail === undefined ? null : clip(detail), now: this.now() })).changes === 0) {
      throw new MailsiftError('STATE_MISUSE', `ledger.complete(${describe(key)}) without begin()`);
    }
  }

  /**
   * Mark failed: the action did NOT happen (use it only when sure; if unsure,
   * leave the row started). A later begin() runs it again. `error` must not
   * contain secrets. Failing a done row changes nothing.
   */
  fail(key: LedgerKey, error: string): void {
    const params = keyParams(key);
    if (this.write(() => this.failStmt.run({ ...params, error: clip(error), now: this.now() })).changes === 0 && this.get(key) === undefined) {
      throw new MailsiftError('STATE_MISUSE', `ledger.fail(${describe(key)}) without begin()`);
    }
  }

  get(key: LedgerKey): LedgerEntry | undefined {
    const row = this.getStmt.get(keyParams(key));
    return row === undefined ? undefined : toEntry(row);
  }

  /** Run `fn` in one transaction (nested calls become savepoints). `fn` must be synchronous. */
  inTransaction<T>(fn: () => T): T {
    return this.db.inTransaction ? this.db.transaction(fn)() : this.db.transaction(fn).immediate();
  }

  /** Rows not done (started = in doubt, failed), oldest first: for startup reports and `mailsift status`. */
  unfinished(source?: string): LedgerEntry[] {
    return (source === undefined ? this.unfinishedStmt.all() : this.unfinishedSourceStmt.all(source)).map(toEntry);
  }

  /** Delete done and failed rows finished before `before` (ms). In-doubt rows are kept. Returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}

function describe(k: LedgerKey): string {
  return `${k.source}/${k.folder}/${k.uidvalidity}/${k.uid} ${k.action}`;
}
