/**
 * Opening a model's SQLite file (ModelStore.open): creating it for a first training,
 * the writable open (WAL, migrated to the current schema, tokenizer version recorded) and
 * the read-only one (read-only-open.ts: never migrated, nothing written beside the file),
 * with each refusal mapped to its code (model-errors.ts).
 */
import { closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { MailsiftError } from '../../errors.js';
import { TOKENIZER_VERSION } from '../tokenize.js';
import { isModelWriteRefusal, modelReadOnly, modelUnavailable, modelUnwritable } from './model-errors.js';
import { openReadOnlyDatabase } from './read-only-open.js';
import { migrateModel, MODEL_SCHEMA_VERSION } from './schema.js';

export const MODEL_FILE = 'model.sqlite';

export interface OpenModelOptions {
  /** Create the directory and the file when missing (training). */
  readonly create?: boolean;
  /** Read only (classification): the file must exist; writes fail; nothing is written beside it (read-only-open.ts). */
  readonly readonly?: boolean;
  /** Clock for trained_at (ms). */
  readonly now?: () => number;
}

/** An open model file: its connection, path, and name (its directory's name, what `classify :model` refers to). */
export interface OpenedModel {
  readonly db: Database.Database;
  readonly file: string;
  readonly name: string;
}

/** Errnos of open(2) that mean the file is not ours to write: mode bits, or a read-only file system. */
const READ_ONLY_ERRNOS = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * Throws MODEL_UNWRITABLE when `file` cannot be opened for writing. Without this check
 * SQLite opens such a file read-only and says nothing: on a read-only directory or mount the
 * open itself then fails (SQLITE_READONLY_DIRECTORY, SQLITE_CANTOPEN: it may not create the
 * -wal), and beside a writable directory only the commit does, after every message was read,
 * leaving an empty -wal and a -shm behind.
 */
function checkWritable(file: string): void {
  try {
    closeSync(openSync(file, constants.O_RDWR));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== undefined && READ_ONLY_ERRNOS.has(code)) throw modelReadOnly(file, cause as NodeJS.ErrnoException);
    // Anything else (ENOENT after a race, EIO) is SQLite's to report, as before.
  }
}

/**
 * Open the model in directory `dir` (its file is dir/model.sqlite). Throws
 * MODEL_UNAVAILABLE when it cannot be created or opened (or is missing without `create`),
 * MODEL_UNWRITABLE when a writable open is refused a write (a full disk: the -shm cannot grow;
 * a read-only file, directory or mount), MODEL_INVALID when a newer mailsift wrote it.
 */
export function openModelFile(dir: string, options: OpenModelOptions): OpenedModel {
  const file = join(dir, MODEL_FILE);
  const name = basename(resolve(dir));
  if (!existsSync(file)) {
    if (!options.create || options.readonly) {
      throw new MailsiftError('MODEL_UNAVAILABLE', `no model at ${dir} (no ${MODEL_FILE}; train one with \`mailsift train --model ${dir} --bucket NAME FILES\`)`);
    }
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      closeSync(openSync(file, 'a', 0o600));
    } catch (cause) {
      throw modelUnavailable(file, 'cannot create model', cause);
    }
  }
  if (!options.readonly) checkWritable(file);
  let db: Database.Database | undefined;
  try {
    db = options.readonly ? openReadOnlyDatabase(file) : new Database(file);
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrateModel(db, file);
      const has = db.prepare("SELECT value FROM meta WHERE key = 'tokenizer'").get();
      if (has === undefined) db.prepare("INSERT INTO meta (key, value) VALUES ('tokenizer', ?)").run(String(TOKENIZER_VERSION));
    } else {
      // Read-only opens never migrate (the file may not be ours to write): an older schema
      // is read as it is (snapshot(), stats()); the next training migrates it.
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version === 0) throw new MailsiftError('MODEL_INVALID', `${file} is not a mailsift model (empty or foreign database)`);
      if (version > MODEL_SCHEMA_VERSION) throw new MailsiftError('MODEL_INVALID', `model ${file} was written by a newer mailsift (schema ${version})`);
    }
    return { db, file, name };
  } catch (cause) {
    db?.close();
    if (cause instanceof MailsiftError) throw cause;
    // A writable open writes (the -wal and -shm, a migration): on a full disk that is the
    // same refusal as a failed training, and nothing was written (the migration is one
    // transaction). SQLITE_READONLY*: the file passed checkWritable, but its directory (the
    // -wal cannot be created) or a mount changed since is read-only.
    if (!options.readonly && isModelWriteRefusal(cause)) throw modelUnwritable(file, cause);
    throw modelUnavailable(file, 'cannot open model', cause);
  }
}
