/**
 * The state database's schema as an append-only list of migrations: entry i
 * takes the database to version i + 1. Never edit a shipped entry; add one.
 * `schema_version` has one row per applied migration.
 *
 * Conventions: timestamps are INTEGER milliseconds since the epoch; IMAP
 * UIDVALIDITY and message identities are TEXT (imapflow gives BigInt, POP3 has
 * UIDL strings, SMTP intake has queue ids); MODSEQ is INTEGER (RFC 7162: 63 bits,
 * read back as BigInt).
 */
import type Database from 'better-sqlite3';
import { MailsiftError } from '../errors.js';

export const MIGRATIONS: readonly string[] = [
  // 1: checkpoints, the action ledger, the processed log and status, duplicate ids.
  `
  CREATE TABLE checkpoints (
    account        TEXT    NOT NULL,
    mailbox        TEXT    NOT NULL,
    uidvalidity    TEXT    NOT NULL,
    last_uid       INTEGER NOT NULL CHECK (last_uid >= 0),  -- highest UID fully processed; 0 = none
    highest_modseq INTEGER,                                 -- CONDSTORE HIGHESTMODSEQ seen, or NULL
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (account, mailbox)
  ) WITHOUT ROWID;

  CREATE TABLE ledger (
    source      TEXT    NOT NULL,   -- account name
    folder      TEXT    NOT NULL,   -- mailbox; '' where the source has none
    uidvalidity TEXT    NOT NULL,   -- '' where the source has none
    uid         TEXT    NOT NULL,   -- IMAP UID, POP3 UIDL, SMTP queue id
    action      TEXT    NOT NULL,   -- the executor's action key
    state       TEXT    NOT NULL CHECK (state IN ('started', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 1,
    detail      TEXT,
    error       TEXT,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (source, folder, uidvalidity, uid, action)
  ) WITHOUT ROWID;
  CREATE INDEX ledger_unfinished ON ledger (source, state) WHERE state <> 'done';
  CREATE INDEX ledger_finished_at ON ledger (finished_at);

  CREATE TABLE processed (
    id         INTEGER PRIMARY KEY,
    account    TEXT    NOT NULL,
    mailbox    TEXT    NOT NULL,
    uid        TEXT    NOT NULL,
    message_id TEXT,
    from_addr  TEXT,
    subject    TEXT,
    actions    TEXT    NOT NULL,   -- human summary: 'fileinto "Lists/dev"; addflag'
    rule_line  INTEGER,            -- line of the rule that decided, if known
    status     TEXT    NOT NULL CHECK (status IN ('ok', 'error', 'skipped')),
    error      TEXT,
    at         INTEGER NOT NULL
  );
  CREATE INDEX processed_at ON processed (at);
  CREATE INDEX processed_mailbox ON processed (account, mailbox, at);

  CREATE TABLE mailbox_status (
    account         TEXT    NOT NULL,
    mailbox         TEXT    NOT NULL,
    mode            TEXT    NOT NULL,   -- notify | idle | poll | schedule | listen | offline
    last_event_at   INTEGER,
    last_error      TEXT,
    last_error_at   INTEGER,
    processed_count INTEGER NOT NULL DEFAULT 0,
    lag_ms          INTEGER,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (account, mailbox)
  ) WITHOUT ROWID;

  CREATE TABLE duplicates (
    handle     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (handle, id)
  ) WITHOUT ROWID;
  CREATE INDEX duplicates_expires_at ON duplicates (expires_at);
  `,
  // 2: POP3 messages already processed, by UIDL (src/connectors/pop3/uidl-store.ts).
  `
  CREATE TABLE pop3_uidls (
    account     TEXT    NOT NULL,
    uidl        TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('ok', 'error')),
    delete_due  INTEGER NOT NULL DEFAULT 0 CHECK (delete_due IN (0, 1)),  -- 1: DELE it at the next session
    processed_at INTEGER NOT NULL,
    PRIMARY KEY (account, uidl)
  ) WITHOUT ROWID;
  `,
  // 3: notifications sent or suppressed, for rate limits and the dedup window
  // (src/outbound/notify-log.ts). IF NOT EXISTS: before this migration the outbound code
  // created the same table itself, so a version-2 database may already have it.
  `
  CREATE TABLE IF NOT EXISTS notify_log (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    channel TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    rule    TEXT,
    sender  TEXT,
    status  TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'suppressed')),
    detail  TEXT
  );
  CREATE INDEX IF NOT EXISTS notify_log_at ON notify_log (at);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The version recorded in the database (0 for a new file). */
export function schemaVersion(db: Database.Database): number {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).get();
  if (exists === undefined) return 0;
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

function tooNew(file: string, version: number): MailsiftError {
  return new MailsiftError('STATE_SCHEMA_TOO_NEW', `state database ${file} has schema version ${version}, newer than this mailsift's ${SCHEMA_VERSION}: upgrade mailsift`);
}

/**
 * Bring the database up to SCHEMA_VERSION, each migration in its own IMMEDIATE
 * transaction (so two processes starting together cannot both apply it: the
 * second waits on busy_timeout, then sees the new version and skips).
 */
export function migrate(db: Database.Database, file: string, now: number): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const step = db.transaction((target: number) => {
    const current = schemaVersion(db);
    if (current >= target) return;
    db.exec(MIGRATIONS[target - 1]!);
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(target, now);
  });
  const start = schemaVersion(db);
  if (start > SCHEMA_VERSION) throw tooNew(file, start);
  for (let v = start + 1; v <= SCHEMA_VERSION; v++) step.immediate(v);
}

/** For read-only openers, which must not migrate. */
export function checkReadable(db: Database.Database, file: string): void {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) throw tooNew(file, version);
  if (version < SCHEMA_VERSION) {
    throw new MailsiftError('STATE_UNAVAILABLE', `state database ${file} has schema version ${version}, expected ${SCHEMA_VERSION}: start \`mailsift run\` once to upgrade it`);
  }
}
