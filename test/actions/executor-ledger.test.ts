/**
 * The executor and the action ledger: nothing twice, in-doubt operations finished without
 * duplicates, failures leave the message where it is; outbound handlers; dry runs.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundRegistry, type OutboundContext } from '../../src/actions/outbound.js';
import type { ExecuteInput } from '../../src/actions/types.js';
import { connectImap, type MailboxWatcher } from '../../src/connectors/imap/index.js';
import { deliverToMaildir } from '../../src/connectors/local/maildir-write.js';
import { imapLedgerKey } from '../../src/state/ledger.js';
import type { DovecotInstance } from '../support/dovecot.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { tempDir } from '../support/temp-dir.js';
import { connection, discard, fileinto, find, harness, imapAccount, input, INTERNAL_DATE, keep, put, startWatcher, type Harness } from './executor-helpers.js';

function keyOf(i: ExecuteInput, index: number) {
  const { ref } = i;
  return imapLedgerKey(ref.account, ref.mailbox, ref.uidValidity, ref.uid, i.plan.operations[index]!.key);
}

/** Does to the server what a crashed earlier attempt may have done, on its own connection. */
async function onServer<T>(d: DovecotInstance, fn: (c: Awaited<ReturnType<typeof connectImap>>) => Promise<T>): Promise<T> {
  const c = await connectImap(connection('crash', d));
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => undefined);
    c.close();
  }
}

