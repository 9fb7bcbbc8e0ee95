/**
 * MailboxWatcher and connectImap against real Dovecot 2.3 instances (test/support/dovecot.ts).
 * Push arrives ~0.5 s after a change (Dovecot's NOTIFY_DELAY_MSECS): every wait polls with a
 * generous timeout; nothing asserts how fast anything was.
 */
import { ImapFlow } from 'imapflow';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MailsiftError } from '../../src/errors.js';
import { connectImap, MailboxWatcher, type FetchedMessage, type ImapAccountConfig, type MailboxChange, type WatcherOptions } from '../../src/connectors/imap/index.js';
import type { DovecotInstance } from '../support/dovecot.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { freePort } from '../support/free-port.js';

const PUSH_TIMEOUT = 5_000;

function accountFor(d: DovecotInstance, over: Partial<ImapAccountConfig> = {}): ImapAccountConfig {
  return { name: 'test', host: d.host, port: d.imapPort, tls: 'none', user: 'alice', password: 'alice-secret', ...over };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = PUSH_TIMEOUT): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A started watcher plus every change it emitted, oldest first. */
async function watch(d: DovecotInstance, options: Partial<WatcherOptions> = {}) {
  const watcher = new MailboxWatcher(accountFor(d), { mailboxes: ['INBOX', 'Lists/*'], backoff: { baseMs: 100, maxMs: 400 }, ...options });
  const changes: MailboxChange[] = [];
  watcher.on('change', (c) => changes.push(c));
  await watcher.start();
  const changed = (mailbox: string, test: (c: MailboxChange) => boolean = () => true, after = 0) =>
    waitFor(`a change of ${mailbox}`, () => changes.slice(after).find((c) => c.mailbox === mailbox && test(c)));
  return { watcher, changes, changed };
}

function message(subject: string, body = 'hello\r\n'): Buffer {
  return Buffer.concat([
    Buffer.from(`From: a@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.test>\r\n\r\n`),
    Buffer.from(body, 'latin1'),
    Buffer.from([0xe4, 0x0d, 0x0a]),
  ]);
}

function headerOf(raw: Buffer): Buffer {
  return raw.subarray(0, raw.indexOf('\r\n\r\n') + 4);
}


async function expectCode(promise: Promise<unknown>, code: string): Promise<MailsiftError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MailsiftError);
  expect((err as MailsiftError).code).toBe(code);
  return err as MailsiftError;
}

