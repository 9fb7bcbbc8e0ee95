/**
 * The executor across stores: IMAP → IMAP on another Dovecot (FETCH + APPEND, flags and
 * INTERNALDATE kept, the source deleted only after verification), IMAP → Maildir, IMAP →
 * mbox, and an edited message (editheader) stored by APPEND.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import type { MailboxWatcher } from '../../src/connectors/imap/index.js';
import { imapLedgerKey } from '../../src/state/ledger.js';
import { readMbox } from '../../src/connectors/local/mbox.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { tempDir } from '../support/temp-dir.js';
import { fileinto, find, harness, imapAccount, input, INTERNAL_DATE, keep, put, startWatcher, type Harness } from './executor-helpers.js';

describe('executor, across stores', () => {
  const a = useDovecot({ notify: true, name: 'exec-a' });
  const b = useDovecot({ notify: false, name: 'exec-b', mailboxes: ['Archive'] });
  const local = tempDir('executor-local-');
  let wa: MailboxWatcher;
  let wb: MailboxWatcher;
  let h: Harness;

  beforeAll(async () => {
    [wa, wb] = await Promise.all([startWatcher('work', a), startWatcher('home', b)]);
    h = harness(
      {
        work: imapAccount('work', a),
        home: imapAccount('home', b),
        archive: { type: 'maildir', name: 'archive', path: join(local, 'Maildir') },
        old: { type: 'mbox', name: 'old', path: join(local, 'old.mbox') },
      },
      { work: wa, home: wb },
    );
  });
  afterAll(async () => {
    await Promise.all([wa?.stop(), wb?.stop()]);
    h?.dispose();
  });

  it('moves to another server: same bytes, flags (minus \\Recent) plus the rule\'s, INTERNALDATE; then deletes the source', async () => {
    const m = await put(a, 'work', 'INBOX', ['\\Seen', '$Important']);
    const out = await h.run(input(m.ref, [fileinto('Archive', { account: 'home', flags: ['\\Flagged'] })]));
    expect(out.status).toBe('done');
    expect(out.results[0]!.detail).toMatch(/APPENDUID.*source expunged/);
    expect(await find(a, 'INBOX', m.messageId)).toEqual([]);
    const there = await find(b, 'Archive', m.messageId);
    expect(there).toHaveLength(1);
    expect(there[0]!.raw.equals(m.raw)).toBe(true);
    expect(there[0]!.flags).toEqual(['$Important', '\\Flagged', '\\Seen']);
    expect(there[0]!.internalDate.getTime()).toBe(INTERNAL_DATE.getTime());
  });

  it('without APPENDUID the copy is verified by a search (Message-ID and INTERNALDATE) before the source goes', async () => {
    const m = await put(a, 'work');
    const out = await h.run(input(m.ref, [fileinto('Archive', { account: 'home' })]), { ignoreCapabilities: ['UIDPLUS'] });
    expect(out.results[0]!.detail).toMatch(/found by search/);
    expect(await find(b, 'Archive', m.messageId)).toHaveLength(1);
    // No UIDPLUS on the source either: flagged \Deleted, not expunged.
    expect((await find(a, 'INBOX', m.messageId))[0]!.flags).toContain('\\Deleted');
  });

  it('an APPEND that cannot be verified keeps the source and leaves the operation in doubt', async () => {
    const m = await put(a, 'work');
    // The target answers without APPENDUID, and its searches find nothing.
    const blind = {
      withClient: wb.withClient.bind(wb),
      withMailbox: <T>(mailbox: string, fn: (c: ImapFlow) => Promise<T>, o?: { readOnly?: boolean }) =>
        wb.withMailbox(mailbox, (c) => fn(new Proxy(c, { get: (t, k) => (k === 'search' ? async () => [] : typeof Reflect.get(t, k) === 'function' ? (Reflect.get(t, k) as Function).bind(t) : Reflect.get(t, k)) })), o),
    };
    const i = input(m.ref, [fileinto('Archive', { account: 'home' })]);
    const out = await h.run(i, { ignoreCapabilities: ['UIDPLUS'], imap: async (name) => (name === 'home' ? blind : wa) });
    expect(out).toMatchObject({ status: 'failed', results: [{ status: 'failed', detail: expect.stringContaining('cannot be found there') }] });
    expect((await find(a, 'INBOX', m.messageId))[0]!.flags).not.toContain('\\Deleted');
    expect(h.state.ledger.get(imapLedgerKey('work', 'INBOX', m.ref.uidValidity, m.ref.uid, i.plan.operations[0]!.key))).toMatchObject({ state: 'started' });
  });

  it('copies to another server with :copy and :create; the source stays untouched', async () => {
    const m = await put(a, 'work', 'INBOX', ['\\Answered']);
    const out = await h.run(input(m.ref, [fileinto('Lists/new', { account: 'home', copy: true, create: true }), keep([], true)]));
    expect(out.status).toBe('done');
    expect((await find(b, 'Lists/new', m.messageId))[0]!.flags).toEqual(['\\Answered']);
    expect((await find(a, 'INBOX', m.messageId))[0]!.flags).toEqual(['\\Answered']);
  });

  it('moves into a local Maildir folder (tmp/ then rename), flags as Maildir letters', async () => {
    const m = await put(a, 'work', 'INBOX', ['\\Seen']);
    const out = await h.run(input(m.ref, [fileinto('Lists/dev', { account: 'archive', create: true, flags: ['\\Flagged'] })]));
    expect(out.status).toBe('done');
    const cur = join(local, 'Maildir', '.Lists.dev', 'cur');
    const files = readdirSync(cur);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/:2,FS$/);
    expect(readFileSync(join(cur, files[0]!)).equals(m.raw)).toBe(true);
    expect(readdirSync(join(local, 'Maildir', '.Lists.dev', 'tmp'))).toEqual([]);
    expect(await find(a, 'INBOX', m.messageId)).toEqual([]);
  });

  it('a Maildir folder that does not exist, without :create, fails and the message stays', async () => {
    const m = await put(a, 'work');
    const out = await h.run(input(m.ref, [fileinto('Nope', { account: 'archive' })]));
    expect(out).toMatchObject({ status: 'failed', error: expect.stringContaining('does not exist') });
    expect(await find(a, 'INBOX', m.messageId)).toHaveLength(1);
  });

  it('moves into an mbox file (created when missing), readable back byte for byte', async () => {
    const m1 = await put(a, 'work');
    const m2 = await put(a, 'work', 'INBOX', ['\\Seen']);
    expect((await h.run(input(m1.ref, [fileinto('INBOX', { account: 'old' })]))).status).toBe('done');
    expect((await h.run(input(m2.ref, [fileinto('INBOX', { account: 'old' })]))).status).toBe('done');
    const entries = [];
    for await (const e of readMbox(join(local, 'old.mbox'))) entries.push(e);
    expect(entries).toHaveLength(2);
    expect(Buffer.from(entries[0]!.raw).equals(m1.raw)).toBe(true); // "From the body" came back un-escaped
    expect(entries[0]!.internalDate?.getTime()).toBe(INTERNAL_DATE.getTime());
    expect(entries[1]!.flags).toEqual(['\\Seen']);
    expect(readFileSync(join(local, 'old.mbox'), 'latin1')).toContain('\r\n>From the body');
    expect(await find(a, 'INBOX', m1.messageId)).toEqual([]);
  });

  it('an edited message (editheader) is APPENDed, on the same account too, and the source deleted after', async () => {
    const m = await put(a, 'work', 'INBOX', ['\\Seen']);
    const edited = Buffer.concat([Buffer.from('X-Spam: yes\r\n'), m.raw]);
    const out = await h.run(input(m.ref, [fileinto('Junk', { create: true })], { edited }));
    expect(out.results[0]!.detail).toMatch(/appended to "Junk".*source expunged/);
    const there = await find(a, 'Junk', m.messageId);
    expect(there).toHaveLength(1);
    expect(there[0]!.raw.equals(edited)).toBe(true);
    expect(there[0]!.flags).toEqual(['\\Seen']);
    expect(there[0]!.internalDate.getTime()).toBe(INTERNAL_DATE.getTime());
    expect(await find(a, 'INBOX', m.messageId)).toEqual([]);

    const m2 = await put(a, 'work');
    const edited2 = Buffer.concat([Buffer.from('X-Tag: 2\r\n'), m2.raw]);
    await h.run(input(m2.ref, [fileinto('Archive', { account: 'home' })], { edited: edited2 }));
    expect((await find(b, 'Archive', m2.messageId))[0]!.raw.equals(edited2)).toBe(true);
  });
});
