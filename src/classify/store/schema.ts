/**
 * The SQLite schema of one model file (`<model dir>/model.sqlite`), as an append-only
 * list of migrations like the state database's (src/state/schema.ts). A migration is SQL,
 * or a function when rows must be rewritten by code (hashing token text).
 *
 *   meta             key/value: options (JSON), tokenizer version, learning positions
 *   buckets          name and message count of each bucket
 *   token_pages      per token hash (token-hash.ts) and bucket: in how many trained
 *                    messages of that bucket the token occurs, packed into 4,096 pages
 *                    by the hash's top bits (token-pages.ts)
 *   trained_messages every trained message: its key (Message-ID + body hash), bucket and
 *                    the token hashes it added (one blob, token-blob.ts), so that
 *                    untraining removes exactly what training added (a rowid table: rows
 *                    of a few KB do not suit WITHOUT ROWID)
 *
 * Schema 1 (until 2026-11) kept token text: `tokens (token, bucket, count)` and
 * `messages (key, bucket, tokens TEXT one per line, trained_at)`. Migration 2 hashes it
 * into the tables above; a model opened read-only is read in either schema
 * (model-store.ts), so classifying never needs to write an old model.
 */
import type Database from 'better-sqlite3';
import { MailsiftError } from '../../errors.js';
import { hashToken } from '../token-hash.js';
import { encodeTokens, hashTokenLines } from './token-blob.js';
import { writeRows } from './token-pages.js';

type Migration = string | ((db: Database.Database) => void);

const SCHEMA_1 = `
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
`;

const SCHEMA_2_TABLES = `
  CREATE TABLE token_pages (
    page    INTEGER PRIMARY KEY,   -- token hash / 2^40
    entries BLOB    NOT NULL       -- (hash, bucket id, count) entries, sorted (token-pages.ts)
  );

  CREATE TABLE trained_messages (
    key        TEXT    PRIMARY KEY,
    bucket     INTEGER NOT NULL REFERENCES buckets (id),
    trained_at INTEGER NOT NULL,
    tokens     BLOB    NOT NULL    -- the token hashes trained (token-blob.ts)
  );
`;

/** Schema 1 → 2: token text becomes token hashes; the counts and the trained messages carry over. */
function hashTokenText(db: Database.Database): void {
  db.exec(SCHEMA_2_TABLES);
  const rows = db.prepare('SELECT token, bucket, count FROM tokens WHERE count > 0').raw(true).all() as [string, number, number][];
  writeRows(db, rows.map(([token, bucket, n]) => [hashToken(token), bucket, n] as const));
  const put = db.prepare('INSERT INTO trained_messages (key, bucket, tokens, trained_at) VALUES (?, ?, ?, ?)');
  for (const [key, bucket, tokens, at] of db.prepare('SELECT key, bucket, tokens, trained_at FROM messages').raw(true).all() as [string, number, string, number][]) {
    put.run(key, bucket, encodeTokens(hashTokenLines(tokens)), at);
  }
  db.exec('DROP TABLE tokens; DROP TABLE messages;');
}

export const MODEL_MIGRATIONS: readonly Migration[] = [SCHEMA_1, hashTokenText];

export const MODEL_SCHEMA_VERSION = MODEL_MIGRATIONS.length;

export function migrateModel(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MODEL_SCHEMA_VERSION) {
    throw new MailsiftError('MODEL_INVALID', `model ${file} was written by a newer mailsift (schema ${version}, this one knows ${MODEL_SCHEMA_VERSION})`);
  }
  if (version === MODEL_SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let v = version; v < MODEL_SCHEMA_VERSION; v++) {
      const step = MODEL_MIGRATIONS[v]!;
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    db.pragma(`user_version = ${MODEL_SCHEMA_VERSION}`);
  }).immediate();
}
