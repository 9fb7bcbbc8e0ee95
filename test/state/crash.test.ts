/**
 * Process death in the middle of the daemon's write loop (docs/dependencies.md
 * §7): a writer child is SIGKILLed at a random moment, several rounds in a row,
 * each round resuming from the checkpoint. After every kill the database must be
 * intact and no transaction half-applied: everything up to the checkpoint is done
 * and logged once, and beyond it there is at most the next message's `started`
 * rows (begin() committed, the completing transaction not).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openState } from '../../src/state/db.js';
import { startWriter } from './helpers/child.js';
import { tempDir } from './helpers/tmp.js';

const ACTIONS = 2;

function inspect(dir: string) {
  const db = new Database(join(dir, 'mailsift.db'), { readonly: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    const lastUid = (db.prepare(`SELECT last_uid AS n FROM checkpoints WHERE account = 'acct' AND mailbox = 'INBOX'`).get() as { n: number } | undefined)?.n ?? 0;
    const states = db.prepare('SELECT state, count(*) AS n FROM ledger GROUP BY state').all() as Array<{ state: string; n: number }>;
    const byState = Object.fromEntries(states.map((s) => [s.state, s.n]));
    const doneBeyond = (db.prepare(`SELECT count(*) AS n FROM ledger WHERE state = 'done' AND CAST(uid AS INTEGER) > ?`).get(lastUid) as { n: number }).n;
    const notDoneWithin = (db.prepare(`SELECT count(*) AS n FROM ledger WHERE state <> 'done' AND CAST(uid AS INTEGER) <= ?`).get(lastUid) as { n: number }).n;
    const startedUids = (db.prepare(`SELECT DISTINCT CAST(uid AS INTEGER) AS u FROM ledger WHERE state = 'started'`).all() as Array<{ u: number }>).map((r) => r.u);
    const processed = db.prepare('SELECT count(*) AS n, count(DISTINCT uid) AS d, max(CAST(uid AS INTEGER)) AS m FROM processed').get() as { n: number; d: number; m: number | null };
    const status = db.prepare(`SELECT processed_count AS n FROM mailbox_status WHERE account = 'acct' AND mailbox = 'INBOX'`).get() as { n: number } | undefined;
    return { integrity, lastUid, byState, doneBeyond, notDoneWithin, startedUids, processed, statusCount: status?.n ?? 0 };
  } finally {
    db.close();
  }
}

describe('a writer killed with SIGKILL mid-loop', () => {
  it('leaves an intact database with whole transactions only, round after round', async () => {
    const dir = tempDir();
    let previous = 0;
    for (let round = 0; round < 4; round++) {
      const w = startWriter(dir);
      // Let it get going past where the last round stopped, then kill at a random moment.
      await w.waitFor((l) => /^\d+$/.test(l) && Number(l) >= previous + 100);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
      w.child.kill('SIGKILL');
      const exit = await w.exited;
      expect(exit.signal).toBe('SIGKILL');

      const s = inspect(dir);
      expect(s.integrity).toBe('ok');
      expect(s.lastUid).toBeGreaterThan(previous);
      // Only 'done' and 'started' rows: nothing failed, nothing in between.
      expect(Object.keys(s.byState).every((k) => k === 'done' || k === 'started')).toBe(true);
      // Everything up to the checkpoint is done, both actions, and logged exactly once.
      expect(s.notDoneWithin).toBe(0);
      expect(s.byState.done).toBe(ACTIONS * s.lastUid);
      expect(s.processed).toEqual({ n: s.lastUid, d: s.lastUid, m: s.lastUid });
      expect(s.statusCount).toBe(s.lastUid);
      // Beyond it: no completion without its checkpoint; at most the next message is in doubt.
      expect(s.doneBeyond).toBe(0);
      expect(s.startedUids.every((u) => u === s.lastUid + 1)).toBe(true);
      previous = s.lastUid;
    }

    // A clean run afterwards resumes from the checkpoint and finishes any in-doubt message.
    const w = startWriter(dir, 20);
    const done = await w.waitFor((l) => l.startsWith('finished'));
    expect((await w.exited).code).toBe(0);
    const s = inspect(dir);
    expect(s.lastUid).toBe(previous + 20);
    expect(s.byState.started ?? 0).toBe(0);
    expect(done).toMatch(/^finished in-doubt=\d+$/);

    const state = openState(dir);
    expect(state.checkpoints.get('acct', 'INBOX')?.lastUid).toBe(previous + 20);
    state.close();
  }, 60_000);
});
