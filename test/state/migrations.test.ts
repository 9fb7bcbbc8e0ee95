/**
 * Upgrading an existing state database: a file left at an older schema version is brought
 * to SCHEMA_VERSION by `openState`, keeping its data. Migration 3 moved `notify_log` into
 * the migrations; before it, src/outbound created the table itself, so a version-2 file may
 * or may not have it already.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openState } from '../../src/state/db.js';
import { NotifyLog } from '../../src/outbound/notify-log.js';
import { MIGRATIONS, SCHEMA_VERSION, schemaVersion } from '../../src/state/schema.js';
import { tempDir } from './helpers/tmp.js';

/** What the table looked like when src/outbound/notify-log.ts created it (before migration 3). */
const OLD_NOTIFY_LOG = `CREATE TABLE IF NOT EXISTS notify_log (
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, channel TEXT NOT NULL, target TEXT NOT NULL, rule TEXT, sender TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'suppressed')), detail TEXT);
CREATE INDEX IF NOT EXISTS notify_log_at ON notify_log (at);`;

/** A database file as a mailsift with schema version `version` left it. */
function databaseAt(version: number, extra = ''): string {
  const dir = tempDir();
  const db = new Database(join(dir, 'mailsift.db'));
  db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  for (let v = 1; v <= version; v++) {
    db.exec(MIGRATIONS[v - 1]!);
    db.prepare('INSERT INTO schema_version VALUES (?, 0)').run(v);
  }
  db.prepare(`INSERT INTO processed (account, mailbox, uid, actions, status, at) VALUES ('a', 'INBOX', '7', 'keep', 'ok', 1)`).run();
  if (extra) db.exec(extra);
  db.close();
  return dir;
}

const tables = (db: Database.Database) => (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);

describe('state schema upgrades', () => {
  it('notify_log is created by migration 3, not by the outbound code', () => {
    expect(SCHEMA_VERSION).toBe(3);
    expect(MIGRATIONS[2]).toMatch(/CREATE TABLE IF NOT EXISTS notify_log/);
    const state = openState(tempDir());
    expect(tables(state.db)).toContain('notify_log');
    state.close();
  });

  it('a version-2 database without notify_log is upgraded to 3, its data kept', () => {
    const dir = databaseAt(2);
    const before = new Database(join(dir, 'mailsift.db'));
    expect(schemaVersion(before)).toBe(2);
    expect(tables(before)).not.toContain('notify_log');
    before.close();

    const state = openState(dir);
    expect(schemaVersion(state.db)).toBe(SCHEMA_VERSION);
    expect(tables(state.db)).toContain('notify_log');
    expect(state.db.prepare('SELECT uid FROM processed').all()).toEqual([{ uid: '7' }]);
    const log = new NotifyLog(state.db);
    log.add({ at: 10, channel: 'sms', target: '+15550001111', status: 'sent' });
    expect(log.lastHour(20)).toBe(1);
    state.close();
  });

  it('a version-2 database whose notify_log the old code created keeps its rows', () => {
    const dir = databaseAt(2, `${OLD_NOTIFY_LOG}\nINSERT INTO notify_log (at, channel, target, status) VALUES (5, 'mail', 'me@example.test', 'sent');`);
    const state = openState(dir);
    expect(schemaVersion(state.db)).toBe(SCHEMA_VERSION);
    expect(new NotifyLog(state.db).entries()).toEqual([{ at: 5, channel: 'mail', target: 'me@example.test', status: 'sent' }]);
    state.close();
  });

  it('a reader (mailsift status) refuses a version-2 database until the daemon upgraded it', () => {
    const dir = databaseAt(2);
    expect(() => openState(dir, { readonly: true })).toThrow(expect.objectContaining({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining('schema version 2') }));
    openState(dir).close();
    const r = openState(dir, { readonly: true });
    expect(tables(r.db)).toContain('notify_log');
    r.close();
  });
});
