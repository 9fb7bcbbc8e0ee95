/**
 * SQLite's refusals to write, as one-line reasons. better-sqlite3 throws a SqliteError whose
 * `code` is SQLite's extended result code (https://sqlite.org/rescode.html); on a full disk
 * that is SQLITE_FULL with the message "database or disk is full", which names neither the
 * file nor the cause people know. Used for the state database and the classifier models.
 */

/** Whether `err` is an error from SQLite (better-sqlite3's SqliteError). */
export function isSqliteError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | undefined)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('SQLITE_');
}

/** "no space left on device (SQLITE_FULL)", "read-only (SQLITE_READONLY)", else "CODE: message". */
export function sqliteReason(err: Error & { code: string }): string {
  // SQLITE_FULL: a write could not extend the file or its WAL (ENOSPC, or EDQUOT on a quota).
  if (err.code === 'SQLITE_FULL') return `no space left on device (${err.code})`;
  if (err.code.startsWith('SQLITE_READONLY')) return `read-only (${err.code}: ${err.message})`;
  // Growing the -shm of a WAL database failed: "may indicate that the underlying filesystem
  // volume is out of space" (https://sqlite.org/rescode.html#ioerr_shmsize); a first open on a full disk.
  if (err.code === 'SQLITE_IOERR_SHMSIZE') return `its -shm file could not be grown, usually no space left on device (${err.code})`;
  if (err.code.startsWith('SQLITE_IOERR')) return `I/O error (${err.code}: ${err.message})`;
  return `${err.code}: ${err.message}`;
}

/**
 * SQLite refusing a write for a reason outside the program: no space (SQLITE_FULL) or an I/O
 * error. Not SQLITE_READONLY: a read-only open asked to write is the caller's bug.
 */
export function isWriteRefusal(err: unknown): boolean {
  if (!isSqliteError(err)) return false;
  return err.code === 'SQLITE_FULL' || err.code.startsWith('SQLITE_IOERR');
}
