/** Smoke test of the throwaway-Dovecot harness (test/support/dovecot.ts). */
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { startDovecot, type DovecotInstance } from '../support/dovecot.js';
import { useDovecot } from '../support/dovecot-fixture.js';

const RAW = Buffer.concat([
  Buffer.from('From: a@example.test\r\nTo: b@example.test\r\nSubject: harness\r\nMessage-ID: <h1@example.test>\r\n\r\n'),
  Buffer.from('line one\r\n.leading dot\r\nlatin1: ', 'latin1'),
  Buffer.from([0xe4, 0xf6, 0xfc, 0x0d, 0x0a]),
  Buffer.from('no final newline'),
]);

async function login(d: DovecotInstance, user = 'alice', pass = 'alice-secret'): Promise<ImapFlow> {
  const client = new ImapFlow({ host: d.host, port: d.imapPort, secure: false, doSTARTTLS: false, auth: { user, pass }, logger: false });
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function fetchSource(d: DovecotInstance, mailbox: string, uid: number): Promise<Buffer | undefined> {
  const client = await login(d);
  try {
    const lock = await client.getMailboxLock(mailbox, { readOnly: true });
    try {
      const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
      return msg ? msg.source : undefined;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('startDovecot', () => {
  const withNotify = useDovecot({ notify: true, name: 'harness-n' });
  const withoutNotify = useDovecot({ notify: false, name: 'harness-i' });

  it('gives each instance its own ports and directory', () => {
    const ports = [withNotify, withoutNotify].flatMap((d) => [d.imapPort, d.pop3Port, d.lmtpPort]);
    expect(new Set(ports).size).toBe(6);
    expect(ports).not.toContain(10143);
    expect(withNotify.dir).not.toBe(withoutNotify.dir);
    expect(withNotify.host).toBe('127.0.0.1');
    expect(withNotify.log()).toContain('starting up');
  });

  it('offers NOTIFY only with notify: true', async () => {
    const a = await login(withNotify);
    const b = await login(withoutNotify);
    try {
      expect(a.capabilities.has('NOTIFY')).toBe(true);
      expect(b.capabilities.has('NOTIFY')).toBe(false);
      for (const c of [a, b]) {
        for (const cap of ['IDLE', 'CONDSTORE', 'LIST-STATUS', 'UNSELECT', 'SPECIAL-USE']) expect(c.capabilities.has(cap), cap).toBe(true);
      }
    } finally {
      await Promise.all([a.logout(), b.logout()]);
    }
  });

  it('appends byte-exact and with flags', async () => {
    const { uid, uidValidity } = await withNotify.append('alice', 'INBOX', RAW, ['\\Flagged']);
    expect(uid).toBeGreaterThan(0);
    expect(uidValidity).toBeGreaterThan(0);
    expect(Buffer.compare((await fetchSource(withNotify, 'INBOX', uid))!, RAW)).toBe(0);
    const client = await login(withNotify);
    try {
      const lock = await client.getMailboxLock('INBOX', { readOnly: true });
      const msg = await client.fetchOne(String(uid), { flags: true }, { uid: true });
      lock.release();
      expect(msg && [...msg.flags!]).toContain('\\Flagged');
    } finally {
      await client.logout();
    }
  });

  it('creates mailboxes (with / as separator) and runs doveadm', async () => {
    await withNotify.createMailbox('bob', 'Lists/dev');
    await withNotify.append('bob', 'Lists/dev', 'Subject: x\r\n\r\nx\r\n');
    const status = await withNotify.doveadm(['mailbox', 'status', '-u', 'bob', 'messages', 'Lists/dev']);
    expect(status).toMatch(/messages=1/);
    expect(existsSync(`${withNotify.maildir('bob')}/.Lists.dev`)).toBe(true);
  });

  it('keeps the mail across restart()', async () => {
    const { uid } = await withoutNotify.append('alice', 'INBOX', RAW);
    const port = withoutNotify.imapPort;
    await withoutNotify.restart();
    expect(withoutNotify.imapPort).toBe(port);
    expect(withoutNotify.running).toBe(true);
    expect(Buffer.compare((await fetchSource(withoutNotify, 'INBOX', uid))!, RAW)).toBe(0);
  });

  it('kill() drops connections and frees the ports, and restart() comes back', async () => {
    const { uid } = await withoutNotify.append('alice', 'INBOX', RAW);
    const client = await login(withoutNotify);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await withoutNotify.kill();
    expect(withoutNotify.running).toBe(false);
    await closed;
    expect(await refused(withoutNotify.imapPort)).toBe(true);
    await withoutNotify.restart();
    expect(Buffer.compare((await fetchSource(withoutNotify, 'INBOX', uid))!, RAW)).toBe(0);
  });

  it('starts several instances at once', async () => {
    const many = await Promise.all([1, 2, 3].map((i) => startDovecot({ name: `harness-p${i}`, users: [{ name: 'carol', password: 'pw' }] })));
    try {
      expect(new Set(many.map((d) => d.imapPort)).size).toBe(3);
      await Promise.all(many.map((d) => d.append('carol', 'INBOX', 'Subject: p\r\n\r\np\r\n')));
    } finally {
      await Promise.all(many.map((d) => d.dispose()));
    }
  });
});
