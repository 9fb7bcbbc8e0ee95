/**
 * The SQLite schema of one model file (`<model dir>/model.sqlite`), as an append-only
 * list of migrations like the state database's (src/state/schema.ts).
 *
 *   meta      key/value: options (JSON), tokenizer version
 *   buckets   name and message count of each bucket
 *   tokens    per token and bucket: in how many trained messages of that bucket it occurs
 *   messages  every trained message: its key (Message-ID + body hash), bucket and tokens,
 *             so that untraining removes exactly what training added
 */
import type Database from 'better-sqlite3';
import { MailsiftError } from '../../errors.js';

export const MODEL_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE buckets (
    id       INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL UNIQUE,
    messages INTEGER NOT NULL DEFAULT 0 CHECK (messages >= 0)
  );

  CREATE TABLE tokens (
    token  TEXT    NOT NULL,
    bucket INTEGER NOT NULL REFERENCES buckets (id),
    count  INTEGER NOT NULL,
    PRIMARY KEY (token, bucket)
  ) WITHOUT ROWID;

  CREATE TABLE messages (
    key        TEXT    PRIMARY KEY,
    bucket     INTEGER NOT NULL REFERENCES buckets (id),
    tokens     TEXT    NOT NULL,   -- the tokens trained, one per line
    trained_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

export const MODEL_SCHEMA_VERSION = MODEL_MIGRATIONS.length;

export function migrateModel(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MODEL_SCHEMA_VERSION) {
    throw new MailsiftError('MODEL_INVALID', `model ${file} was written by a newer mailsift (schema ${version}, this one knows ${MODEL_SCHEMA_VERSION})`);
  }
  if (version === MODEL_SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let v = version; v < MODEL_SCHEMA_VERSION; v++) db.exec(MODEL_MIGRATIONS[v]!);
    db.pragma(`user_version = ${MODEL_SCHEMA_VERSION}`);
  }).immediate();
}
