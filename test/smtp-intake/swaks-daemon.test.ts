/**
 * The SMTP intake inside the real daemon (startDaemon with a TOML config), driven by swaks,
 * plus STARTTLS with a generated key and certificate.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { waitFor } from '../daemon/helpers.js';
import { freePort } from '../support/free-port.js';
import { tempDir } from '../support/temp-dir.js';
import { allFiles, MESSAGE, startIntake, swaks, type Intake } from './harness.js';

const run = promisify(execFile);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('SMTP intake in the daemon, with swaks', () => {
  it('starts for a [[watch]] of an smtp-intake account and runs its rules on mail from swaks', async () => {
    const dir = tempDir('mailsift-smtpd-');
    const port = await freePort();
    writeFileSync(join(dir, 'rules.sieve'), 'require ["fileinto", "envelope", "reject", "mailbox"];\nif envelope :is "from" "spam@bad.test" { reject "go away"; }\nelsif header :contains "subject" "hello" { fileinto :create "Hello"; }\n');
    writeFileSync(join(dir, 'msg.eml'), MESSAGE);
    writeFileSync(
      join(dir, 'config.toml'),
      `[state]\ndir = "${dir}/state"\n[accounts.box]\ntype = "maildir"\npath = "${dir}/Maildir"\n[accounts.in]\ntype = "smtp-intake"\nlisten_port = ${port}\nrecipients = ["me@example.test"]\ntarget_account = "box"\n[[watch]]\naccount = "in"\nrules = "rules.sieve"\n`,
    );
    const logger = new MemoryLogger();
    const daemon: Daemon = await startDaemon(await loadConfig(join(dir, 'config.toml')), { logger });
    cleanups.push(() => daemon.stop());
    await waitFor('the listener', () => logger.events.some((e) => e.text.includes('SMTP intake listening on 127.0.0.1')), 15_000, 25);

    const ok = await swaks(['--server', `127.0.0.1:${port}`, '--from', 'alice@example.org', '--to', 'me@example.test', '--data', `@${join(dir, 'msg.eml')}`]);
    expect(ok.out).toMatch(/<-  250 2\.0\.0 stored in box\/Hello/);
    expect(ok.code).toBe(0);
    expect(allFiles(join(dir, 'Maildir', '.Hello'))).toHaveLength(1);

    const refused = await swaks(['--server', `127.0.0.1:${port}`, '--from', 'spam@bad.test', '--to', 'me@example.test', '--data', `@${join(dir, 'msg.eml')}`]);
    expect(refused.out).toMatch(/<\*\* 550 5\.7\.1 go away/);
    expect(refused.code).not.toBe(0);

    const relay = await swaks(['--server', `127.0.0.1:${port}`, '--from', 'alice@example.org', '--to', 'victim@elsewhere.test', '--data', `@${join(dir, 'msg.eml')}`]);
    expect(relay.out).toMatch(/<\*\* 550 5\.1\.1 <victim@elsewhere\.test>/);
    expect(allFiles(join(dir, 'Maildir'))).toHaveLength(1);

    await daemon.stop();
    // Stopped: the port no longer answers.
    const after = await swaks(['--server', `127.0.0.1:${port}`, '--from', 'a@b.test', '--to', 'me@example.test', '--quit-after', 'CONNECT']);
    expect(after.code).not.toBe(0);
  });

  it('offers STARTTLS with the configured key and certificate; AUTH works over it', async () => {
    const dir = tempDir('mailsift-smtptls-');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=intake.test']);
    writeFileSync(join(dir, 'msg.eml'), MESSAGE);
    process.env.MAILSIFT_TEST_TLS_PW = 'tls-pw';
    const intake: Intake = await startIntake('keep;', {
      tls: { keyFile: join(dir, 'key.pem'), certFile: join(dir, 'cert.pem') },
      users: [{ user: 'u1', password: { kind: 'env', env: 'MAILSIFT_TEST_TLS_PW' } }],
    });
    cleanups.push(() => intake.close());
    const r = await swaks(['--server', `127.0.0.1:${intake.port}`, '--tls', '--auth', 'PLAIN', '--auth-user', 'u1', '--auth-password', 'tls-pw', '--from', 'a@example.org', '--to', 'me@example.test', '--data', `@${join(dir, 'msg.eml')}`]);
    expect(r.out).toContain('TLS started');
    expect(r.out).toMatch(/<~  250 2\.0\.0 stored/);
    expect(intake.files()[0]!.toString('latin1')).toContain('with ESMTPSA id');
  });
});
