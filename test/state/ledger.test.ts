import { describe, expect, it } from 'vitest';
import { openState } from '../../src/state/db.js';
import { imapLedgerKey, type LedgerKey } from '../../src/state/ledger.js';
import { tempDir } from './helpers/tmp.js';

let clock = 1_000;
const state = openState(tempDir(), { now: () => clock });
const ledger = state.ledger;
let n = 0;
const freshKey = (action = 'fileinto:Archive'): LedgerKey => imapLedgerKey('work', 'INBOX', 42n, ++n, action);

describe('ledger.begin', () => {
  it('runs a new action, then reports it in doubt until it is completed', () => {
    const key = freshKey();
    expect(ledger.begin(key)).toBe('run');
    expect(ledger.get(key)).toMatchObject({ state: 'started', attempts: 1, startedAt: 1000 });
    // A crash here: the next begin cannot know whether the action happened.
    expect(ledger.begin(key)).toBe('in-doubt');
    expect(ledger.get(key)).toMatchObject({ state: 'started', attempts: 2 });
    clock = 2_000;
    ledger.complete(key, 'moved as UID 812');
    expect(ledger.get(key)).toMatchObject({ state: 'done', detail: 'moved as UID 812', finishedAt: 2000, attempts: 2 });
    expect(ledger.begin(key)).toBe('done');
    expect(ledger.get(key)?.attempts).toBe(2);
  });

  it('runs a failed action again (a recorded failure means it did not happen)', () => {
    const key = freshKey('redirect:boss@example.com');
    ledger.begin(key);
    ledger.fail(key, 'SMTP 451 try later');
    expect(ledger.get(key)).toMatchObject({ state: 'failed', error: 'SMTP 451 try later' });
    expect(ledger.begin(key)).toBe('run');
    expect(ledger.get(key)).toMatchObject({ state: 'started', attempts: 2 });
    expect(ledger.get(key)?.error).toBeUndefined();
  });

  it('keys on every field: another action, UID or UIDVALIDITY is another row', () => {
    const key = freshKey('a');
    ledger.begin(key);
    ledger.complete(key);
    expect(ledger.begin({ ...key, action: 'b' })).toBe('run');
    expect(ledger.begin({ ...key, uid: `${key.uid}0` })).toBe('run');
    expect(ledger.begin({ ...key, uidvalidity: '43' })).toBe('run');
    expect(ledger.begin({ ...key, folder: 'Other' })).toBe('run');
    expect(ledger.begin({ ...key, source: 'home' })).toBe('run');
  });

  it('fits non-IMAP sources: POP3 UIDL and SMTP queue ids with empty folder/uidvalidity', () => {
    const pop = { source: 'pop', folder: '', uidvalidity: '', uid: '1a2b3c-UIDL', action: 'fileinto:INBOX' };
    expect(ledger.begin(pop)).toBe('run');
    ledger.complete(pop);
    expect(ledger.begin(pop)).toBe('done');
  });
});

describe('ledger.complete and fail', () => {
  it('refuse a key that was never begun', () => {
    expect(() => ledger.complete(freshKey())).toThrow(expect.objectContaining({ code: 'STATE_MISUSE' }));
    expect(() => ledger.fail(freshKey(), 'x')).toThrow(expect.objectContaining({ code: 'STATE_MISUSE' }));
  });

  it('fail does not undo a done action', () => {
    const key = freshKey();
    ledger.begin(key);
    ledger.complete(key);
    ledger.fail(key, 'late');
    expect(ledger.get(key)?.state).toBe('done');
  });

  it('clips long error texts', () => {
    const key = freshKey();
    ledger.begin(key);
    ledger.fail(key, 'x'.repeat(10_000));
    expect(ledger.get(key)?.error?.length).toBe(2000);
  });

  it.each([
    ['a number uid', { uid: 5 }],
    ['an empty action', { action: '' }],
  ])('refuse a key with %s', (_n, patch) => {
    expect(() => ledger.begin({ ...freshKey(), ...patch } as unknown as LedgerKey)).toThrow(expect.objectContaining({ code: 'STATE_MISUSE' }));
  });
});

describe('ledger.inTransaction', () => {
  it('commits everything or nothing', () => {
    const a = freshKey();
    const b = freshKey();
    ledger.begin(a);
    ledger.begin(b);
    expect(() =>
      ledger.inTransaction(() => {
        ledger.complete(a);
        state.checkpoints.reset({ account: 'work', mailbox: 'T', uidvalidity: 1n, lastUid: 99 });
        ledger.complete(b);
        throw new Error('crash');
      }),
    ).toThrow('crash');
    expect(ledger.get(a)?.state).toBe('started');
    expect(state.checkpoints.get('work', 'T')).toBeUndefined();
    const r = ledger.inTransaction(() => {
      ledger.complete(a);
      ledger.complete(b);
      return 'ok';
    });
    expect(r).toBe('ok');
    expect([ledger.get(a)?.state, ledger.get(b)?.state]).toEqual(['done', 'done']);
  });

  it('nests (as a savepoint) and refuses an async function', () => {
    const key = freshKey();
    ledger.inTransaction(() => {
      ledger.inTransaction(() => ledger.begin(key));
    });
    expect(ledger.get(key)?.state).toBe('started');
    expect(() => ledger.inTransaction((async () => 1) as unknown as () => number)).toThrow(/promise/);
  });
});

describe('ledger.unfinished and prune', () => {
  it('lists started and failed rows, and prunes only finished ones', () => {
    const s = openState(tempDir(), { now: () => clock });
    const k = (uid: string): LedgerKey => ({ source: 'x', folder: 'INBOX', uidvalidity: '1', uid, action: 'a' });
    clock = 10;
    s.ledger.begin(k('1'));
    s.ledger.begin(k('2'));
    s.ledger.fail(k('2'), 'nope');
    s.ledger.begin(k('3'));
    s.ledger.complete(k('3'));
    expect(s.ledger.unfinished().map((e) => [e.uid, e.state])).toEqual([['1', 'started'], ['2', 'failed']]);
    expect(s.ledger.unfinished('y')).toEqual([]);
    expect(s.ledger.prune(11)).toBe(2);
    expect(s.ledger.get(k('1'))?.state).toBe('started');
    s.close();
  });
});
