/**
 * Opening a model file for reading only (classify, `test --model`, `model stats`, the
 * daemon's rules), without writing anything beside it and on a directory or file that is
 * not ours to write.
 *
 * Models are WAL databases (model-store.ts). SQLite can open a WAL database read-only only
 * when its -wal and -shm files already exist and are readable, or when it may create them
 * (https://sqlite.org/wal.html#readonly); so a plain `readonly: true` open failed on a
 * read-only directory (SQLITE_READONLY_DIRECTORY, or SQLITE_CANTOPEN beside another user's
 * -shm), and where it could create them it left an empty -wal and a -shm behind, since a
 * read-only connection may not checkpoint and delete them on close. The `immutable=1` URI
 * parameter would avoid both, but better-sqlite3 opens URIs only when the process was
 * started with SQLITE_USE_URI=1 (it reads the variable once, when its addon loads).
 *
 * So when the -wal holds nothing (absent or empty: a writer that closed has checkpointed
 * everything into the file and deleted it), the file is read whole into memory and opened
 * from there (sqlite3_deserialize, read-only): nothing is created, no lock is taken, and the
 * directory needs no write permission. A writer could change the file during that read, so
 * the file is stat()ed before and after it and the read repeated when anything changed.
 * When the -wal does hold transactions (a writer has the model open: the daemon learning,
 * a `mailsift train` running), only SQLite's own read-only open sees them; that is the
 * documented case where the -wal and -shm exist, so it creates nothing either.
 */
import { existsSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import { MailsiftError } from '../../errors.js';

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

/**
 * A read-only connection to the database `file`, which must exist. Throws MODEL_UNAVAILABLE
 * when the -wal holds transactions that cannot be read here, else what better-sqlite3
 * throws (SqliteError, or ENOENT/EACCES from reading the file).
 */
export function openReadOnlyDatabase(file: string): Database.Database {
  const copy = openCopy(file);
  if (copy) return copy;
  try {
    return new Database(file, { readonly: true, fileMustExist: true });
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code !== 'SQLITE_CANTOPEN' && code !== 'SQLITE_READONLY_DIRECTORY') throw cause;
    const name = basename(file);
    throw new MailsiftError(
      'MODEL_UNAVAILABLE',
      `cannot open model ${file}: ${code}: its write-ahead log ${name}-wal holds changes, and reading them needs ${name}-shm, which is missing and cannot be created here (read-only directory); it goes away when the model's writer closes it, or open the model once with write access (\`mailsift model stats\` as its owner)`,
      { cause },
    );
  }
}
