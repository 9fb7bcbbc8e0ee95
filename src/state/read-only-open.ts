/**
 * Opening a SQLite WAL database for reading only, without writing anything beside it and on a
 * directory or file that is not ours to write. Used for the classifier models (classify,
 * `test --model`, `model stats`, the daemon's rules: src/classify/store/read-only-open.ts) and
 * the state database (`mailsift status`, db.ts).
 *
 * SQLite can open a WAL database read-only only when its -wal and -shm files already exist and
 * are readable, or when it may create them (https://sqlite.org/wal.html#readonly); so a plain
 * `readonly: true` open failed on a read-only directory (SQLITE_READONLY_DIRECTORY, or
 * SQLITE_CANTOPEN beside another user's -shm), and where it could create them it left an empty
 * -wal and a -shm behind, since a read-only connection may not checkpoint and delete them on
 * close. The `immutable=1` URI parameter would avoid both, but better-sqlite3 opens URIs only
 * when the process was started with SQLITE_USE_URI=1 (it reads the variable once, when its
 * addon loads).
 *
 * So when the -wal holds nothing (absent or empty: a writer that closed has checkpointed
 * everything into the file and deleted it), the file is read whole into memory and opened
 * from there (sqlite3_deserialize, read-only): nothing is created, no lock is taken, and the
 * directory needs no write permission. A writer could change the file during that read, so
 * the file is stat()ed before and after it and the read repeated when anything changed.
 * When the -wal does hold transactions (a writer has the database open: the daemon, the
 * daemon's learning, a `mailsift train` running), only SQLite's own read-only open sees them;
 * that is the documented case where the -wal and -shm exist, so it creates nothing either.
 */
import { existsSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import { basename } from 'node:path';
import Database from 'better-sqlite3';

/** Reads of a file that kept changing under us before SQLite's own open is used instead. */
const COPY_ATTEMPTS = 3;

/** Bytes 18 and 19 of the database header: file format write and read version, 2 in WAL mode (https://sqlite.org/fileformat2.html#database_header). */
const FORMAT_VERSION_OFFSETS = [18, 19] as const;

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** What tells a changed file from an unchanged one: a checkpoint writes it in place (mtime), a copy replaces it (ino). */
function identity(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/** Whether SQLite's journal files say that the file alone is not the whole database. */
function journalsHoldData(file: string): boolean {
  // A hot rollback journal (a writer died mid-transaction in DELETE mode) must be rolled back first.
  return (sizeOf(`${file}-wal`) ?? 0) > 0 || existsSync(`${file}-journal`);
}

/** The file's bytes as an in-memory database, or undefined when they cannot be taken consistently. */
function openCopy(file: string): Database.Database | undefined {
  for (let attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
    if (journalsHoldData(file)) return undefined;
    const before = identity(statSync(file, { bigint: true }));
    const bytes = readFileSync(file);
    if (identity(statSync(file, { bigint: true })) !== before || journalsHoldData(file)) continue;
    // A WAL-mode header makes the in-memory database refuse to open (it has no -wal to
    // read); the copy is checkpointed and ours, so it is marked as a rollback-journal file.
    if (bytes.length >= 100) for (const at of FORMAT_VERSION_OFFSETS) if (bytes[at] === 2) bytes[at] = 1;
    return new Database(bytes, { readonly: true });
  }
  return undefined;
}

export interface ReadOnlyOpenOptions {
  /**
   * The error for the one case this cannot read: the -wal holds transactions, and the -shm
   * SQLite needs to read them is missing and cannot be created here (read-only directory), or
   * is not readable (another user's). `code` is SQLite's (SQLITE_CANTOPEN,
   * SQLITE_READONLY_DIRECTORY); `name` the file's base name.
   */
  readonly walUnreadable: (details: { readonly code: string; readonly name: string; readonly cause: unknown }) => Error;
}

/**
 * A read-only connection to the WAL database `file`, which must exist. Throws what
 * `walUnreadable` returns when the -wal holds transactions that cannot be read here, else what
 * better-sqlite3 throws (SqliteError, or ENOENT/EACCES from reading the file).
 */
export function openReadOnlySqlite(file: string, options: ReadOnlyOpenOptions): Database.Database {
  const copy = openCopy(file);
  if (copy) return copy;
  try {
    return new Database(file, { readonly: true, fileMustExist: true });
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code !== 'SQLITE_CANTOPEN' && code !== 'SQLITE_READONLY_DIRECTORY') throw cause;
    throw options.walUnreadable({ code, name: basename(file), cause });
  }
}
