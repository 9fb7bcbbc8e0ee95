/**
 * The executor on one IMAP account (real Dovecot 2.3): move, the COPY + UID EXPUNGE fallback,
 * copy, flags, :create, discard to Trash or expunged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxWatcher } from '../../src/connectors/imap/index.js';
import { imapLedgerKey } from '../../src/state/ledger.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { discard, fileinto, find, harness, imapAccount, input, keep, look, put, startWatcher, type Harness } from './executor-helpers.js';

describe.each([{ notify: true }, { notify: false }])('executor, same IMAP account (NOTIFY: $notify)', ({ notify }) => {
  const d = useDovecot({ notify, name: `exec-imap-${notify}`, mailboxes: ['Work', 'Archive', 'Other'] });
  let w: MailboxWatcher;
  let h: Harness;
  let hx: Harness;

  beforeAll(async () => {
    w = await startWatcher('work', d);
    h = harness({ work: imapAccount('work', d) }, { work: w });
    hx = harness({ work: imapAccount('work', d, { discard: 'expunge' }) }, { work: w });
  });
  afterAll(async () => {
    await w?.stop();
    h?.dispose();
    hx?.dispose();
  });

  it('moves with UID MOVE', async () => {
    const m = await put(d, 'work', 'INBOX', ['\\Seen']);
    const out = await h.run(input(m.ref, [fileinto('Work')]));
    expect(out).toEqual({ status: 'done', results: [expect.objectContaining({ kind: 'move', status: 'done', detail: expect.stringContaining('UID MOVE') })] });
    expect(await find(d, 'INBOX', m.messageId)).toEqual([]);
    const there = await find(d, 'Work', m.messageId);
    expect(there).toHaveLength(1);
    expect(there[0]!.flags).toEqual(['\\Seen']);
    expect(there[0]!.raw.equals(m.raw)).toBe(true);
  });

  it('without MOVE: UID COPY + \\Deleted + UID EXPUNGE of that UID only', async () => {
    const other = await put(d, 'work', 'INBOX', ['\\Deleted'], 'someone else deleted this');
    const m = await put(d, 'work');
    const out = await h.run(input(m.ref, [fileinto('Work', { flags: ['\\Flagged'] })]), { ignoreCapabilities: ['MOVE'] });
    expect(out.status).toBe('done');
    expect(out.results[0]!.detail).toContain('UID COPY + UID EXPUNGE');
    expect(await find(d, 'INBOX', m.messageId)).toEqual([]);
    expect((await find(d, 'Work', m.messageId)).map((x) => x.flags)).toEqual([['\\Flagged']]);
    // A plain EXPUNGE would have taken this one too.
    expect(await find(d, 'INBOX', other.messageId)).toHaveLength(1);
  });

  it('without MOVE and UIDPLUS: copies, flags \\Deleted, never a plain EXPUNGE, and says so', async () => {
    const other = await put(d, 'work', 'INBOX', ['\\Deleted'], 'keep me');
    const m = await put(d, 'work');
    const out = await h.run(input(m.ref, [fileinto('Work', { flags: ['$Label1'] })]), { ignoreCapabilities: ['MOVE', 'UIDPLUS'] });
    expect(out.status).toBe('done');
    expect((await find(d, 'INBOX', m.messageId))[0]!.flags).toContain('\\Deleted');
    expect((await find(d, 'Work', m.messageId))[0]!.flags).toContain('$Label1');
    expect(await find(d, 'INBOX', other.messageId)).toHaveLength(1);
    expect(h.logs).toContainEqual(expect.objectContaining({ level: 'warn', code: 'no-uidplus', uid: m.ref.uid }));
  });

  it('copies with :copy (the message stays) and puts the flags on the copy only', async () => {
    const m = await put(d, 'work');
    const out = await h.run(input(m.ref, [fileinto('Archive', { copy: true, flags: ['\\Flagged', 'archived'] }), keep([], true)]));
    expect(out.results).toEqual([expect.objectContaining({ kind: 'copy', status: 'done' })]);
    expect((await find(d, 'INBOX', m.messageId))[0]!.flags).toEqual([]);
    expect((await find(d, 'Archive', m.messageId))[0]!.flags).toEqual(['\\Flagged', 'archived']);
  });

  it('keep with flags sets them in place', async () => {
    const m = await put(d, 'work', 'INBOX', ['\\Seen']);
    const out = await h.run(input(m.ref, [keep(['\\Flagged', 'todo'])]));
    expect(out.results).toEqual([expect.objectContaining({ kind: 'flag', status: 'done' })]);
    expect((await find(d, 'INBOX', m.messageId))[0]!.flags).toEqual(['\\Flagged', '\\Seen', 'todo']);
  });

  it('flags on a move end up on the moved message, next to the ones it had', async () => {
    const m = await put(d, 'work', 'INBOX', ['\\Seen']);
    await h.run(input(m.ref, [fileinto('Work', { flags: ['\\Flagged', 'project-x'] })]));
    expect((await find(d, 'Work', m.messageId))[0]!.flags).toEqual(['\\Flagged', '\\Seen', 'project-x']);
  });

  it(':create creates the mailbox first; without it a missing mailbox fails and the message stays', async () => {
    const a = await put(d, 'work');
    const ok = await h.run(input(a.ref, [fileinto('New/Sub', { create: true })]));
    expect(ok.status).toBe('done');
    expect(await find(d, 'New/Sub', a.messageId)).toHaveLength(1);

    const b = await put(d, 'work');
    const bad = await h.run(input(b.ref, [fileinto('Missing')]));
    expect(bad).toMatchObject({ status: 'failed', results: [{ status: 'failed' }] });
    expect(bad.error).toMatch(/Missing/);
    expect(await find(d, 'INBOX', b.messageId)).toHaveLength(1);
    // Refused by the server: it did not happen, so the ledger says failed (a retry may run it).
    const row = h.state.ledger.get(imapLedgerKey('work', 'INBOX', b.ref.uidValidity, b.ref.uid, input(b.ref, [fileinto('Missing')]).plan.operations[0]!.key));
    expect(row).toMatchObject({ state: 'failed', error: expect.stringMatching(/^IMAP_MAILBOX_MISSING: UID MOVE to "Missing" failed: .*Missing \(no :create given\)$/) });
  });

  it('discard moves to the special-use \\Trash mailbox', async () => {
    const m = await put(d, 'work');
    const out = await h.run(input(m.ref, [discard]));
    expect(out.results).toEqual([expect.objectContaining({ kind: 'discard', status: 'done' })]);
    expect(await find(d, 'INBOX', m.messageId)).toEqual([]);
    expect(await find(d, 'Trash', m.messageId)).toHaveLength(1);
  });

  it('discard = "expunge": \\Deleted + UID EXPUNGE of that UID; other \\Deleted messages stay', async () => {
    const other = await put(d, 'work', 'INBOX', ['\\Deleted'], 'not mine');
    const m = await put(d, 'work');
    const out = await hx.run(input(m.ref, [discard]));
    expect(out.results[0]).toMatchObject({ status: 'done', detail: 'expunged' });
    expect(await find(d, 'INBOX', m.messageId)).toEqual([]);
    expect(await find(d, 'Trash', m.messageId)).toEqual([]);
    expect(await find(d, 'INBOX', other.messageId)).toHaveLength(1);
  });

  it('a fileinto of its own mailbox through :account is a keep, not a second copy', async () => {
    const m = await put(d, 'work');
    const out = await h.run(input(m.ref, [fileinto('INBOX', { account: 'work', flags: ['\\Flagged'] })]));
    expect(out.status).toBe('done');
    expect((await find(d, 'INBOX', m.messageId)).map((x) => x.flags)).toEqual([['\\Flagged']]);
  });

  it('a message that is gone, or a recreated mailbox, fails with a code and changes nothing', async () => {
    const m = await put(d, 'work');
    const gone = await h.run(input({ ...m.ref, uid: m.ref.uid + 1000 }, [fileinto('Work')]));
    expect(gone.error).toMatch(/no longer in "INBOX"/);
    const stale = await h.run(input({ ...m.ref, uidValidity: m.ref.uidValidity + 1 }, [fileinto('Work')]));
    expect(stale.error).toMatch(/UIDVALIDITY/);
    expect(await find(d, 'INBOX', m.messageId)).toHaveLength(1);
    expect(await find(d, 'Work', m.messageId)).toEqual([]);
  });

  it('copies, then the disposition, in order: copy to Archive and move to Other', async () => {
    const m = await put(d, 'work');
    const out = await h.run(input(m.ref, [fileinto('Archive'), fileinto('Other')]));
    expect(out.results.map((r) => [r.kind, r.status])).toEqual([['copy', 'done'], ['move', 'done']]);
    expect(await find(d, 'Archive', m.messageId)).toHaveLength(1);
    expect(await find(d, 'Other', m.messageId)).toHaveLength(1);
    expect(await find(d, 'INBOX', m.messageId)).toHaveLength(0);
  });

  it('the watcher connection stays usable for fetching afterwards', async () => {
    const seen = [];
    for await (const x of w.fetchNew('INBOX', 0, { full: false })) seen.push(x.uid);
    expect(seen.length).toBeGreaterThan(0);
    expect((await look(d, 'INBOX')).length).toBe(seen.length);
  });
});
