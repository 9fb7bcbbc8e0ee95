/**
 * The daemon in-process (startDaemon) against real Dovecot instances, one with NOTIFY and one
 * without (IDLE): rules applied to new mail, catch-up after a restart, a recreated mailbox,
 * a Dovecot restart, a wrong password next to a working account, the state-directory lock.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { formatMessageText, MemoryLogger } from '../../src/daemon/log.js';
import { openState } from '../../src/state/db.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { Mailboxes, message, waitFor, type TestSetup } from './helpers.js';
import { freePort } from '../support/free-port.js';

const DEV_RULES = `require ["fileinto"];
# mailing-list traffic goes to its folder
if header :contains "subject" "[dev]" {
  fileinto "Lists/dev";
}
`;

const FAST = { backoff: { baseMs: 100, maxMs: 500 } };


async function connected(logger: MemoryLogger, account: string, times = 1): Promise<void> {
  await waitFor(`${account} to connect`, () => logger.events.filter((e) => e.fields.account === account && / connected to | reconnected to /.test(e.text)).length >= times);
}

for (const notify of [true, false]) {
  const mode = notify ? 'notify' : 'idle';
  describe(`daemon against Dovecot ${notify ? 'with NOTIFY' : 'without NOTIFY (IDLE)'}`, () => {
    const env = useDaemonFixture({ notify, name: `daemon-${mode}`, mailboxes: ['Lists/dev'] });

    it(`moves new mail by the rules (${mode} mode), one log line per message`, async () => {
      const setup = env.setup(`move-${mode}`);
      const config = await setup.write({ accounts: [{ name: 'work', dovecot: env.d }], watches: [{ account: 'work', rules: DEV_RULES, start: 'new' }] });
      await env.mail.append('INBOX', message(`${mode}-old`, '[dev] before the daemon'));
      const logger = new MemoryLogger();
      env.daemon = await startDaemon(config, { logger, ...FAST });
      await connected(logger, 'work');
      expect(logger.events.find((e) => / connected to /.test(e.text))!.text).toContain(`(${mode})`);

      await env.mail.append('INBOX', message(`${mode}-1`, '[dev] release plan'));
      await env.mail.append('INBOX', message(`${mode}-2`, 'lunch?'));
      await waitFor('two messages processed', () => logger.messages.length >= 2);
      expect(await env.mail.ids('Lists/dev')).toEqual([`${mode}-1@example.test`]);
      // start = "new": the message that was there before the first start is left alone.
      expect(await env.mail.ids('INBOX')).toEqual([`${mode}-old@example.test`, `${mode}-2@example.test`]);

      const [moved, kept] = logger.messages;
      expect(formatMessageText(moved!)).toMatch(/^work INBOX uid=2 from="Sender <sender@example.test>" subject="\[dev\] release plan" → fileinto "Lists\/dev" \(rule line 4\)$/);
      expect(formatMessageText(kept!)).toMatch(/^work INBOX uid=3 .* subject="lunch\?" → keep \(implicit\)$/);

      const state = openState(setup.stateDir, { readonly: true });
      try {
        expect(state.events.status('work', 'INBOX')).toMatchObject({ mode, processedCount: 2 });
        expect(state.checkpoints.get('work', 'INBOX')).toMatchObject({ lastUid: 3 });
      } finally {
        state.close();
      }
    });
  });
}

describe('daemon: restarts, recreated mailboxes, failures', () => {
  const env = useDaemonFixture({ notify: true, name: 'daemon-life', mailboxes: ['Lists/dev', 'Box', 'Copies', 'Other'] });

  it('catches up after a restart: mail that arrived while it was down is processed once', async () => {
    const s = env.setup('catchup');
    const config = await s.write({ accounts: [{ name: 'work', dovecot: env.d }], watches: [{ account: 'work', mailboxes: ['Other'], rules: DEV_RULES.replace('Lists/dev', 'Copies'), start: 'new' }] });
    let logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await connected(logger, 'work');
    await env.mail.append('Other', message('c1', '[dev] one'));
    await waitFor('c1', () => logger.messages.length === 1);
    await env.daemon.stop();

    await env.mail.append('Other', message('c2', '[dev] two'));
    await env.mail.append('Other', message('c3', 'three'));
    logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await waitFor('c2 and c3', () => logger.messages.length === 2);
    expect(logger.messages.map((m) => [m.messageId, m.actions])).toEqual([
      ['c2@example.test', ['fileinto "Copies"']],
      ['c3@example.test', ['keep (implicit)']],
    ]);
    expect(await env.mail.ids('Copies')).toEqual(['c1@example.test', 'c2@example.test']);
    expect(await env.mail.ids('Other')).toEqual(['c3@example.test']);
    expect(env.daemon.state.events.recent({ account: 'work', mailbox: 'Other' }).map((e) => e.messageId).sort()).toEqual(['c1@example.test', 'c2@example.test', 'c3@example.test']);
  });

  it('a recreated mailbox (new UIDVALIDITY) is rescanned, and what it processed before is not acted on again', async () => {
    const s = env.setup('uidvalidity');
    const rules = 'require ["fileinto", "copy", "imap4flags"];\nfileinto :copy "Copies";\naddflag "\\\\Flagged";\n';
    const config = await s.write({ accounts: [{ name: 'work', dovecot: env.d }], watches: [{ account: 'work', mailboxes: ['Box'], rules, start: 'all' }] });
    const before = (await env.mail.ids('Copies')).length;
    let logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await env.mail.append('Box', message('u1'));
    await env.mail.append('Box', message('u2'));
    await waitFor('u1 and u2', () => logger.messages.length === 2);
    const oldValidity = env.daemon.state.checkpoints.get('work', 'Box')!.uidvalidity;

    // Recreated while the daemon is down (restored from a backup, say), then again while it runs.
    await env.daemon.stop();
    await env.d.doveadm(['mailbox', 'delete', '-u', 'alice', 'Box']);
    await env.d.createMailbox('alice', 'Box');
    await env.mail.append('Box', message('u1'));
    await env.mail.append('Box', message('u3'));
    logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await waitFor('the rescan', () => logger.messages.length === 2);
    expect(logger.events.some((e) => e.fields.code === 'IMAP_UIDVALIDITY_CHANGED' && e.text.includes('rescanning'))).toBe(true);
    expect(logger.messages.map((m) => [m.messageId, m.status, m.error])).toEqual([
      ['u1@example.test', 'skipped', expect.any(String)],
      ['u3@example.test', 'ok', undefined],
    ]);
    expect(env.daemon.state.checkpoints.get('work', 'Box')!.uidvalidity).not.toBe(oldValidity);

    // The restored mailbox is filled under another name and renamed into place, so it
    // appears with its messages at once: the daemon treats what is in a recreated mailbox
    // when it notices (UIDs below its UIDNEXT then) as restored, and what arrives afterwards
    // as new. Appending into an empty recreated Box raced with that moment.
    await env.d.doveadm(['mailbox', 'delete', '-u', 'alice', 'Box']);
    await env.d.createMailbox('alice', 'BoxRestore');
    await env.mail.append('BoxRestore', message('u2'));
    await env.mail.append('BoxRestore', message('u4'));
    await env.mail.append('BoxRestore', message('u5'));
    await env.d.doveadm(['mailbox', 'rename', '-u', 'alice', 'BoxRestore', 'Box']);
    await env.mail.append('Box', message('u6'));
    await waitFor('the live rescan', () => logger.messages.length === 6, 20_000);
    expect(logger.messages.slice(2).map((m) => [m.messageId, m.status])).toEqual([
      ['u2@example.test', 'skipped'],
      ['u4@example.test', 'ok'],
      ['u5@example.test', 'ok'],
      ['u6@example.test', 'ok'],
    ]);
    // One copy per message, never two.
    expect((await env.mail.ids('Copies')).slice(before).sort()).toEqual(['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((u) => `${u}@example.test`));
  });

  it('survives a Dovecot restart mid-stream: it reconnects and nothing is lost or done twice', async () => {
    const s = env.setup('dovecot-restart');
    const rules = 'require ["fileinto"];\nif header :contains "subject" "even" { fileinto "Lists/dev"; }\n';
    const config = await s.write({ accounts: [{ name: 'work', dovecot: env.d }], watches: [{ account: 'work', mailboxes: ['INBOX'], rules, start: 'new' }] });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await connected(logger, 'work');
    const before = { inbox: await env.mail.ids('INBOX'), dev: await env.mail.ids('Lists/dev') };
    const ids = Array.from({ length: 40 }, (_, i) => `r${i}`);
    for (const [i, id] of ids.entries()) await env.mail.append('INBOX', message(id, i % 2 ? 'odd' : 'even'));
    await waitFor('some progress', () => logger.messages.length >= 5);
    await env.mail.close();
    await env.d.restart();
    await connected(logger, 'work', 2);
    await waitFor('every message', () => new Set(logger.messages.filter((m) => m.status === 'ok').map((m) => m.messageId)).size === ids.length, 20_000);
    const inbox = (await env.mail.ids('INBOX')).filter((x) => !before.inbox.includes(x));
    const dev = (await env.mail.ids('Lists/dev')).filter((x) => !before.dev.includes(x));
    expect(inbox.sort()).toEqual(ids.filter((_, i) => i % 2).map((id) => `${id}@example.test`).sort());
    expect(dev.sort()).toEqual(ids.filter((_, i) => i % 2 === 0).map((id) => `${id}@example.test`).sort());
    expect(logger.events.some((e) => e.fields.code === 'IMAP_CONNECTION_LOST')).toBe(true);
  });

  it('a wrong password or a dead host logs one clear line and retries; the other account keeps working', async () => {
    const s = env.setup('wrong-password');
    const deadPort = await freePort();
    const config = await s.write({
      accounts: [
        { name: 'good', dovecot: env.d },
        { name: 'bad', dovecot: env.d, user: 'bob', password: 'not-bobs-password' },
        { name: 'dead', dovecot: env.d, port: deadPort },
      ],
      watches: [
        { account: 'good', mailboxes: ['Other'], rules: DEV_RULES.replace('Lists/dev', 'Copies'), start: 'new' },
        { account: 'bad', mailboxes: ['INBOX'], rules: DEV_RULES, start: 'new' },
        { account: 'dead', mailboxes: ['INBOX'], rules: DEV_RULES, start: 'new' },
      ],
    });
    const failures = () => (env.d.log().match(/auth failed|password mismatch|Authentication failed/gi) ?? []).length;
    const failedBefore = failures();
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await connected(logger, 'good');
    await env.mail.append('Other', message('w1', '[dev] still works'));
    await waitFor('good processes its mail', () => logger.messages.some((m) => m.messageId === 'w1@example.test'));
    await waitFor('several login attempts of bob', () => failures() - failedBefore >= 3);

    const bad = logger.events.filter((e) => e.fields.account === 'bad');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ level: 'error', fields: { code: 'IMAP_AUTH_FAILED' } });
    expect(bad[0]!.text).toMatch(/IMAP account "bad" \(127\.0\.0\.1:\d+\): login as "bob" refused.*retrying/);
    const all = JSON.stringify([logger.events, logger.messages]);
    expect(all).not.toContain('not-bobs-password');
    expect(all).not.toContain('alice-secret');
    expect(env.daemon.state.events.status('bad', 'INBOX')).toMatchObject({ mode: 'offline', lastError: expect.stringContaining('IMAP_AUTH_FAILED') });

    const dead = logger.events.filter((e) => e.fields.account === 'dead');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ level: 'error', fields: { code: 'IMAP_CONNECT_FAILED' } });
    expect(dead[0]!.text).toContain(`IMAP account "dead" (127.0.0.1:${deadPort}): cannot connect`);
    const t0 = Date.now();
    await env.daemon.stop();
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('stop() while the password command runs, and it then fails: no retry is logged or scheduled', async () => {
    const s = env.setup('stop-while-password');
    const started = join(s.dir, 'started');
    const go = join(s.dir, 'go');
    await s.write({ accounts: [{ name: 'slow', dovecot: env.d }], watches: [{ account: 'slow', mailboxes: ['INBOX'], rules: DEV_RULES, start: 'new' }] });
    // The password comes from a command that fails once the test lets it (after stop() began).
    const command = `: > ${started}; while [ ! -e ${go} ]; do sleep 0.02; done; exit 3`;
    writeFileSync(s.configFile, readFileSync(s.configFile, 'utf8').replace(/^password_file = .*$/m, `password_command = ${JSON.stringify(command)}`));
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(await loadConfig(s.configFile), { logger, backoff: { baseMs: 600_000, maxMs: 600_000 } });
    await waitFor('the password command to start', () => existsSync(started));
    const stopping = env.daemon.stop();
    writeFileSync(go, '');
    await stopping;
    env.daemon = undefined;
    expect(logger.events.filter((e) => e.fields.account === 'slow' && /retrying/.test(e.text)).map((e) => e.text)).toEqual([]);
  });

  it('stop() finishes the message in flight, takes no new one; a restart does the rest', async () => {
    const s = env.setup('drain');
    const rules = 'require ["fileinto"];\nfileinto "Copies";\n';
    const config = await s.write({ accounts: [{ name: 'work', dovecot: env.d }], watches: [{ account: 'work', mailboxes: ['Box'], rules, start: 'new' }] });
    let logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await connected(logger, 'work');
    const ids = Array.from({ length: 30 }, (_, i) => `dr${i}@example.test`);
    for (const id of ids) await env.mail.append('Box', message(id.replace('@example.test', '')));
    await waitFor('a few', () => logger.messages.length >= 3);
    await env.daemon.stop();
    const done = logger.messages.length;
    expect(done).toBeLessThan(ids.length);
    const state = openState(s.stateDir, { readonly: true });
    try {
      // Everything logged was committed; nothing after it.
      expect(state.events.recent({ account: 'work', mailbox: 'Box', limit: 100 })).toHaveLength(done);
    } finally {
      state.close();
    }
    logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await waitFor('the rest', () => logger.messages.length === ids.length - done);
    expect((await env.mail.ids('Copies')).filter((x) => x.startsWith('dr'))).toEqual(ids);
    expect((await env.mail.ids('Box')).filter((x) => x.startsWith('dr'))).toEqual([]);
  });

  it('reload() starts and stops accounts and watches as the configuration says', async () => {
    const s = env.setup('reload');
    const rules = 'require ["fileinto"];\nif header :contains "subject" "[dev]" { fileinto "Lists/dev"; }\n';
    const config = await s.write({ accounts: [{ name: 'work', dovecot: env.d }], watches: [{ account: 'work', mailboxes: ['Other'], rules, start: 'new' }] });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await connected(logger, 'work');

    await s.write({
      accounts: [{ name: 'work', dovecot: env.d }, { name: 'second', dovecot: env.d, user: 'bob' }],
      watches: [
        { account: 'work', mailboxes: ['Other', 'Box'], rules, start: 'new' },
        { account: 'second', mailboxes: ['INBOX'], rules: 'require "imap4flags";\naddflag "\\\\Flagged";\n', start: 'new' },
      ],
    });
    expect(await env.daemon.reload()).toEqual({ ok: true, problems: [] });
    await connected(logger, 'work', 2);
    await connected(logger, 'second');
    await env.mail.append('Box', message('rl1', '[dev] via the new watch'));
    const bob = new Mailboxes(env.d, 'bob');
    try {
      await bob.append('INBOX', message('rl2', 'for bob'));
      await waitFor('both', () => logger.messages.length === 2);
      expect((await env.mail.ids('Lists/dev')).at(-1)).toBe('rl1@example.test');
      expect((await bob.flags('INBOX')).get('rl2@example.test')).toContain('\\Flagged');
    } finally {
      await bob.close();
    }

    await s.write({ accounts: [{ name: 'work', dovecot: env.d }], watches: [{ account: 'work', mailboxes: ['Other', 'Box'], rules, start: 'new' }] });
    await env.daemon.reload();
    await waitFor('second to be dropped', () => logger.events.some((e) => e.text === 'second: no longer watched, disconnecting'));

    writeFileSync(s.configFile, '[state]\nport = 1\n');
    const refused = await env.daemon.reload();
    expect(refused.ok).toBe(false);
    expect(refused.problems[0]).toContain('key state.port');
    expect(logger.events.some((e) => e.text.includes('reload refused'))).toBe(true);
  });

  it('refuses a second daemon on the same state directory', async () => {
    const s = env.setup('lock');
    const config = await s.write({ accounts: [{ name: 'work', dovecot: env.d }], watches: [{ account: 'work', mailboxes: ['Other'], rules: DEV_RULES, start: 'new' }] });
    env.daemon = await startDaemon(config, { logger: new MemoryLogger(), ...FAST });
    await expect(startDaemon(config, { logger: new MemoryLogger() })).rejects.toMatchObject({ code: 'DAEMON_LOCKED', message: expect.stringContaining(`pid ${process.pid}`) });
    await env.daemon.stop();
    env.daemon = await startDaemon(config, { logger: new MemoryLogger(), ...FAST });
  });
});

describe('daemon: host queries, scheduled sweeps, JSON log', () => {
  const env = useDaemonFixture({ notify: true, name: 'daemon-extras', mailboxes: ['Lists/dev', 'Dups', 'Swept'] });
  let s: TestSetup;
  beforeAll(() => {
    s = env.setup('extras');
  });

  it('answers mailboxexists from the account list (refreshed after :create), duplicate from the state, size from the real size', async () => {
    const rules = [
      'require ["fileinto", "mailbox", "duplicate"];',
      'if duplicate { fileinto "Dups"; stop; }',
      'if size :over 2K { fileinto :create "Big"; stop; }',
      'if mailboxexists "Big" { fileinto "Lists/dev"; stop; }',
      'keep;',
      '',
    ].join('\n');
    const config = await s.write({ accounts: [{ name: 'work', dovecot: env.d }], watches: [{ account: 'work', rules }] });
    const lines: string[] = [];
    const { createLogger } = await import('../../src/daemon/log.js');
    const json = createLogger({ format: 'json', write: (l) => lines.push(l) });
    const logger = new MemoryLogger(json);
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await connected(logger, 'work');

    await env.mail.append('INBOX', message('q1', 'small, Big does not exist yet'));
    await waitFor('q1', () => logger.messages.length === 1);
    await env.mail.append('INBOX', message('q1', 'the same Message-ID again'));
    await waitFor('q1 again', () => logger.messages.length === 2);
    await env.mail.append('INBOX', message('q2', 'big', `X-Pad: ${'x'.repeat(10)}\r\n`) + 'y'.repeat(3000) + '\r\n');
    await waitFor('q2', () => logger.messages.length === 3);
    await env.mail.append('INBOX', message('q3', 'small, Big exists now'));
    await waitFor('q3', () => logger.messages.length === 4);

    expect(logger.messages.map((m) => [m.messageId, m.actions[0], m.ruleLine])).toEqual([
      ['q1@example.test', 'keep', 5],
      ['q1@example.test', 'fileinto "Dups"', 2],
      ['q2@example.test', 'fileinto "Big" :create', 3],
      ['q3@example.test', 'fileinto "Lists/dev"', 4],
    ]);
    expect(await env.mail.ids('Big')).toEqual(['q2@example.test']);

    // --log-format json: one object per line, secrets nowhere.
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.filter((o) => o.event === 'message')[3]).toMatchObject({ level: 'info', account: 'work', mailbox: 'INBOX', messageId: 'q3@example.test', actions: ['fileinto "Lists/dev"'], ruleLine: 4, status: 'ok', time: expect.any(String) });
    expect(objects.find((o) => o.event === 'log' && String(o.msg).includes('connected'))).toMatchObject({ level: 'info', account: 'work', mode: 'notify' });
    expect(lines.join('')).not.toContain('alice-secret');
  });

  it('runs execute programs while evaluating, with the whole message on stdin (not just the fetched header)', async () => {
    const bin = join(s.dir, 'programs');
    mkdirSync(bin);
    writeFileSync(join(bin, 'where'), '#!/bin/sh\nif grep -q "Body of x2"; then printf "%s" Lists/dev; else exit 1; fi\n');
    chmodSync(join(bin, 'where'), 0o755);
    const rules = 'require ["fileinto", "vnd.dovecot.execute", "variables"];\nif execute :pipe :output "box" "where" { fileinto "${box}"; stop; }\nkeep;\n';
    const config = await s.write({ accounts: [{ name: 'work', dovecot: env.d }], watches: [{ account: 'work', rules, rulesName: 'execute' }], extra: `[pipe]\ndir = ${JSON.stringify(bin)}\n` });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await connected(logger, 'work');
    const before = logger.messages.length;
    await env.mail.append('INBOX', message('x1'));
    await env.mail.append('INBOX', message('x2'));
    await waitFor('x1 and x2', () => logger.messages.length >= before + 2);
    expect(logger.messages.slice(before).map((m) => [m.messageId, m.actions[0], m.status])).toEqual([
      ['x1@example.test', 'keep', 'ok'],
      ['x2@example.test', 'fileinto "Lists/dev"', 'ok'],
    ]);
    expect(await env.mail.ids('Lists/dev')).toContain('x2@example.test');
  });

  it('runs [[sweep]] entries on their schedule', async () => {
    const sweepRules = 'require ["fileinto"];\nif header :contains "subject" "old" { fileinto "Swept"; }\n';
    await env.mail.append('Lists/dev', message('sw1', 'old news'));
    await env.mail.append('Lists/dev', message('sw2', 'fresh'));
    const config = await s.write({
      accounts: [{ name: 'work', dovecot: env.d }],
      watches: [{ account: 'work', mailboxes: ['INBOX'], rules: 'keep;\n', start: 'new' }],
      sweeps: [{ account: 'work', mailbox: 'Lists/dev', rules: sweepRules, rulesName: 'sweep', schedule: '* * * * * *' }],
    });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await waitFor('a sweep to finish', () => logger.events.find((e) => /^sweep\[0\] work Lists\/dev: \d+ messages/.test(e.text)), 15_000);
    expect(await env.mail.ids('Swept')).toEqual(['sw1@example.test']);
    expect(await env.mail.ids('Lists/dev')).toContain('sw2@example.test');
  });
});