describe('executor and the ledger', () => {
  const a = useDovecot({ notify: true, name: 'ledger-a', mailboxes: ['Work', 'Archive'] });
  const b = useDovecot({ notify: true, name: 'ledger-b', mailboxes: ['Archive'] });
  const dead = useDovecot({ notify: false, name: 'ledger-dead', mailboxes: ['Archive'] });
  const local = tempDir('executor-ledger-');
  let wa: MailboxWatcher;
  let wb: MailboxWatcher;
  let wdead: MailboxWatcher;
  let h: Harness;

  beforeAll(async () => {
    [wa, wb, wdead] = await Promise.all([startWatcher('work', a), startWatcher('home', b), startWatcher('dead', dead)]);
    h = harness(
      { work: imapAccount('work', a), home: imapAccount('home', b), dead: imapAccount('dead', dead), archive: { type: 'maildir', name: 'archive', path: join(local, 'Maildir') } },
      { work: wa, home: wb, dead: wdead },
    );
  });
  afterAll(async () => {
    await Promise.all([wa?.stop(), wb?.stop(), wdead?.stop()]);
    h?.dispose();
  });

  it('running the same input twice does nothing the second time', async () => {
    const m = await put(a, 'work');
    const i = input(m.ref, [fileinto('Archive', { copy: true }), fileinto('Archive', { account: 'home', copy: true }), keep(['\\Flagged'])]);
    const first = await h.run(i);
    expect(first.results.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    const second = await h.run(i);
    expect(second).toEqual({ status: 'done', results: i.plan.operations.map((o) => ({ key: o.key, kind: o.kind, status: 'already-done' })) });
    expect(await find(a, 'Archive', m.messageId)).toHaveLength(1);
    expect(await find(b, 'Archive', m.messageId)).toHaveLength(1);
    expect(h.state.ledger.get(keyOf(i, 0))).toMatchObject({ state: 'done', attempts: 1, detail: expect.stringContaining('copied to "Archive"') });
  });

  it('an in-doubt move whose copy already arrived (crash before the EXPUNGE) is finished without a duplicate', async () => {
    const m = await put(a, 'work');
    const i = input(m.ref, [fileinto('Work', { flags: ['\\Flagged'] })]);
    await onServer(a, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageCopy(String(m.ref.uid), 'Work', { uid: true });
    });
    expect(h.state.ledger.begin(keyOf(i, 0))).toBe('run'); // ... and then the process died
    const out = await h.run(i);
    expect(out.results[0]).toMatchObject({ status: 'done', detail: expect.stringMatching(/already in "Work".*source expunged/) });
    expect((await find(a, 'Work', m.messageId)).map((x) => x.flags)).toEqual([['\\Flagged']]);
    expect(await find(a, 'INBOX', m.messageId)).toEqual([]);
    expect(h.logs).toContainEqual(expect.objectContaining({ code: 'in-doubt-resolved', uid: m.ref.uid }));
  });

  it('an in-doubt move whose source is gone is marked done, nothing is redone', async () => {
    const m = await put(a, 'work');
    const i = input(m.ref, [fileinto('Work')]);
    await onServer(a, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageMove(String(m.ref.uid), 'Work', { uid: true });
    });
    h.state.ledger.begin(keyOf(i, 0));
    const out = await h.run(i);
    expect(out.results[0]).toMatchObject({ status: 'done', detail: expect.stringContaining('source is gone') });
    expect(await find(a, 'Work', m.messageId)).toHaveLength(1);
  });

  it('an in-doubt move to another server whose APPEND got through is not appended again', async () => {
    const m = await put(a, 'work', 'INBOX', ['\\Seen']);
    const i = input(m.ref, [fileinto('Archive', { account: 'home' })]);
    await onServer(b, (c) => c.append('Archive', m.raw, ['\\Seen'], INTERNAL_DATE));
    h.state.ledger.begin(keyOf(i, 0));
    const out = await h.run(i);
    expect(out.results[0]).toMatchObject({ status: 'done', detail: expect.stringMatching(/already stored.*source expunged/) });
    expect(await find(b, 'Archive', m.messageId)).toHaveLength(1);
    expect(await find(a, 'INBOX', m.messageId)).toEqual([]);
  });

  it('an in-doubt copy that did not happen is done now, once', async () => {
    const m = await put(a, 'work');
    const i = input(m.ref, [fileinto('Archive', { account: 'home', copy: true }), keep([], true)]);
    h.state.ledger.begin(keyOf(i, 0));
    expect((await h.run(i)).status).toBe('done');
    expect(await find(b, 'Archive', m.messageId)).toHaveLength(1);
    expect(h.state.ledger.get(keyOf(i, 0))).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('an in-doubt Maildir delivery that was renamed into place is not delivered twice', async () => {
    const m = await put(a, 'work');
    const i = input(m.ref, [fileinto('Saved', { account: 'archive', create: true })]);
    await deliverToMaildir(join(local, 'Maildir'), 'Saved', m.raw, { create: true });
    h.state.ledger.begin(keyOf(i, 0));
    const out = await h.run(i);
    expect(out.results[0]).toMatchObject({ status: 'done', detail: expect.stringMatching(/already stored before a restart.*source expunged/) });
    expect(readdirSync(join(local, 'Maildir', '.Saved', 'new'))).toHaveLength(1);
    expect(await find(a, 'INBOX', m.messageId)).toEqual([]);
  });

  it('a target on a dead server fails the operation, skips the disposition, keeps the message; it works once the server is back', async () => {
    await dead.kill();
    const m = await put(a, 'work');
    const i = input(m.ref, [fileinto('Archive', { account: 'dead', copy: true }), fileinto('Work')]);
    const out = await h.run(i);
    expect(out.status).toBe('failed');
    expect(out.results.map((r) => r.status)).toEqual(['failed', 'skipped']);
    expect(out.error).toMatch(/not connected|connection/i);
    expect(await find(a, 'INBOX', m.messageId)).toHaveLength(1);
    expect(await find(a, 'Work', m.messageId)).toEqual([]);
    // Nothing was sent to the dead server: a clean failure, retried from scratch later.
    expect(h.state.ledger.get(keyOf(i, 0))).toMatchObject({ state: 'failed', error: expect.stringContaining('IMAP_CONNECTION_LOST') });
    expect(h.state.ledger.get(keyOf(i, 1))).toBeUndefined();

    await dead.restart();
    for (let t = 0; wdead.status().phase !== 'watching'; t++) {
      if (t > 200) throw new Error('watcher did not reconnect');
      await new Promise((r) => setTimeout(r, 50));
    }
    const again = await h.run(i);
    expect(again.results.map((r) => r.status)).toEqual(['done', 'done']);
    expect(await find(dead, 'Archive', m.messageId)).toHaveLength(1);
    expect(await find(a, 'Work', m.messageId)).toHaveLength(1);
  });

  it('an outbound action without a handler fails "not configured" and the message stays', async () => {
    const m = await put(a, 'work');
    const i = input(m.ref, [{ type: 'redirect', address: 'x@example.test', copy: false }]);
    expect(i.plan.operations.map((o) => o.kind)).toEqual(['outbound', 'discard']);
    const out = await h.run(i);
    expect(out.results.map((r) => r.status)).toEqual(['failed', 'skipped']);
    expect(out.error).toMatch(/^redirect: no handler is configured/);
    expect(await find(a, 'INBOX', m.messageId)).toHaveLength(1);
    expect(h.state.ledger.get(keyOf(i, 0))).toMatchObject({ state: 'failed', error: expect.stringContaining('OUTBOUND_NOT_CONFIGURED') });
  });

  it('a registered outbound handler runs once, gets the message, and its detail is recorded', async () => {
    const m = await put(a, 'work');
    const calls: OutboundContext[] = [];
    let bytes: Uint8Array | undefined;
    const outbound = createOutboundRegistry({
      notify: {
        run: async (ctx) => {
          calls.push(ctx);
          bytes = await ctx.message();
          return `notified ${ctx.action.method}`;
        },
      },
    });
    const i = input(m.ref, [{ type: 'notify', method: 'mailto:me@example.test', importance: 2, options: [] }, keep([], true)]);
    expect((await h.run(i, { outbound })).results).toEqual([expect.objectContaining({ status: 'done', detail: 'notified mailto:me@example.test' })]);
    expect((await h.run(i, { outbound })).results[0]!.status).toBe('already-done');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.inDoubt).toBe(false);
    expect(Buffer.from(bytes!).equals(m.raw)).toBe(true);
  });

  it('a dry run describes every operation and touches nothing', async () => {
    const m = await put(a, 'work');
    const i = input(m.ref, [fileinto('Archive', { account: 'home', copy: true }), fileinto('Work', { flags: ['\\Seen'] }), { type: 'vacation', reason: 'away', addresses: [], mime: false, handle: 'h', seconds: 86400, days: 1 }], { dryRun: true });
    const out = await h.run(i);
    expect(out.status).toBe('done');
    expect(out.results.map((r) => r.status)).toEqual(['planned', 'planned', 'planned']);
    expect(out.results.map((r) => r.detail)).toEqual([
      expect.stringMatching(/^would vacation reply.*no handler/),
      'would copy to "Archive" on home (FETCH + APPEND)',
      'would move to "Work" with flags \\Seen',
    ]);
    expect(await find(a, 'INBOX', m.messageId)).toHaveLength(1);
    expect(await find(b, 'Archive', m.messageId)).toEqual([]);
    expect(h.state.ledger.get(keyOf(i, 1))).toBeUndefined();
  });

  it('discard in a dry run names the policy', async () => {
    const m = await put(a, 'work');
    const out = await h.run(input(m.ref, [discard], { dryRun: true }));
    expect(out.results[0]!.detail).toBe("would move the message to the account's Trash");
  });
});
