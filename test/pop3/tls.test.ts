/**
 * TLS for the POP3 client. The test Dovecot runs with ssl = no, so TLS is put in front of it
 * here: a TLS-terminating proxy (implicit TLS, like port 995), and a small STLS front end that
 * answers the greeting and CAPA itself (offering STLS and no SASL, so the client must fall
 * back to USER/PASS), upgrades, and then hands the session to Dovecot. The certificate is a
 * throwaway self-signed one for 127.0.0.1, trusted through `tlsOptions.ca`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../src/connectors/pop3/client.js';
import type { MailsiftError } from '../../src/errors.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { tempDir } from '../support/temp-dir.js';
import { tricky } from './helpers.js';

const d = useDovecot({ name: 'pop3-tls' });
let key: Buffer;
let cert: Buffer;
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

function track(s: net.Socket): net.Socket {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
  s.on('error', () => s.destroy());
  return s;
}

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** Implicit TLS in front of Dovecot's plain POP3 port. */
function implicitFront(): Promise<number> {
  return listen(
    tls.createServer({ key, cert }, (client) => {
      const up = track(net.connect({ host: '127.0.0.1', port: d.pop3Port }));
      track(client);
      client.pipe(up).pipe(client);
    }),
  );
}

/** Reads one CRLF line from a socket (test-only; the rest stays unread). */
function line(s: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (c: Buffer) => {
      buf += c.toString('latin1');
      const at = buf.indexOf('\r\n');
      if (at < 0) return;
      s.off('data', onData);
      s.pause();
      if (at + 2 < buf.length) s.unshift(Buffer.from(buf.slice(at + 2), 'latin1'));
      resolve(buf.slice(0, at));
    };
    s.on('data', onData);
    s.resume();
    s.once('error', reject);
  });
}

/** STLS front end: greeting and CAPA (STLS, no SASL) here; after TLS, CAPA here again, then Dovecot. */
function stlsFront(): Promise<number> {
  return listen(
    net.createServer((plain) => {
      track(plain);
      void (async () => {
        plain.write('+OK front ready\r\n');
        if ((await line(plain)) !== 'CAPA') return plain.destroy();
        plain.write('+OK\r\nSTLS\r\nUIDL\r\nUSER\r\n.\r\n');
        if ((await line(plain)) !== 'STLS') return plain.destroy();
        plain.write('+OK begin TLS\r\n');
        const secure = new tls.TLSSocket(plain, { isServer: true, key, cert });
        track(secure);
        await new Promise((resolve) => secure.once('secure', resolve));
        if ((await line(secure)) !== 'CAPA') return secure.destroy();
        secure.write('+OK\r\nUIDL\r\nUSER\r\n.\r\n');
        const up = track(net.connect({ host: '127.0.0.1', port: d.pop3Port }));
        await line(up); // Dovecot's greeting: the client already had one
        up.resume();
        secure.resume();
        secure.pipe(up).pipe(secure);
      })().catch(() => plain.destroy());
    }),
  );
}

beforeAll(() => {
  const dir = tempDir('pop3-tls-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  key = readFileSync(join(dir, 'key.pem'));
  cert = readFileSync(join(dir, 'cert.pem'));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('Pop3Client over TLS', () => {
  it('implicit TLS: verifies the certificate, fetches byte for byte', async () => {
    const raw = tricky('over tls', 50_000);
    await d.append('alice', 'INBOX', raw);
    const port = await implicitFront();
    const c = await Pop3Client.connect({ name: 't', host: '127.0.0.1', port, tls: 'implicit', user: 'alice', password: 'alice-secret', timeoutMs: 10_000, tlsOptions: { ca: cert } });
    const list = await c.uidl();
    const got = Buffer.from(await c.retr(list[list.length - 1]!.number));
    await c.quit();
    expect(got.equals(raw)).toBe(true);
  });

  it('implicit TLS with an untrusted certificate is POP3_TLS_FAILED', async () => {
    const port = await implicitFront();
    const err = await Pop3Client.connect({ name: 't', host: '127.0.0.1', port, tls: 'implicit', user: 'alice', password: 'alice-secret', timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect((err as MailsiftError).code).toBe('POP3_TLS_FAILED');
  });

  it('STLS upgrades, asks CAPA again, and logs in with USER/PASS when SASL PLAIN is not offered', async () => {
    const port = await stlsFront();
    const c = await Pop3Client.connect({ name: 't', host: '127.0.0.1', port, tls: 'starttls', user: 'alice', password: 'alice-secret', timeoutMs: 10_000, tlsOptions: { ca: cert } });
    expect(c.has('STLS')).toBe(false); // the CAPA after TLS replaced the one before
    expect(c.has('USER')).toBe(true);
    expect((await c.uidl()).length).toBeGreaterThan(0);
    await c.quit();
  });
});