describe('MailboxWatcher, NOTIFY mode', () => {
  const d = useDovecot({ notify: true, name: 'watch-notify', mailboxes: ['Lists/dev', 'Lists/ops', 'Other'] });
  let w: Awaited<ReturnType<typeof watch>>;

  beforeAll(async () => {
    w = await watch(d);
  });
  afterAll(async () => {
    await w?.watcher.stop();
  });

  it('takes a first look at the watched mailboxes only', () => {
    const initial = w.changes.filter((c) => c.source === 'initial').map((c) => c.mailbox).sort();
    expect(initial).toEqual(['INBOX', 'Lists/dev', 'Lists/ops']);
    expect(w.watcher.status()).toMatchObject({ phase: 'watching', mode: 'notify', account: 'test', idling: false });
    expect(w.watcher.status().selectedMailbox).toBeUndefined();
    const inbox = w.watcher.state('inbox')!;
    expect(inbox).toMatchObject({ mailbox: 'INBOX', uidNext: 1, messages: 0 });
    expect(inbox.uidValidity).toBeGreaterThan(0);
    expect(typeof inbox.highestModseq).toBe('bigint');
  });

  it('is pushed an APPEND to a mailbox that is not selected', async () => {
    const n = w.changes.length;
    const { uid } = await d.append('alice', 'Lists/dev', message('n1'));
    const change = await w.changed('Lists/dev', (c) => c.uidNext === uid + 1, n);
    expect(change).toMatchObject({ source: 'notify', account: 'test', uidValidityChanged: false, messages: 1 });
    expect(change.previous?.uidNext).toBe(uid);
  });

  it('ignores mailboxes outside the patterns, and picks up new ones inside', async () => {
    const n = w.changes.length;
    await d.append('alice', 'Other', message('o1'));
    await d.createMailbox('alice', 'Lists/new');
    const { uid, uidValidity } = await d.append('alice', 'Lists/new', message('new1'));
    const change = await w.changed('Lists/new', (c) => c.uidNext === uid + 1, n);
    expect(change.uidValidity).toBe(uidValidity);
    expect(w.changes.some((c) => c.mailbox === 'Other')).toBe(false);
  });

  it('is still pushed changes after NOTIFY was re-armed, however often (the keepalive does it)', async () => {
    for (let i = 1; i <= 3; i++) {
      await w.watcher.rearmNotify();
      const n = w.changes.length;
      const { uid } = await d.append('alice', 'Lists/dev', message(`rearm-${i}`));
      // source 'notify': a push, not the LIST-STATUS that follows the re-arm.
      expect(await w.changed('Lists/dev', (c) => c.uidNext === uid + 1, n)).toMatchObject({ source: 'notify' });
    }
  });

  it('fetchNew returns the messages byte-exact, headers only or full, without setting \\Seen', async () => {
    const raws = [message('f1', 'first\r\n'), message('f2', '.dot line\r\n'), message('f3', 'third')];
    const uids: number[] = [];
    for (const raw of raws) uids.push((await d.append('alice', 'Lists/ops', raw)).uid);

    const full: FetchedMessage[] = [];
    for await (const m of w.watcher.fetchNew('Lists/ops', uids[0]! - 1, { full: true, batchSize: 2 })) full.push(m);
    expect(full.map((m) => m.uid)).toEqual(uids);
    full.forEach((m, i) => {
      expect(Buffer.compare(Buffer.from(m.raw), raws[i]!)).toBe(0);
      expect(m).toMatchObject({ mailbox: 'Lists/ops', headersOnly: false, size: raws[i]!.length, messageId: `f${i + 1}@example.test` });
      expect(m.flags).not.toContain('\\Seen');
      expect(m.internalDate).toBeInstanceOf(Date);
      expect(typeof m.modseq).toBe('bigint');
    });

    const heads = [];
    for await (const m of w.watcher.fetchNew('Lists/ops', uids[0]!, { full: false })) heads.push(m);
    expect(heads.map((m) => m.uid)).toEqual(uids.slice(1));
    heads.forEach((m, i) => {
      expect(Buffer.compare(Buffer.from(m.raw), headerOf(raws[i + 1]!))).toBe(0);
      expect(m).toMatchObject({ headersOnly: true, size: raws[i + 1]!.length, uidValidity: full[0]!.uidValidity });
    });

    const again = [];
    for await (const m of w.watcher.fetchNew('Lists/ops', 0, { full: false })) again.push(m);
    expect(again.every((m) => !m.flags.includes('\\Seen'))).toBe(true);

    const none = [];
    for await (const m of w.watcher.fetchNew('Lists/ops', uids[2]!, { full: false })) none.push(m);
    expect(none).toEqual([]);
  });

  it('fetchNew with readWrite: one SELECT and one UID FETCH n:*, shared by the actions after it; `n:*` above the last UID returns nothing', async () => {
    const uids: number[] = [];
    for (const s of ['rw1', 'rw2', 'rw3']) uids.push((await d.append('alice', 'Lists/ops', message(s))).uid);
    await w.changed('Lists/ops', (c) => c.uidNext === uids[2]! + 1);
    await waitFor('the connection back in its posture', () => !w.watcher.status().selectedMailbox);
    const before = w.watcher.status().commandsCompleted;
    const got: FetchedMessage[] = [];
    for await (const m of w.watcher.fetchNew('Lists/ops', uids[0]!, { full: false, readWrite: true })) got.push(m);
    const writable = await w.watcher.withMailbox('Lists/ops', async (c) => !!c.mailbox && !c.mailbox.readOnly);
    expect(got.map((m) => m.uid)).toEqual(uids.slice(1));
    expect(got.every((m) => !m.flags.includes('\\Seen'))).toBe(true);
    expect(writable).toBe(true);
    // SELECT and UID FETCH: no LIST (the LIST-STATUS filled imapflow's cache), no UID SEARCH,
    // and no second SELECT for the withMailbox() that an action would use.
    expect(w.watcher.status().commandsCompleted - before).toBe(2);

    // Another session expunges the last one. While our view still has it, Dovecot answers its
    // FETCH with NIL data (RFC 2180 §4.1.3): not a message to process.
    await d.doveadm(['expunge', '-u', 'alice', 'mailbox', 'Lists/ops', 'uid', String(uids[2])]);
    const stale: FetchedMessage[] = [];
    for await (const m of w.watcher.fetchNew('Lists/ops', uids[1]!, { full: false, readWrite: true })) stale.push(m);
    expect(stale).toEqual([]);
    // In a fresh view, `UID FETCH <its uid>:*` makes the server return the highest UID left
    // (RFC 3501 §6.4.8), which is not new either.
    await waitFor('the connection back in its posture', () => !w.watcher.status().selectedMailbox);
    const fresh: FetchedMessage[] = [];
    for await (const m of w.watcher.fetchNew('Lists/ops', uids[1]!, { full: true, readWrite: true })) fresh.push(m);
    expect(fresh).toEqual([]);
  });

  it('fetchNew refuses a mailbox whose UIDVALIDITY is not the expected one', async () => {
    const iterate = async () => {
      for await (const m of w.watcher.fetchNew('Lists/ops', 0, { full: false, expectUidValidity: 1 })) void m;
    };
    await expectCode(iterate(), 'IMAP_UIDVALIDITY_CHANGED');
  });

  it('still gets pushes for a mailbox after it was used (it is unselected again)', async () => {
    for await (const m of w.watcher.fetchNew('Lists/dev', 0, { full: false })) void m;
    await waitFor('UNSELECT', () => w.watcher.status().selectedMailbox === undefined);
    const n = w.changes.length;
    const { uid } = await d.append('alice', 'Lists/dev', message('after-fetch'));
    await w.changed('Lists/dev', (c) => c.uidNext === uid + 1, n);
  });

  it('lets the executor act inside withMailbox(), also while iterating fetchNew()', async () => {
    const { uid } = await d.append('alice', 'INBOX', message('move-me'));
    await w.changed('INBOX', (c) => c.uidNext === uid + 1);
    const n = w.changes.length;
    for await (const m of w.watcher.fetchNew('INBOX', uid - 1, { full: false })) {
      await w.watcher.withMailbox('INBOX', (client) => client.messageMove(String(m.uid), 'Archive', { uid: true }));
    }
    const after = await w.changed('INBOX', (c) => c.messages === 0, n);
    expect(after.uidNext).toBe(uid + 1);
    await expectCode(w.watcher.withMailbox('No/Such/Box', async () => 1), 'IMAP_MAILBOX_MISSING');
  });
});

