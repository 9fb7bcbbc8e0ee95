/**
 * Opening a model file for reading only (classify, `test --model`, `model stats`, the
 * daemon's rules), without writing anything beside it and on a directory or file that is
 * not ours to write: src/state/read-only-open.ts, shared with `mailsift status`, says how.
 * Here: what a model reader is told when a writer's -wal cannot be read.
 */
import type Database from 'better-sqlite3';
import { MailsiftError } from '../../errors.js';
import { openReadOnlySqlite } from '../../state/read-only-open.js';

/**
 * A read-only connection to the database `file`, which must exist. Throws MODEL_UNAVAILABLE
 * when the -wal holds transactions that cannot be read here, else what better-sqlite3
 * throws (SqliteError, or ENOENT/EACCES from reading the file).
 */
export function openReadOnlyDatabase(file: string): Database.Database {
  return openReadOnlySqlite(file, {
    walUnreadable: ({ code, name, cause }) =>
      new MailsiftError(
        'MODEL_UNAVAILABLE',
        `cannot open model ${file}: ${code}: its write-ahead log ${name}-wal holds changes, and reading them needs ${name}-shm, which is missing and cannot be created here (read-only directory); it goes away when the model's writer closes it, or open the model once with write access (\`mailsift model stats\` as its owner)`,
        { cause },
      ),
  });
}
