import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openState } from '../../src/state/db.js';
import { normalizeUidvalidity } from '../../src/state/checkpoints.js';
import { tempDir } from './helpers/tmp.js';

const base = { account: 'work', mailbox: 'INBOX' };

describe('checkpoints', () => {
  const state = openState(tempDir(), { now: () => 1234 });
  const cp = state.checkpoints;

  it('starts absent, and advance creates it', () => {
    expect(cp.get('work', 'Nowhere')).toBeUndefined();
    expect(cp.advance({ ...base, mailbox: 'New', uidvalidity: 5n, lastUid: 3 })).toEqual({ ...base, mailbox: 'New', uidvalidity: '5', lastUid: 3, updatedAt: 1234 });
  });

  it('never moves backwards', () => {
    cp.reset({ ...base, uidvalidity: 42n, lastUid: 0 });
    expect(cp.advance({ ...base, uidvalidity: 42n, lastUid: 10 }).lastUid).toBe(10);
    expect(cp.advance({ ...base, uidvalidity: 42n, lastUid: 7 }).lastUid).toBe(10);
    expect(cp.advance({ ...base, uidvalidity: 42n, lastUid: 10 }).lastUid).toBe(10);
    expect(cp.get('work', 'INBOX')?.lastUid).toBe(10);
  });

  it('keeps the highest MODSEQ, up to 63 bits, and keeps it when none is given', () => {
    cp.reset({ ...base, uidvalidity: 1n, lastUid: 0 });
    expect(cp.get('work', 'INBOX')?.highestModseq).toBeUndefined();
    const big = (1n << 63n) - 1n;
    expect(cp.advance({ ...base, uidvalidity: 1n, lastUid: 1, highestModseq: big - 5n }).highestModseq).toBe(big - 5n);
    expect(cp.advance({ ...base, uidvalidity: 1n, lastUid: 2, highestModseq: 17n }).highestModseq).toBe(big - 5n);
    expect(cp.advance({ ...base, uidvalidity: 1n, lastUid: 3 }).highestModseq).toBe(big - 5n);
    expect(cp.advance({ ...base, uidvalidity: 1n, lastUid: 3, highestModseq: big }).highestModseq).toBe(big);
  });

  it('treats 42n, 42 and "042" as the same UIDVALIDITY', () => {
    expect(['42', normalizeUidvalidity(42), normalizeUidvalidity('042'), normalizeUidvalidity(42n)]).toEqual(['42', '42', '42', '42']);
    cp.reset({ ...base, uidvalidity: '042', lastUid: 1 });
    expect(cp.advance({ ...base, uidvalidity: 42, lastUid: 2 }).uidvalidity).toBe('42');
  });

  it('refuses to advance across a UIDVALIDITY change; reset moves it, even backwards', () => {
    cp.reset({ ...base, uidvalidity: 100n, lastUid: 50 });
    expect(() => cp.advance({ ...base, uidvalidity: 101n, lastUid: 60 })).toThrow(expect.objectContaining({ code: 'STATE_MISUSE' }));
    expect(cp.get('work', 'INBOX')).toMatchObject({ uidvalidity: '100', lastUid: 50 });
    expect(cp.reset({ ...base, uidvalidity: 101n })).toMatchObject({ uidvalidity: '101', lastUid: 0 });
  });

  it.each([
    ['negative UID', { lastUid: -1 }],
    ['fractional UID', { lastUid: 1.5 }],
    ['UID over 2^32-1', { lastUid: 2 ** 32 }],
    ['bad UIDVALIDITY', { uidvalidity: 'abc' }],
    ['negative MODSEQ', { highestModseq: -1n }],
  ])('refuses a %s with STATE_MISUSE', (_name, patch) => {
    expect(() => cp.advance({ ...base, uidvalidity: 1n, lastUid: 1, ...patch })).toThrow(expect.objectContaining({ code: 'STATE_MISUSE' }));
  });

  it('lists and removes', () => {
    cp.reset({ account: 'other', mailbox: 'A', uidvalidity: 1n });
    expect(cp.list('other').map((c) => c.mailbox)).toEqual(['A']);
    expect(cp.list().length).toBeGreaterThanOrEqual(2);
    expect(cp.remove('other', 'A')).toBe(true);
    expect(cp.remove('other', 'A')).toBe(false);
  });

  it('ends at the maximum of any sequence of advances (property)', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff_ffff }), { minLength: 1, maxLength: 30 }), (uids) => {
        const mailbox = `prop-${n++}`;
        cp.reset({ account: 'p', mailbox, uidvalidity: 9n });
        let max = 0;
        for (const uid of uids) {
          max = Math.max(max, uid);
          expect(cp.advance({ account: 'p', mailbox, uidvalidity: 9n, lastUid: uid }).lastUid).toBe(max);
        }
        expect(cp.get('p', mailbox)?.lastUid).toBe(max);
      }),
      { numRuns: 50 },
    );
  });
});