describe('MailboxWatcher, IDLE + LIST-STATUS mode (no NOTIFY)', () => {
  const d = useDovecot({ notify: false, name: 'watch-idle', mailboxes: ['Lists/dev', 'Lists/ops', 'Lists/qa', 'Lists/web'] });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('sees an append to INBOX through IDLE, also after running commands', async () => {
    const w = await watch(d, { pollIntervalMs: 600_000 });
    try {
      expect(w.watcher.status().mode).toBe('idle');
      let n = w.changes.length;
      let { uid } = await d.append('alice', 'INBOX', message('i1'));
      expect(await w.changed('INBOX', (c) => c.uidNext === uid + 1, n)).toMatchObject({ source: 'idle' });

      for await (const m of w.watcher.fetchNew('Lists/dev', 0, { full: true })) void m;
      // Back to IDLE on INBOX once the connection has been quiet for settleMs.
      await waitFor('IDLE again', () => w.watcher.status().idling && w.watcher.status().selectedMailbox === 'INBOX');
      n = w.changes.length;
      ({ uid } = await d.append('alice', 'INBOX', message('i2')));
      expect(await w.changed('INBOX', (c) => c.uidNext === uid + 1, n)).toMatchObject({ source: 'idle' });
    } finally {
      await w.watcher.stop();
    }
  });

  it('fetchNew(readWrite) on the EXAMINEd IDLE mailbox finds what the IDLE reported, with no command to switch', async () => {
    const w = await watch(d, { pollIntervalMs: 600_000 });
    try {
      await waitFor('IDLE on INBOX', () => w.watcher.status().idling && w.watcher.status().selectedMailbox === 'INBOX');
      const since = w.watcher.state('INBOX')!.uidNext - 1;
      const n = w.changes.length;
      const { uid } = await d.append('alice', 'INBOX', message('idle-fetch'));
      await w.changed('INBOX', (c) => c.uidNext === uid + 1, n);
      const got: FetchedMessage[] = [];
      for await (const m of w.watcher.fetchNew('INBOX', since, { full: false, readWrite: true })) got.push(m);
      // The EXAMINE's UIDNEXT is older than the message: a bound taken from it alone would
      // have said "nothing new".
      expect(got.map((m) => m.uid)).toEqual([uid]);
    } finally {
      await w.watcher.stop();
    }
  });

  it('sees appends to other folders with one LIST-STATUS per poll, never STATUS or SELECT per mailbox', async () => {
    const w = await watch(d, { pollIntervalMs: 400 });
    const written: string[] = [];
    try {
      await waitFor('IDLE', () => w.watcher.status().idling);
      const proto = ImapFlow.prototype as unknown as { write(chunk: unknown): unknown };
      const original = proto.write;
      vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, chunk: unknown) {
        written.push(String(chunk));
        return original.call(this, chunk);
      });
      const n = w.changes.length;
      const { uid } = await d.append('alice', 'Lists/qa', message('p1'));
      expect(await w.changed('Lists/qa', (c) => c.uidNext === uid + 1, n)).toMatchObject({ source: 'poll' });
      const polls = written.filter((l) => / LIST "" \(/.test(l));
      expect(polls.length).toBeGreaterThanOrEqual(1);
      expect(polls[0]).toMatch(/ LIST "" \("INBOX" "Lists\/\*"\) RETURN \(STATUS \(UIDNEXT UIDVALIDITY MESSAGES HIGHESTMODSEQ\)\)/);
      const others = written.map((l) => l.trim().split(' ')[1] ?? l.trim()).filter((verb) => !['LIST', 'IDLE'].includes(verb!) && verb !== 'DONE');
      expect(others).toEqual([]);
    } finally {
      vi.restoreAllMocks();
      await w.watcher.stop();
    }
  });
});

