/**
 * POP3 against a real Dovecot pop3d: the client (byte-exact, dot-unstuffed, clear errors) and
 * the account runner (UIDL tracking, delete after delivery vs never, a connection cut midway
 * through RETR, filing into an IMAP folder of another Dovecot and into a local Maildir).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../../src/config/types.js';
import type { MailboxWatcher } from '../../src/connectors/imap/index.js';
import { Pop3Client } from '../../src/connectors/pop3/client.js';
import { MailsiftError } from '../../src/errors.js';
import { startWatcher, imapAccount } from '../actions/executor-helpers.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { tempDir } from '../support/temp-dir.js';
import { CuttingProxy, pop3Account, pop3Harness, tricky, type Pop3Harness } from './helpers.js';

const PASSWORD_ENV = 'MAILSIFT_TEST_POP3_PASSWORD';
const R = 'require ["fileinto", "mailbox", "vnd.mailsift.account"];\n';

const src = useDovecot({ name: 'pop3-src' });
const dst = useDovecot({ name: 'pop3-dst', notify: false });
const local = tempDir('pop3-local-');
let home: MailboxWatcher;

beforeAll(async () => {
  process.env[PASSWORD_ENV] = 'alice-secret';
  home = await startWatcher('home', dst);
});

afterAll(async () => {
  await home?.stop();
});

const connect = (port = src.pop3Port, password = 'alice-secret', user = 'alice') =>
  Pop3Client.connect({ name: 'test', host: '127.0.0.1', port, tls: 'none', user, password, timeoutMs: 10_000 });

/** Empties alice's POP3 maildrop on `src`. */
async function emptyMaildrop(): Promise<void> {
  const c = await connect();
  for (const l of await c.uidl()) await c.dele(l.number);
  await c.quit();
}

async function serverUidls(): Promise<string[]> {
  const c = await connect();
  const list = await c.uidl();
  await c.quit();
  return list.map((l) => l.uidl);
}

/** Every message of a mailbox on `dst`, as IMAP gives it (BODY[]). */
async function imapMessages(mailbox: string): Promise<Buffer[]> {
  return home.withMailbox(mailbox, async (c) => {
    const out: Buffer[] = [];
    if (!c.mailbox || c.mailbox.exists === 0) return out;
    for await (const m of c.fetch('1:*', { source: true })) if (m.source) out.push(m.source);
    return out;
  });
}

function maildirFiles(root: string): Buffer[] {
  const out: Buffer[] = [];
  for (const sub of ['new', 'cur']) {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, sub));
    } catch {
      continue;
    }
    for (const n of names) out.push(readFileSync(join(root, sub, n)));
  }
  return out;
}

