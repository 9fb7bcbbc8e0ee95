/**
 * Two processes at once: the daemon writing (a child) and `mailsift status`
 * reading (this process, read-only). WAL lets the reader see consistent
 * snapshots without blocking the writer or failing with SQLITE_BUSY.
 */
import { describe, expect, it } from 'vitest';
import { openState } from '../../src/state/db.js';
import { startWriter } from './helpers/child.js';
import { tempDir } from './helpers/tmp.js';

const COUNT = 1500;

describe('a writer and a reader in two processes', () => {
  it('lets the reader see consistent, monotonic snapshots while the writer commits', async () => {
    const dir = tempDir();
    // Create the database first so the read-only opener finds it.
    openState(dir).close();
    const w = startWriter(dir, COUNT);
    await w.waitFor((l) => l === 'ready');

    const reader = openState(dir, { readonly: true });
    // A second read-write opener while the writer runs: migrations are already applied, nothing blocks.
    openState(dir).close();

    const snapshot = reader.db.transaction(() => ({
      lastUid: reader.checkpoints.get('acct', 'INBOX')?.lastUid ?? 0,
      logged: (reader.db.prepare('SELECT count(*) AS n FROM processed').get() as { n: number }).n,
      count: reader.events.status('acct', 'INBOX')?.processedCount ?? 0,
      done: (reader.db.prepare(`SELECT count(*) AS n FROM ledger WHERE state = 'done'`).get() as { n: number }).n,
    }));

    let finished = false;
    void w.exited.then(() => (finished = true));
    let reads = 0;
    let previous = 0;
    let sawProgress = false;
    while (!finished) {
      const s = snapshot();
      reads++;
      // One writer transaction updates all four: a snapshot sees all of it or none.
      expect(s.logged).toBe(s.lastUid);
      expect(s.count).toBe(s.lastUid);
      expect(s.done).toBe(2 * s.lastUid);
      expect(s.lastUid).toBeGreaterThanOrEqual(previous);
      if (s.lastUid > previous && previous > 0) sawProgress = true;
      previous = s.lastUid;
      await new Promise((r) => setTimeout(r, 2));
    }
    const exit = await w.exited;
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expect(sawProgress).toBe(true);
    expect(reads).toBeGreaterThan(5);
    expect(snapshot().lastUid).toBe(COUNT);
    // The reader cannot write.
    expect(() => reader.events.setStatus('acct', 'INBOX', { mode: 'poll' })).toThrow(expect.objectContaining({ code: 'SQLITE_READONLY' }));
    reader.close();
  }, 60_000);
});
