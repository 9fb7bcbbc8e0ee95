/**
 * The state database: one SQLite file `<state.dir>/mailsift.db` (better-sqlite3,
 * docs/dependencies.md §7). WAL so that `mailsift status` can read while the
 * daemon writes; synchronous=NORMAL, which survives process death (a power loss
 * may lose the last commits, never corrupt the file); busy_timeout so a
 * momentarily locked database waits instead of failing.
 *
 * The API is synchronous, like better-sqlite3: a transaction can never span an
 * `await`, which is what keeps "begin, act, complete" honest (see ledger.ts).
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MailsiftError } from '../errors.js';
import { describeFsError } from '../connectors/local/errors.js';
import { Checkpoints } from './checkpoints.js';
import { Duplicates } from './duplicates.js';
import { Events } from './events.js';
import { Ledger } from './ledger.js';
import { openReadOnlySqlite } from './read-only-open.js';
import { checkReadable, migrate } from './schema.js';

export const STATE_FILE_NAME = 'mailsift.db';

export interface OpenStateOptions {
  /**
   * For readers such as `mailsift status`: no directory creation, no migration, writes fail,
   * and nothing is created beside the file (no -wal or -shm), so it also works on a state
   * directory the reader may not write (read-only-open.ts).
   */
  readonly readonly?: boolean;
  /** Clock for timestamps (ms since epoch). Default Date.now. */
  readonly now?: () => number;
}

export interface MaintainOptions {
  readonly now?: number;
  /** Processed-log rows older than this are deleted. Default 30 days. */
  readonly keepEventsMs?: number;
  /** Done/failed ledger rows older than this are deleted (in-doubt rows never). Default 30 days. */
  readonly keepLedgerMs?: number;
}

const DAY = 86_400_000;

export class StateDb {
  readonly checkpoints: Checkpoints;
  readonly ledger: Ledger;
  readonly events: Events;
  readonly duplicates: Duplicates;

  constructor(
    /** The open connection, for tests and one-off queries; prefer the stores. */
    readonly db: Database.Database,
    readonly file: string,
    private readonly now: () => number,
  ) {
    this.checkpoints = new Checkpoints(db, now);
    this.ledger = new Ledger(db, now);
    this.events = new Events(db, now);
    this.duplicates = new Duplicates(db);
  }

  /** Run `fn` in one IMMEDIATE transaction (a savepoint when nested). Same as ledger.inTransaction. */
  transaction<T>(fn: () => T): T {
    return this.ledger.inTransaction(fn);
  }

  /** Housekeeping for the daemon to call now and then (hourly is plenty). */
  maintain(options: MaintainOptions = {}): { duplicates: number; events: number; ledger: number } {
    const now = options.now ?? this.now();
    const result = this.transaction(() => ({
      duplicates: this.duplicates.purgeExpired(now),
      events: this.events.prune(now - (options.keepEventsMs ?? 30 * DAY)),
      ledger: this.ledger.prune(now - (options.keepLedgerMs ?? 30 * DAY)),
    }));
    this.db.pragma('optimize');
    return result;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function unavailable(file: string, what: string, cause: unknown): MailsiftError {
  const code = (cause as { code?: unknown }).code;
  const why = typeof code === 'string' && code.startsWith('SQLITE_') ? `${code}: ${(cause as Error).message}` : describeFsError(cause);
  return new MailsiftError('STATE_UNAVAILABLE', `${what} ${file}: ${why}`, { cause });
}

/**
 * Open (creating and migrating if needed) `<dir>/mailsift.db`. The directory is
 * created with mode 0700 and the file with 0600 (it holds subjects and senders;
 * SQLite gives the -wal and -shm files the same mode). Throws STATE_UNAVAILABLE
 * or STATE_SCHEMA_TOO_NEW.
 */
export function openState(dir: string, options: OpenStateOptions = {}): StateDb {
  const file = join(dir, STATE_FILE_NAME);
  const now = options.now ?? Date.now;
  if (options.readonly) return openReadonly(file, now);

  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
  } catch (cause) {
    throw unavailable(file, 'cannot create state database', cause);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma('busy_timeout = 5000');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new MailsiftError('STATE_UNAVAILABLE', `state database ${file}: cannot use WAL journaling (got ${String(mode)}); is it on a network file system?`);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file, now());
    return new StateDb(db, file, now);
  } catch (cause) {
    db?.close();
    if (cause instanceof MailsiftError) throw cause;
    throw unavailable(file, 'cannot open state database', cause);
  }
}

function openReadonly(file: string, now: () => number): StateDb {
  if (!existsSync(file)) throw new MailsiftError('STATE_UNAVAILABLE', `no state database at ${file} (has \`mailsift run\` been started?)`);
  let db: Database.Database | undefined;
  try {
    // Creates no -wal or -shm and needs no write permission on the directory (read-only-open.ts).
    db = openReadOnlySqlite(file, {
      walUnreadable: ({ code, name, cause }) =>
        new MailsiftError('STATE_UNAVAILABLE', `cannot read state database ${file}: ${code}: the daemon's write-ahead log ${name}-wal holds changes, and reading them needs ${name}-shm, which cannot be created or read here (run this as the daemon's user)`, { cause }),
    });
    db.pragma('busy_timeout = 5000');
    checkReadable(db, file);
    return new StateDb(db, file, now);
  } catch (cause) {
    db?.close();
    if (cause instanceof MailsiftError) throw cause;
    throw unavailable(file, 'cannot read state database', cause);
  }
}