describe('connectImap errors', () => {
  const d = useDovecot({ notify: true, name: 'watch-errors' });

  it('connects and logs in', async () => {
    const client = await connectImap(accountFor(d));
    expect(client.authenticated).toBeTruthy();
    await client.logout();
  });

  it('a wrong password is IMAP_AUTH_FAILED, in one line, without the password', async () => {
    const err = await expectCode(connectImap(accountFor(d, { password: 'Wr0ng-Pa55' })), 'IMAP_AUTH_FAILED');
    expect(err.message).not.toMatch(/\n/);
    expect(err.message).toContain('"alice"');
    expect(err.message).not.toContain('Wr0ng-Pa55');
    expect(JSON.stringify({ ...err, cause: { ...(err.cause as object) } })).not.toContain('Wr0ng-Pa55');
    const watcher = new MailboxWatcher(accountFor(d, { password: 'Wr0ng-Pa55' }), { mailboxes: ['INBOX'], retryFirstConnect: true });
    await expectCode(watcher.start(), 'IMAP_AUTH_FAILED');
    expect(watcher.status().phase).toBe('stopped');
  });

  it('a dead port is IMAP_CONNECT_FAILED', async () => {
    const port = await freePort();
    const err = await expectCode(connectImap(accountFor(d, { port })), 'IMAP_CONNECT_FAILED');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    await expectCode(new MailboxWatcher(accountFor(d, { port }), { mailboxes: ['INBOX'] }).start(), 'IMAP_CONNECT_FAILED');
  });

  it('TLS against a plaintext server is IMAP_TLS_FAILED, for implicit TLS and for STARTTLS', async () => {
    await expectCode(connectImap(accountFor(d, { tls: 'implicit' }), { connectionTimeoutMs: 5000 }), 'IMAP_TLS_FAILED');
    await expectCode(connectImap(accountFor(d, { tls: 'starttls' })), 'IMAP_TLS_FAILED');
  });

  it('plaintext to a non-loopback host is refused before connecting', async () => {
    await expectCode(connectImap(accountFor(d, { host: '192.0.2.1' })), 'IMAP_INSECURE_REFUSED');
  });
});

describe('MailboxWatcher reconnects', () => {
  const d = useDovecot({ notify: true, name: 'watch-restart' });

  it('after a graceful restart and after a crash, with backoff, and sees new mail again', async () => {
    const w = await watch(d, { mailboxes: ['INBOX'] });
    const events: string[] = [];
    w.watcher.on('connected', (e) => events.push(`connected:${e.reconnect}`));
    w.watcher.on('disconnected', (e) => events.push(`disconnected:${e.error.code}:${e.attempt}`));
    try {
      for (const outage of ['restart', 'kill'] as const) {
        const before = w.watcher.status().reconnects;
        if (outage === 'restart') await d.restart();
        else {
          await d.kill();
          await waitFor('the disconnect', () => w.watcher.status().phase === 'reconnecting');
          await d.restart();
        }
        await waitFor('the reconnect', () => w.watcher.status().reconnects === before + 1 && w.watcher.status().phase === 'watching', 15_000);
        const n = w.changes.length;
        const { uid } = await d.append('alice', 'INBOX', message(`after-${outage}`));
        expect(await w.changed('INBOX', (c) => c.uidNext === uid + 1, n)).toMatchObject({ source: 'notify' });
      }
      expect(events.filter((e) => e === 'connected:true')).toHaveLength(2);
      expect(events.some((e) => e.startsWith('disconnected:IMAP_CONNECTION_LOST:0'))).toBe(true);
    } finally {
      await w.watcher.stop();
    }
    expect(w.watcher.status().phase).toBe('stopped');
    await expectCode(w.watcher.withClient(async () => 1), 'IMAP_CONNECTION_LOST');
  });
});
