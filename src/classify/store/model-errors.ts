/**
 * The model store's failures as MailsiftErrors with stable codes (src/errors.ts), each
 * naming the model's file:
 *
 *   MODEL_UNAVAILABLE  the model cannot be created or opened (a missing file, EACCES on its
 *                      directory, a file SQLite cannot open)
 *   MODEL_UNWRITABLE   a write was refused: a full disk or an I/O error (sqlite-errors.ts), or a
 *                      model that is read-only for us (a 0444 file, a read-only mount, a
 *                      directory where SQLite may not create the -wal); the model is as it was
 *
 * One place builds each line, so `mailsift train` and the daemon's learning say the same.
 */
import { MailsiftError } from '../../errors.js';
import { isSqliteError, isWriteRefusal, sqliteReason } from '../../state/sqlite-errors.js';

/** MODEL_UNAVAILABLE: `what` (e.g. "cannot open model") failed for `file`, with the cause's code once. */
export function modelUnavailable(file: string, what: string, cause: unknown): MailsiftError {
  const code = (cause as { code?: unknown }).code;
  const message = (cause as Error).message;
  // Node's own errors already begin with their code ("EACCES: permission denied, mkdir ..."); SQLite's do not.
  const why = typeof code === 'string' && !message.startsWith(`${code}:`) ? `${code}: ${message}` : message;
  return new MailsiftError('MODEL_UNAVAILABLE', `${what} ${file}: ${why}`, { cause });
}

/** A write the model refused (a full disk: sqlite-errors.ts): its file, the reason, and that the model is as it was. */
export function modelUnwritable(file: string, cause: Error & { code: string }): MailsiftError {
  return new MailsiftError('MODEL_UNWRITABLE', `cannot write model ${file}: ${sqliteReason(cause)}; the model is unchanged`, { cause });
}

/**
 * A model file we may not write (open(2) with O_RDWR refused it: EACCES for a 0444 file that
 * is not root's to ignore, EROFS on a read-only mount), found before SQLite opens it: SQLite
 * would open it read-only without a word and refuse only the first write, after a whole
 * mailbox was read.
 */
export function modelReadOnly(file: string, cause: NodeJS.ErrnoException): MailsiftError {
  const why = cause.message.replace(/^\w+: /, '').replace(/, open .*$/, '');
  return new MailsiftError('MODEL_UNWRITABLE', `cannot write model ${file}: read-only (${cause.code}: ${why}); the model is unchanged`, { cause });
}

/**
 * A write the model refused: a full disk or an I/O error (isWriteRefusal), or SQLite's
 * SQLITE_READONLY* because the database, or its directory, is read-only
 * (https://sqlite.org/rescode.html#readonly).
 */
export function isModelWriteRefusal(err: unknown): err is Error & { code: string } {
  return isSqliteError(err) && (isWriteRefusal(err) || err.code.startsWith('SQLITE_READONLY'));
}

/**
 * Run one write transaction of the model at `file`; a refusal (a full disk, an I/O error, or a
 * writable open that SQLite could only open read-only: a 0444 file, a read-only mount) becomes
 * MODEL_UNWRITABLE naming the file, for `mailsift train` and the daemon's learning alike.
 * SQLite has rolled the transaction back, so "the model is unchanged" holds.
 */
export function writing<T>(file: string, transaction: () => T): T {
  try {
    return transaction();
  } catch (err) {
    if (isModelWriteRefusal(err)) throw modelUnwritable(file, err);
    throw err;
  }
}
