/**
 * An outbound action left in doubt by a crash does not count as delivery (the same rule as
 * the SMTP intake, b983d5d, and POP3, 711f2d7). `redirect "x"; discard;`, or a redirect
 * without :copy, whose redirect was started and never finished: on the next run the redirect
 * handler does not send again (a second copy out is worse than none), so the message may
 * never have left. The discard that follows must not run, or the mail may be gone everywhere.
 * Real pieces: Dovecot, the daemon's outbound registry (redirect over SMTP) against a real
 * SMTP sink, the state database's ledger. The crash is simulated as in executor-ledger: the
 * ledger's begin() is called and the process "dies" before complete().
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecuteInput } from '../../src/actions/types.js';
import type { MailboxWatcher } from '../../src/connectors/imap/index.js';
import { createOutbound, type Outbound } from '../../src/outbound/index.js';
import type { Action } from '../../src/runtime/actions.js';
import { imapLedgerKey } from '../../src/state/ledger.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { useSmtpSink } from '../support/smtp-sink-fixture.js';
import { discard, fileinto, find, harness, imapAccount, input, put, startWatcher, type Harness } from './executor-helpers.js';

const redirect = (copy: boolean): Action => ({ type: 'redirect', address: 'x@example.org', copy });

function keyOf(i: ExecuteInput, index: number) {
  const { ref } = i;
  return imapLedgerKey(ref.account, ref.mailbox, ref.uidValidity, ref.uid, i.plan.operations[index]!.key);
}

describe('executor: an outbound action left in doubt keeps the message', () => {
  const d = useDovecot({ notify: true, name: 'in-doubt-outbound', mailboxes: ['Trash', 'Archive'] });
  const sink = useSmtpSink();
  let w: MailboxWatcher;
  let h: Harness;
  let out: Outbound;

  beforeAll(async () => {
    w = await startWatcher('work', d);
    // 'work' discards to Trash, 'gone' (the same mailbox store) expunges.
    const accounts = { work: imapAccount('work', d), gone: imapAccount('gone', d, { discard: 'expunge' }) };
    h = harness(accounts, { work: w, gone: w });
    out = createOutbound({ config: { accounts, outgoing: { host: '127.0.0.1', port: sink.port, tls: 'none', allowInsecure: false, from: 'me@example.test' } }, db: h.state.db, memory: h.state.duplicates });
  });
  afterAll(async () => {
    out?.close();
    await w?.stop();
    h?.dispose();
  });

  const cases: { name: string; account: string; actions: Action[] }[] = [
    { name: 'redirect "x"; discard; (discard to Trash)', account: 'work', actions: [redirect(true), discard] },
    { name: 'redirect "x"; discard; (discard = expunge)', account: 'gone', actions: [redirect(true), discard] },
    { name: 'redirect "x" without :copy (discard = expunge)', account: 'gone', actions: [redirect(false)] },
  ];
  for (const c of cases) {
    it(`${c.name}: the redirect is not resent and the message stays where it is`, async () => {
      const m = await put(d, c.account);
      const i = input(m.ref, c.actions);
      expect(i.plan.operations.map((o) => o.kind)).toEqual(['outbound', 'discard']);
      expect(h.state.ledger.begin(keyOf(i, 0))).toBe('run'); // ... and then the process died
      sink.messages.length = 0;
      const first = await h.run(i, { outbound: out.registry });
      expect(sink.messages).toHaveLength(0); // not resent: the first attempt may have gone out
      expect(first.status).toBe('done');
      expect(first.results[1]).toMatchObject({ kind: 'discard', status: 'done', detail: expect.stringMatching(/^not discarded/) });
      expect(await find(d, 'INBOX', m.messageId)).toHaveLength(1);
      expect(await find(d, 'Trash', m.messageId)).toEqual([]);
      expect(h.logs).toContainEqual(expect.objectContaining({ code: 'in-doubt-kept', uid: m.ref.uid }));
      // Run again (a sweep, a reprocess): still nothing sent, still not discarded.
      const again = await h.run(i, { outbound: out.registry });
      expect(again.results.map((r) => r.status)).toEqual(['already-done', 'already-done']);
      expect(sink.messages).toHaveLength(0);
      expect(await find(d, 'INBOX', m.messageId)).toHaveLength(1);
    });
  }

  it('a crash right after the discard was held (the redirect still in doubt) does not discard either', async () => {
    const m = await put(d, 'gone');
    const i = input(m.ref, [redirect(false)]);
    h.state.ledger.begin(keyOf(i, 0));
    await h.run(i, { outbound: out.registry });
    // As if the process had died after holding the discard and before completing the redirect.
    h.state.db.prepare("UPDATE ledger SET state = 'started', detail = NULL, finished_at = NULL WHERE action = ? AND uid = ?").run(i.plan.operations[0]!.key, String(m.ref.uid));
    const again = await h.run(i, { outbound: out.registry });
    expect(again.results.map((r) => r.status)).toEqual(['done', 'already-done']);
    expect(sink.messages).toHaveLength(0);
    expect(await find(d, 'INBOX', m.messageId)).toHaveLength(1);
  });

  it('an in-doubt redirect before a fileinto: the message is stored in the target, so the move goes ahead', async () => {
    const m = await put(d, 'work');
    const i = input(m.ref, [redirect(true), fileinto('Archive')]);
    expect(i.plan.operations.map((o) => o.kind)).toEqual(['outbound', 'move']);
    h.state.ledger.begin(keyOf(i, 0));
    sink.messages.length = 0;
    const res = await h.run(i, { outbound: out.registry });
    expect(res.results.map((r) => r.status)).toEqual(['done', 'done']);
    expect(sink.messages).toHaveLength(0);
    expect(await find(d, 'INBOX', m.messageId)).toEqual([]);
    expect(await find(d, 'Archive', m.messageId)).toHaveLength(1);
  });

  it('a redirect that went out but could not be recorded done is not sent again, and the message stays', async () => {
    const m = await put(d, 'gone');
    const i = input(m.ref, [redirect(false)]);
    sink.messages.length = 0;
    // A real SQLite failure on the write that records the redirect done, and on nothing else
    // (as a full disk or an I/O error can refuse one write and not the next).
    h.state.db.exec("CREATE TEMP TRIGGER refuse_done BEFORE UPDATE ON ledger WHEN NEW.state = 'done' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    let first: Awaited<ReturnType<typeof h.run>>;
    try {
      first = await h.run(i, { outbound: out.registry });
    } finally {
      h.state.db.exec('DROP TRIGGER refuse_done');
    }
    expect(first.status).toBe('failed');
    expect(await sink.waitFor(1)).toHaveLength(1);
    expect(await find(d, 'INBOX', m.messageId)).toHaveLength(1);
    // The next run finds the redirect in doubt (not failed): no second copy, no discard.
    const again = await h.run(i, { outbound: out.registry });
    expect(again.results.map((r) => r.status)).toEqual(['done', 'done']);
    expect(again.results[1]).toMatchObject({ kind: 'discard', detail: expect.stringMatching(/^not discarded/) });
    expect(sink.messages).toHaveLength(1);
    expect(await find(d, 'INBOX', m.messageId)).toHaveLength(1);
  });

  it('without a crash the redirect is sent and the discard runs (the rule applies only in doubt)', async () => {
    const m = await put(d, 'gone');
    const i = input(m.ref, [redirect(false)]);
    sink.messages.length = 0;
    const res = await h.run(i, { outbound: out.registry });
    expect(res.results.map((r) => r.status)).toEqual(['done', 'done']);
    expect(await sink.waitFor(1)).toHaveLength(1);
    expect(await find(d, 'INBOX', m.messageId)).toEqual([]);
  });
});
