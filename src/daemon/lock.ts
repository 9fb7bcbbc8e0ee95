/**
 * One daemon per state directory. Two daemons sharing one state database would both fetch
 * and act on the same messages; the action ledger would stop most repeats, but not races.
 *
 * The lock is an SQLite database held in an open EXCLUSIVE transaction (`mailsift.lock`
 * beside `mailsift.db`), not a pidfile: the kernel drops the lock when the process dies,
 * even by SIGKILL, so there is no stale-pid guessing (PID reuse, zombies). SQLite also
 * keeps the lock per inode inside one process, so two daemons started in one process (the
 * tests) see each other too, which plain fcntl() locks would not.
 *
 * `mailsift.pid` next to it only says who holds the lock, for messages and `mailsift status`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MailsiftError } from '../errors.js';

export const LOCK_FILE_NAME = 'mailsift.lock';
export const PID_FILE_NAME = 'mailsift.pid';

export interface StateLock {
  readonly dir: string;
  release(): void;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** The pid written by the current holder, if the file is there and readable. */
export function lockHolder(dir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dir, PID_FILE_NAME), 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (and is not a zombie). */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Linux: "pid (comm) S ..."; a zombie has exited already.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Take the lock of `dir` or throw DAEMON_LOCKED (another daemon) / STATE_UNAVAILABLE. */
export function acquireStateLock(dir: string): StateLock {
  const file = join(dir, LOCK_FILE_NAME);
  let db: Database.Database;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    db = new Database(file);
  } catch (cause) {
    throw new MailsiftError('STATE_UNAVAILABLE', `cannot create the lock ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    db.pragma('busy_timeout = 0');
    // A rollback journal (not WAL): an EXCLUSIVE transaction then locks the file itself.
    db.pragma('journal_mode = DELETE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (cause) {
    db.close();
    if (isBusy(cause)) {
      const pid = lockHolder(dir);
      throw new MailsiftError('DAEMON_LOCKED', `another mailsift daemon${pid ? ` (pid ${pid})` : ''} is using the state directory ${dir}`, { cause });
    }
    throw new MailsiftError('STATE_UNAVAILABLE', `cannot lock ${file}: ${(cause as Error).message}`, { cause });
  }
  const pidFile = join(dir, PID_FILE_NAME);
  try {
    writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
  } catch {
    // Informational only.
  }
  let released = false;
  return {
    dir,
    release() {
      if (released) return;
      released = true;
      if (lockHolder(dir) === process.pid) rmSync(pidFile, { force: true });
      try {
        db.exec('ROLLBACK');
      } catch {
        // closing drops the lock anyway
      }
      db.close();
    },
  };
}
