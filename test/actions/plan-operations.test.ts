/** From actions to mailbox operations: copies and outbound first, the one disposition last. */
import { describe, expect, it } from 'vitest';
import { planOperations } from '../../src/actions/plan-operations.js';
import type { Action } from '../../src/runtime/actions.js';

const INBOX = { mailbox: 'INBOX' };
const keep = (flags: string[] = [], implicit = true): Action => ({ type: 'keep', implicit, flags });
const fileinto = (mailbox: string, extra: Partial<{ copy: boolean; flags: string[]; account: string; create: boolean }> = {}): Action =>
  ({ type: 'fileinto', mailbox, flags: extra.flags ?? [], copy: extra.copy ?? false, create: extra.create ?? false, ...(extra.account ? { account: extra.account } : {}) });

describe('planOperations', () => {
  it('implicit keep without flags: nothing to do, the message stays', () => {
    expect(planOperations([keep()], INBOX)).toEqual({ operations: [], stays: true });
  });

  it('keep with flags adds them in place', () => {
    const plan = planOperations([keep(['\\Flagged'])], INBOX);
    expect(plan.operations).toEqual([expect.objectContaining({ kind: 'flag', flags: ['\\Flagged'] })]);
  });

  it('a single fileinto is a move', () => {
    const plan = planOperations([fileinto('Work', { flags: ['\\Seen'] })], INBOX);
    expect(plan).toEqual({ stays: false, operations: [expect.objectContaining({ kind: 'move', target: { account: undefined, mailbox: 'Work' }, flags: ['\\Seen'] })] });
  });

  it('fileinto :copy plus the implicit keep is a copy, and the message stays', () => {
    const plan = planOperations([fileinto('Archive', { copy: true }), keep()], INBOX);
    expect(plan.stays).toBe(true);
    expect(plan.operations.map((o) => o.kind)).toEqual(['copy']);
  });

  it('two fileintos: copy to the first, move to the last', () => {
    const plan = planOperations([fileinto('A'), fileinto('B')], INBOX);
    expect(plan.operations.map((o) => [o.kind, 'target' in o ? o.target.mailbox : ''])).toEqual([['copy', 'A'], ['move', 'B']]);
  });

  it('fileinto of the mailbox the message is in is a keep', () => {
    const plan = planOperations([fileinto('Lists', { flags: ['$x'] })], { mailbox: 'Lists' });
    expect(plan).toEqual({ stays: true, operations: [expect.objectContaining({ kind: 'flag', flags: ['$x'] })] });
  });

  it('cross-account fileinto keeps the account', () => {
    const plan = planOperations([fileinto('Archive/2026', { account: 'archive' })], INBOX);
    expect(plan.operations[0]).toMatchObject({ kind: 'move', target: { account: 'archive', mailbox: 'Archive/2026' } });
  });

  it('discard is the disposition; redirect without :copy removes the original after sending', () => {
    expect(planOperations([{ type: 'discard' }], INBOX).operations.map((o) => o.kind)).toEqual(['discard']);
    const r = planOperations([{ type: 'redirect', address: 'a@example.org', copy: false }], INBOX);
    expect(r.operations.map((o) => o.kind)).toEqual(['outbound', 'discard']);
  });

  it('outbound actions come before the disposition', () => {
    const plan = planOperations([fileinto('Work'), { type: 'notify', method: 'sms:+15551234567', importance: 2, options: [] }], INBOX);
    expect(plan.operations.map((o) => o.kind)).toEqual(['outbound', 'move']);
  });

  it('keys are stable and distinct per operation', () => {
    const a = planOperations([fileinto('A', { copy: true }), fileinto('B'), keep()], INBOX).operations.map((o) => o.key);
    const b = planOperations([fileinto('A', { copy: true }), fileinto('B'), keep()], INBOX).operations.map((o) => o.key);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length);
  });
});
