import { describe, expect, it } from 'vitest';
import { openState } from '../../src/state/db.js';
import { tempDir } from './helpers/tmp.js';

describe('events', () => {
  it('logs processed messages newest first and keeps the status row in step', () => {
    let now = 100;
    const s = openState(tempDir(), { now: () => now });
    s.events.setStatus('work', 'INBOX', { mode: 'idle' });
    expect(s.events.status('work', 'INBOX')).toEqual({ account: 'work', mailbox: 'INBOX', mode: 'idle', processedCount: 0, updatedAt: 100 });

    now = 200;
    const id = s.events.logProcessed({
      account: 'work', mailbox: 'INBOX', uid: '7', messageId: '<a@x>', from: 'Ann <ann@x>', subject: 'Hi',
      actions: 'fileinto "Lists/dev"', ruleLine: 12, status: 'ok', lagMs: 1500,
    });
    expect(id).toBeGreaterThan(0);
    now = 300;
    s.events.logProcessed({ account: 'work', mailbox: 'INBOX', uid: '8', actions: 'keep', status: 'error', error: 'fileinto failed: NO [TRYCREATE]' });
    s.events.logProcessed({ account: 'work', mailbox: 'Lists/dev', uid: '1', actions: 'keep', status: 'skipped' });

    expect(s.events.recent({ account: 'work', mailbox: 'INBOX' }).map((e) => e.uid)).toEqual(['8', '7']);
    expect(s.events.recent({ limit: 1 })).toEqual([{ id: 3, account: 'work', mailbox: 'Lists/dev', uid: '1', actions: 'keep', status: 'skipped', at: 300 }]);
    expect(s.events.recent({ account: 'work' })[2]).toEqual({
      id, account: 'work', mailbox: 'INBOX', uid: '7', messageId: '<a@x>', from: 'Ann <ann@x>', subject: 'Hi',
      actions: 'fileinto "Lists/dev"', ruleLine: 12, status: 'ok', at: 200,
    });
    expect(s.events.status('work', 'INBOX')).toEqual({
      account: 'work', mailbox: 'INBOX', mode: 'idle', lastEventAt: 300, lastError: 'fileinto failed: NO [TRYCREATE]', lastErrorAt: 300,
      processedCount: 2, lagMs: 1500, updatedAt: 300,
    });
    // A mailbox first seen through the log starts 'offline' until the daemon says how it watches it.
    expect(s.events.status('work', 'Lists/dev')).toMatchObject({ mode: 'offline', processedCount: 1 });

    now = 400;
    s.events.setStatus('work', 'INBOX', { mode: 'poll', lastError: null, lagMs: 20 });
    const st = s.events.status('work', 'INBOX')!;
    expect(st).toMatchObject({ mode: 'poll', processedCount: 2, lagMs: 20, lastEventAt: 300, updatedAt: 400 });
    expect(st.lastError).toBeUndefined();
    expect(st.lastErrorAt).toBeUndefined();
    expect(s.events.statuses().map((x) => x.mailbox)).toEqual(['INBOX', 'Lists/dev']);

    expect(s.events.prune(250)).toBe(1);
    expect(s.events.recent().map((e) => e.uid)).toEqual(['1', '8']);
    s.close();
  });

  it('clips long subjects and errors', () => {
    const s = openState(tempDir());
    s.events.logProcessed({ account: 'a', mailbox: 'b', uid: '1', subject: 's'.repeat(5000), actions: 'keep', status: 'error', error: 'e'.repeat(5000) });
    const [e] = s.events.recent();
    expect([e?.subject?.length, e?.error?.length, s.events.status('a', 'b')?.lastError?.length]).toEqual([1000, 1000, 1000]);
    s.close();
  });
});
