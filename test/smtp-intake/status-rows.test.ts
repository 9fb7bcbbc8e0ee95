/**
 * The SMTP intake's row in `mailsift status` (mailbox SMTP): `listen` while the listener is up
 * (it once showed `offline` the whole time), `offline` with the error and its code when the
 * listener cannot start (port in use, an address not on this host), `offline` once stopped;
 * and a message the intake cannot store leaves its code in LAST ERROR, as a connection error
 * does. The real daemon, with swaks as the SMTP client.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildStatus, formatStatus, type StatusRow } from '../../src/cli/status-command.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { openState } from '../../src/state/db.js';
import { waitFor } from '../daemon/helpers.js';
import { freePort } from '../support/free-port.js';
import { tempDir } from '../support/temp-dir.js';
import { MESSAGE, swaks } from './harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Started {
  readonly dir: string;
  readonly config: Config;
  readonly daemon: Daemon;
  readonly logger: MemoryLogger;
}

/** A daemon with one intake `in` (into the Maildir `box`, or the path given) on `listen`. */
async function startWithIntake(listen: { host?: string; port: number }, boxPath?: string): Promise<Started> {
  const dir = tempDir('mailsift-intake-status-');
  writeFileSync(join(dir, 'rules.sieve'), 'keep;\n');
  writeFileSync(join(dir, 'msg.eml'), MESSAGE);
  writeFileSync(
    join(dir, 'config.toml'),
    `[state]\ndir = "${dir}/state"\n[accounts.box]\ntype = "maildir"\npath = ${JSON.stringify(boxPath ?? `${dir}/Maildir`)}\n` +
      `[accounts.in]\ntype = "smtp-intake"\n${listen.host ? `listen_host = "${listen.host}"\n` : ''}listen_port = ${listen.port}\nrecipients = ["me@example.test"]\ntarget_account = "box"\n` +
      `[[watch]]\naccount = "in"\nrules = "rules.sieve"\n`,
  );
  const config = await loadConfig(join(dir, 'config.toml'));
  const logger = new MemoryLogger();
  const daemon = await startDaemon(config, { logger });
  cleanups.push(() => daemon.stop());
  return { dir, config, daemon, logger };
}

function intakeRow(config: Config): StatusRow | undefined {
  return buildStatus(config).mailboxes.find((r) => r.account === 'in' && r.mailbox === 'SMTP');
}

function send(s: Started, port: number): Promise<{ code: number; out: string }> {
  return swaks(['--server', `127.0.0.1:${port}`, '--from', 'alice@example.org', '--to', 'me@example.test', '--data', `@${join(s.dir, 'msg.eml')}`]);
}

describe('the SMTP intake in `mailsift status`', () => {
  it('shows `listen` while it listens (with the messages it took), and `offline` once stopped', async () => {
    const port = await freePort();
    const s = await startWithIntake({ port });
    await waitFor('the listener', () => s.logger.events.some((e) => e.text.startsWith('in: SMTP intake listening')), 15_000, 25);
    expect(intakeRow(s.config)).toMatchObject({ mode: 'listen', processed: 0 });
    expect(intakeRow(s.config)?.lastError).toBeUndefined();

    const sent = await send(s, port);
    expect(sent.out).toMatch(/<-  250 2\.0\.0 stored in box\/INBOX/);
    expect(intakeRow(s.config)).toMatchObject({ mode: 'listen', processed: 1 });
    expect(formatStatus(buildStatus(s.config), Date.now())).toMatch(/\nin\s+SMTP\s+listen\s+-\s+\S+ ago\s+1\s+-\n/);

    await s.daemon.stop();
    const state = openState(join(s.dir, 'state'), { readonly: true });
    try {
      expect(state.events.status('in', 'SMTP')).toMatchObject({ mode: 'offline', processedCount: 1 });
    } finally {
      state.close();
    }
  });

  it('a port in use: an `offline` row with the error, on one line, with its code', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const port = (blocker.address() as { port: number }).port;

    const s = await startWithIntake({ port });
    await waitFor('the listen failure logged', () => s.logger.events.some((e) => e.fields.code === 'SMTP_LISTEN_FAILED'), 15_000, 25);
    const row = intakeRow(s.config);
    expect(row).toMatchObject({ mode: 'offline', processed: 0, lastError: expect.stringMatching(new RegExp(`^SMTP_LISTEN_FAILED: in: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`)) });
    expect(row!.lastError).not.toMatch(/\n/);
    expect(formatStatus(buildStatus(s.config), Date.now())).toMatch(/\nin\s+SMTP\s+offline\s+.*SMTP_LISTEN_FAILED: in: cannot listen on/);
  });

  it('an address not on this host: an `offline` row with the error and its code', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
    const s = await startWithIntake({ host: '192.0.2.1', port: await freePort() });
    await waitFor('the listen failure logged', () => s.logger.events.some((e) => e.fields.code === 'SMTP_LISTEN_FAILED'), 15_000, 25);
    expect(intakeRow(s.config)).toMatchObject({ mode: 'offline', lastError: expect.stringMatching(/^SMTP_LISTEN_FAILED: in: cannot listen on 192\.0\.2\.1:\d+: .*EADDRNOTAVAIL/) });
  });

  it('a message it cannot store (451): LAST ERROR carries the store error code', async () => {
    const port = await freePort();
    const dir = tempDir('mailsift-intake-notdir-');
    writeFileSync(join(dir, 'a-file'), 'not a directory\n');
    const s = await startWithIntake({ port }, join(dir, 'a-file', 'Maildir'));
    await waitFor('the listener', () => s.logger.events.some((e) => e.text.startsWith('in: SMTP intake listening')), 15_000, 25);

    const sent = await send(s, port);
    expect(sent.out).toMatch(/<\*\* 451 /);
    const row = intakeRow(s.config);
    expect(row).toMatchObject({ mode: 'listen', processed: 1, lastError: expect.stringMatching(/^STORE_WRITE_FAILED: cannot create \S*a-file\/Maildir\S*: not a directory$/) });
  });
});