describe('Pop3Client against Dovecot pop3d', () => {
  beforeEach(emptyMaildrop);

  it('RETR gives the message byte for byte: 8-bit bytes, dot-stuffed lines undone', async () => {
    const raw = tricky('exact', 300_000); // large enough to arrive in many TCP chunks
    await src.append('alice', 'INBOX', raw);
    const c = await connect();
    const list = await c.uidl();
    expect(list).toHaveLength(1);
    const got = Buffer.from(await c.retr(list[0]!.number));
    await c.quit();
    expect(got.equals(raw)).toBe(true);
  });

  it('a wrong password is one clear line with a stable code and no password in it', async () => {
    const err = await connect(src.pop3Port, 'wrong-password-xyz').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailsiftError);
    expect((err as MailsiftError).code).toBe('POP3_AUTH_FAILED');
    expect((err as MailsiftError).message).not.toMatch(/\n/);
    expect((err as MailsiftError).message).not.toContain('wrong-password-xyz');
    expect((err as MailsiftError).message).toContain('"alice"');
  });

  it('refuses plaintext to a non-loopback host unless allowed, before connecting', async () => {
    const err = await Pop3Client.connect({ name: 't', host: '192.0.2.1', port: 110, tls: 'none', user: 'u', password: 'p', timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect((err as MailsiftError).code).toBe('POP3_INSECURE_REFUSED');
  });

  it('tls = "starttls" to a server without STLS fails clearly (this Dovecot has ssl = no)', async () => {
    const err = await Pop3Client.connect({ name: 't', host: '127.0.0.1', port: src.pop3Port, tls: 'starttls', user: 'alice', password: 'alice-secret', timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect((err as MailsiftError).code).toBe('POP3_TLS_FAILED');
  });

  it('a closed port is POP3_CONNECT_FAILED', async () => {
    const proxy = new CuttingProxy(1);
    await proxy.start();
    const port = proxy.port;
    await proxy.close();
    const err = await connect(port).catch((e: unknown) => e);
    expect((err as MailsiftError).code).toBe('POP3_CONNECT_FAILED');
  });
});

describe('Pop3AccountRunner', () => {
  let h: Pop3Harness;
  let maildir: string;
  let accounts: Record<string, Account>;
  let n = 0;

  beforeEach(async () => {
    await emptyMaildrop();
    maildir = join(local, `Maildir-${++n}`);
    accounts = { home: imapAccount('home', dst), local: { type: 'maildir', name: 'local', path: maildir } };
    h = pop3Harness(accounts, { home });
  });
  afterEach(() => h.dispose());

  it('files into an IMAP folder of another server and keeps into a local Maildir, then deletes after delivery', async () => {
    const dev = tricky('dev list');
    const other = tricky('other');
    await src.append('alice', 'INBOX', dev);
    await src.append('alice', 'INBOX', other);
    accounts.mail = pop3Account('mail', src, { delete: 'after-delivery' });
    const runner = h.runner(accounts.mail as never, `${R}if header :contains "subject" "dev" { fileinto :create :account "home" "Pop/dev"; }`, { deliverTo: { account: 'local', mailbox: 'INBOX' } });
    const s = await runner.poll();
    expect(s).toMatchObject({ ok: true, listed: 2, processed: 2, failed: 0, deleted: 2 });
    expect((await imapMessages('Pop/dev')).map((b) => b.equals(dev))).toEqual([true]);
    expect(maildirFiles(maildir).map((b) => b.equals(other))).toEqual([true]);
    expect(await serverUidls()).toEqual([]);
    expect(h.messages.map((m) => m.status)).toEqual(['ok', 'ok']);
  });

  it('delete = "never": each message is processed once across polls and stays on the server', async () => {
    await src.append('alice', 'INBOX', tricky('one'));
    accounts.mail = pop3Account('mail', src, { delete: 'never' });
    const runner = h.runner(accounts.mail as never, 'keep;', { deliverTo: { account: 'local', mailbox: 'INBOX' } });
    expect(await runner.poll()).toMatchObject({ ok: true, processed: 1, deleted: 0 });
    await src.append('alice', 'INBOX', tricky('two'));
    expect(await runner.poll()).toMatchObject({ ok: true, listed: 2, processed: 1, deleted: 0 });
    expect(await runner.poll()).toMatchObject({ ok: true, listed: 2, processed: 0 });
    expect(maildirFiles(maildir)).toHaveLength(2);
    expect(await serverUidls()).toHaveLength(2);
  });

  it('a kept message without deliver_to stays on the server even with delete = "after-delivery"', async () => {
    await src.append('alice', 'INBOX', tricky('kept'));
    await src.append('alice', 'INBOX', tricky('filed'));
    accounts.mail = pop3Account('mail', src, { delete: 'after-delivery' });
    const runner = h.runner(accounts.mail as never, `${R}if header :contains "subject" "filed" { fileinto :create :account "local" "INBOX"; }`);
    expect(await runner.poll()).toMatchObject({ ok: true, processed: 2, deleted: 1 });
    expect(await serverUidls()).toHaveLength(1);
    expect(await runner.poll()).toMatchObject({ ok: true, listed: 1, processed: 0, deleted: 0 });
  });

  it('fileinto without :account and no deliver_to fails clearly: nothing deleted', async () => {
    await src.append('alice', 'INBOX', tricky('nowhere'));
    accounts.mail = pop3Account('mail', src, { delete: 'after-delivery' });
    const runner = h.runner(accounts.mail as never, 'require "fileinto"; fileinto "Somewhere";');
    expect(await runner.poll()).toMatchObject({ ok: true, processed: 1, failed: 1, deleted: 0 });
    expect(h.messages[0]).toMatchObject({ status: 'error' });
    expect(h.messages[0]!.error).toMatch(/:account/);
    expect(await serverUidls()).toHaveLength(1);
  });

  it('a connection cut in the middle of a RETR deletes nothing, and the next poll resumes', async () => {
    const first = tricky('first');
    const second = tricky('second', 400_000);
    await src.append('alice', 'INBOX', first);
    await src.append('alice', 'INBOX', second);
    const proxy = new CuttingProxy(src.pop3Port);
    await proxy.start();
    try {
      proxy.cutAfter = first.length + 100_000; // the first RETR passes, the second is cut midway
      accounts.mail = pop3Account('mail', src, { delete: 'after-delivery', port: proxy.port });
      const runner = h.runner(accounts.mail as never, 'keep;', { deliverTo: { account: 'local', mailbox: 'INBOX' } });
      const s1 = await runner.poll();
      expect(proxy.cuts).toBe(1);
      expect(s1).toMatchObject({ ok: false, processed: 1, deleted: 0 });
      expect(s1.error).toMatch(/closed the connection|ECONNRESET/);
      expect(h.events.filter((e) => e.level === 'error').map((e) => e.code)).toEqual(['POP3_CONNECTION_LOST']);
      expect(await serverUidls()).toHaveLength(2); // the DELE of the first never reached a QUIT
      expect(maildirFiles(maildir).map((b) => b.equals(first))).toEqual([true]);

      proxy.cutAfter = undefined;
      const s2 = await runner.poll();
      expect(s2).toMatchObject({ ok: true, listed: 2, processed: 1, deleted: 2 });
      expect(await serverUidls()).toEqual([]);
      const files = maildirFiles(maildir);
      expect(files).toHaveLength(2); // the first was not delivered twice
      expect(files.some((b) => b.equals(second))).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('a wrong password: one error line with the code, not repeated at the next poll', async () => {
    process.env.MAILSIFT_TEST_POP3_WRONG = 'not-the-password';
    accounts.mail = pop3Account('mail', src, { password: { kind: 'env', env: 'MAILSIFT_TEST_POP3_WRONG' } });
    const runner = h.runner(accounts.mail as never, 'keep;');
    expect(await runner.poll()).toMatchObject({ ok: false });
    expect(await runner.poll()).toMatchObject({ ok: false });
    const errors = h.events.filter((e) => e.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('POP3_AUTH_FAILED');
    expect(errors[0]!.text).not.toMatch(/\n|not-the-password/);
  });

  it('start = "new": what is on the server at the first poll is left alone', async () => {
    await src.append('alice', 'INBOX', tricky('old'));
    accounts.mail = pop3Account('mail', src, { delete: 'after-delivery' });
    const runner = h.runner(accounts.mail as never, 'keep;', { deliverTo: { account: 'local', mailbox: 'INBOX' }, start: 'new' });
    expect(await runner.poll()).toMatchObject({ ok: true, listed: 1, processed: 0, deleted: 0 });
    await src.append('alice', 'INBOX', tricky('new'));
    expect(await runner.poll()).toMatchObject({ ok: true, listed: 2, processed: 1, deleted: 1 });
    expect(maildirFiles(maildir)).toHaveLength(1);
    expect(await serverUidls()).toHaveLength(1);
  });
});
