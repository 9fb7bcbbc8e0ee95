import Database from 'better-sqlite3';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openState } from '../../src/state/db.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/state/schema.js';
import { tempDir } from './helpers/tmp.js';

describe('openState', () => {
  it('creates the directory 0700 and the file 0600, with the documented pragmas', () => {
    const dir = join(tempDir(), 'nested', 'state');
    const state = openState(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'mailsift.db')).mode & 0o777).toBe(0o600);
    expect(state.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(state.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(state.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(state.db.pragma('foreign_keys', { simple: true })).toBe(1);
    state.events.setStatus('a', 'INBOX', { mode: 'idle' }); // creates -wal/-shm
    expect(statSync(join(dir, 'mailsift.db-wal')).mode & 0o777).toBe(0o600);
    state.close();
    state.close(); // idempotent
  });

  it('migrates once and records the version', () => {
    const dir = tempDir();
    openState(dir).close();
    const state = openState(dir);
    const rows = state.db.prepare('SELECT version FROM schema_version ORDER BY version').all();
    expect(rows).toEqual(MIGRATIONS.map((_, i) => ({ version: i + 1 })));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    state.close();
  });

  it('refuses a database written by a newer mailsift', () => {
    const dir = tempDir();
    openState(dir).close();
    const raw = new Database(join(dir, 'mailsift.db'));
    raw.prepare('INSERT INTO schema_version VALUES (?, 0)').run(SCHEMA_VERSION + 1);
    raw.close();
    expect(() => openState(dir)).toThrow(expect.objectContaining({ code: 'STATE_SCHEMA_TOO_NEW' }));
    expect(() => openState(dir, { readonly: true })).toThrow(expect.objectContaining({ code: 'STATE_SCHEMA_TOO_NEW' }));
  });

  it('reports a file that is not a database as STATE_UNAVAILABLE', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'mailsift.db'), 'this is not an SQLite database, just text '.repeat(20));
    expect(() => openState(dir)).toThrow(expect.objectContaining({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining('SQLITE_NOTADB') }));
  });

  it('reports a directory it cannot create as STATE_UNAVAILABLE', () => {
    const file = join(tempDir(), 'plain-file');
    writeFileSync(file, '');
    expect(() => openState(join(file, 'state'))).toThrow(expect.objectContaining({ code: 'STATE_UNAVAILABLE' }));
  });

  it('opens read-only without creating anything, and says so when there is no database', () => {
    const dir = tempDir();
    expect(() => openState(join(dir, 'none'), { readonly: true })).toThrow(
      expect.objectContaining({ code: 'STATE_UNAVAILABLE', message: expect.stringContaining('no state database') }),
    );
    const w = openState(dir);
    w.checkpoints.reset({ account: 'a', mailbox: 'INBOX', uidvalidity: 1n, lastUid: 5 });
    const r = openState(dir, { readonly: true });
    expect(r.checkpoints.get('a', 'INBOX')?.lastUid).toBe(5);
    expect(() => r.checkpoints.advance({ account: 'a', mailbox: 'INBOX', uidvalidity: 1n, lastUid: 6 })).toThrow(expect.objectContaining({ code: 'SQLITE_READONLY' }));
    r.close();
    w.close();
  });

  it('maintain() purges expired duplicates and old log and ledger rows, keeping in-doubt ones', () => {
    let now = 1_000_000_000_000;
    const state = openState(tempDir(), { now: () => now });
    const key = (uid: string, action: string) => ({ source: 'a', folder: 'INBOX', uidvalidity: '1', uid, action });
    state.ledger.begin(key('1', 'x'));
    state.ledger.complete(key('1', 'x'));
    state.ledger.begin(key('2', 'x')); // in doubt forever
    state.events.logProcessed({ account: 'a', mailbox: 'INBOX', uid: '1', actions: 'keep', status: 'ok' });
    state.duplicates.remember('<id@x>', '', 60, now);
    now += 40 * 86_400_000;
    expect(state.maintain()).toEqual({ duplicates: 1, events: 1, ledger: 1 });
    expect(state.ledger.get(key('2', 'x'))?.state).toBe('started');
    expect(state.events.status('a', 'INBOX')?.processedCount).toBe(1);
    state.close();
  });

  it('state.transaction rolls everything back when the function throws', () => {
    const state = openState(tempDir());
    expect(() =>
      state.transaction(() => {
        state.checkpoints.reset({ account: 'a', mailbox: 'INBOX', uidvalidity: 1n, lastUid: 9 });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(state.checkpoints.get('a', 'INBOX')).toBeUndefined();
    state.close();
  });
});
