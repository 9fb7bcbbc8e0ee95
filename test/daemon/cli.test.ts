/**
 * The daemon's command line, in-process through main(): `status`, `config [--print]`,
 * `sweep`, and `run`'s refusals (exit codes 0 / 1 / 2).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sweepCommand } from '../../src/cli/sweep-command.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { runCli as run } from '../support/run-cli.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { message, waitFor } from './helpers.js';

const env = useDaemonFixture({ notify: true, name: 'daemon-cli', mailboxes: ['Lists/dev', 'Sweep', 'Copies'] });
const { d, setup } = env;

describe('mailsift config', () => {
  it('--print shows the effective configuration with secrets only as where they come from', async () => {
    const s = setup('config-print');
    await s.write({ accounts: [{ name: 'work', dovecot: d }], watches: [{ account: 'work', rules: 'keep;\n' }] });
    writeFileSync(s.configFile, `${await import('node:fs').then((fs) => fs.readFileSync(s.configFile, 'utf8'))}\n[accounts.other]\ntype = "imap"\nhost = "127.0.0.1"\ntls = "none"\nuser = "bob"\npassword_env = "MAILSIFT_TEST_SECRET"\n`);
    process.env.MAILSIFT_TEST_SECRET = 'hunter2-very-secret';
    try {
      const r = await run('config', '--print', '--config', s.configFile);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('password_env = "MAILSIFT_TEST_SECRET"');
      expect(r.stdout).toContain(`password_file = "${join(s.dir, 'work.password')}"`);
      expect(r.stdout).toContain('port = 143');
      expect(r.stdout).not.toContain('hunter2-very-secret');
      expect(r.stdout).not.toContain('alice-secret');
    } finally {
      delete process.env.MAILSIFT_TEST_SECRET;
    }
  });

  it('checks the file and its rules files: ok, or one line per problem and exit 2', async () => {
    const s = setup('config-check');
    await s.write({ accounts: [{ name: 'work', dovecot: d }], watches: [{ account: 'work', rules: 'require "fileinto";\nfileinto "A";\n' }] });
    const ok = await run('config', '--config', s.configFile);
    expect(ok).toMatchObject({ code: 0, stdout: `${s.configFile}: ok (1 account, 1 watch, 0 sweeps, 1 rules file)\n` });

    writeFileSync(join(s.dir, 'watch0.sieve'), 'fileinto "A";\n');
    const badRules = await run('config', '--config', s.configFile);
    expect(badRules.code).toBe(2);
    expect(badRules.stderr).toContain(`${join(s.dir, 'watch0.sieve')}:1:1: error[`);

    const bad = s.file('bad.toml', '[state]\ndir = "/tmp/x"\n[accounts.work]\ntype = "imap"\nhost = "h"\nport = 99999\nuser = "u"\npassword = "literal"\n');
    const r = await run('config', '--config', bad);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith(`${bad}: key accounts.work.`))).toBe(true);
    expect(r.stderr).not.toContain('"literal"');
  });
});

describe('mailsift run refusals', () => {
  it('exits 2 on a config problem and on a rules file that does not compile, 1 when the state dir is locked', async () => {
    const s = setup('run-refusals');
    expect((await run('run', '--config', join(s.dir, 'missing.toml'))).code).toBe(2);
    expect((await run('run', '--config', s.file('empty.toml', ''), '--log-format', 'yaml')).code).toBe(2);

    await s.write({ accounts: [{ name: 'work', dovecot: d }], watches: [{ account: 'work', rules: 'if true {\n' }] });
    const r = await run('run', '--config', s.configFile);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(s.dir, 'watch0.sieve')}:1:9: error[syntax-error]`);
    expect(r.stderr).toContain('not started');

    const config = await s.write({ accounts: [{ name: 'work', dovecot: d }], watches: [{ account: 'work', rules: 'keep;\n' }] });
    const daemon = await startDaemon(config, { logger: new MemoryLogger() });
    try {
      const locked = await run('run', '--config', s.configFile);
      expect(locked.code).toBe(1);
      expect(locked.stderr).toMatch(/\[DAEMON_LOCKED\] another mailsift daemon \(pid \d+\) is using the state directory/);
    } finally {
      await daemon.stop();
    }
  });
});

describe('mailsift status', () => {
  it('shows mode, lag, last event, last error and processed count per account and mailbox', async () => {
    const s = setup('status');
    const config = await s.write({
      accounts: [
        { name: 'work', dovecot: d },
        { name: 'broken', dovecot: d, user: 'bob', password: 'wrong' },
      ],
      watches: [
        { account: 'work', mailboxes: ['INBOX'], rules: 'require "fileinto";\nif header :contains "subject" "[dev]" { fileinto "Lists/dev"; }\n', start: 'new' },
        { account: 'broken', mailboxes: ['INBOX'], rules: 'keep;\n' },
      ],
    });
    expect((await run('status', '--config', s.configFile)).code).toBe(1);

    const logger = new MemoryLogger();
    const daemon = await startDaemon(config, { logger, backoff: { baseMs: 100, maxMs: 300 } });
    try {
      await waitFor('connected', () => logger.events.some((e) => e.text.includes('work: connected')));
      await env.mail.append('INBOX', message('s1', '[dev] status'));
      await env.mail.append('INBOX', message('s2', 'plain'));
      await waitFor('two messages', () => logger.messages.length === 2);
      await waitFor('the broken account to be reported', () => logger.events.some((e) => e.fields.account === 'broken'));

      const r = await run('status', '--config', s.configFile);
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe(`daemon: running (pid ${process.pid}), state in ${s.stateDir}`);
      expect(lines[2]).toMatch(/^ACCOUNT\s+MAILBOX\s+MODE\s+LAG\s+LAST EVENT\s+PROCESSED\s+LAST ERROR$/);
      expect(r.stdout).toMatch(/\nwork\s+INBOX\s+notify\s+\S+\s+\S+ ago\s+2\s+-\n/);
      expect(r.stdout).toMatch(/\nbroken\s+INBOX\s+offline\s+-\s+-\s+0\s+IMAP_AUTH_FAILED: .*login as "bob" refused/);

      const json = JSON.parse((await run('status', '--json', '--config', s.configFile)).stdout);
      expect(json.daemon).toEqual({ running: true, pid: process.pid });
      expect(json.mailboxes).toContainEqual(expect.objectContaining({ account: 'work', mailbox: 'INBOX', mode: 'notify', processed: 2, lastUid: expect.any(Number) }));
    } finally {
      await daemon.stop();
    }
    const after = await run('status', '--config', s.configFile);
    expect(after.stdout).toMatch(/^daemon: not running/);
    expect(after.stdout).toMatch(/\nwork\s+INBOX\s+offline\s/);
  });
});

describe('mailsift sweep', () => {
  const rules = 'require ["fileinto", "copy", "imap4flags"];\nif header :contains "subject" "keep-me" { addflag "\\\\Flagged"; stop; }\nfileinto :copy "Copies";\n';

  it('runs rules over a mailbox once; a second sweep does nothing new (the ledger); --dry-run changes nothing', async () => {
    const s = setup('sweep');
    await s.write({ accounts: [{ name: 'work', dovecot: d }], watches: [] });
    const rulesFile = s.file('sweep.sieve', rules);
    for (const id of ['w1', 'w2', 'w3']) await env.mail.append('Sweep', message(id, id === 'w2' ? 'keep-me' : id));
    const copiesBefore = (await env.mail.ids('Copies')).length;

    const dry = await run('sweep', '--config', s.configFile, '--account', 'work', '--mailbox', 'Sweep', '--rules', rulesFile, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('[dry run]');
    expect(dry.stdout).toContain('work Sweep: 3 messages: 2 fileinto, 3 keep; 3 operations would run (dry run: nothing changed)');
    expect((await env.mail.ids('Copies')).length).toBe(copiesBefore);

    const first = await run('sweep', '--config', s.configFile, '--account', 'work', '--mailbox', 'Sweep', '--rules', rulesFile);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/work Sweep uid=1 from="Sender <sender@example.test>" subject="w1" → fileinto "Copies" :copy; keep \(implicit\) \(rule line 3\)/);
    expect(first.stdout).toContain('work Sweep: 3 messages: 2 fileinto, 3 keep; 3 operations done\n');
    expect((await env.mail.ids('Copies')).slice(copiesBefore)).toEqual(['w1@example.test', 'w3@example.test']);
    expect((await env.mail.flags('Sweep')).get('w2@example.test')).toContain('\\Flagged');

    const second = await run('sweep', '--config', s.configFile, '--account', 'work', '--mailbox', 'Sweep', '--rules', rulesFile);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('work Sweep: 3 messages: 2 fileinto, 3 keep; nothing new to do, 3 already done before\n');
    expect((await env.mail.ids('Copies')).slice(copiesBefore)).toEqual(['w1@example.test', 'w3@example.test']);
  });

  it('sweeps a Maildir only as a dry run, and shows a progress bar only on a terminal', async () => {
    const s = setup('sweep-local');
    const maildir = join(s.dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
    writeFileSync(join(maildir, 'cur', '1.M1.x:2,S'), message('l1', 'keep-me'));
    writeFileSync(join(maildir, 'cur', '2.M2.x:2,'), message('l2', 'other'));
    await s.write({ accounts: [], watches: [], extra: `[accounts.local]\ntype = "maildir"\npath = ${JSON.stringify(maildir)}\n` });
    const rulesFile = s.file('local.sieve', rules);

    const refused = await run('sweep', '--config', s.configFile, '--account', 'local', '--rules', rulesFile);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('[SWEEP_UNSUPPORTED]');
    expect(refused.stderr).toContain('--dry-run');

    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 80, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    let drawn = '';
    tty.on('data', (b: Buffer) => (drawn += b.toString()));
    let stdout = '';
    const code = await sweepCommand({ config: s.configFile, account: 'local', rules: rulesFile, dryRun: true, progressStream: tty }, { stdout: (t) => void (stdout += t), stderr: () => {} });
    expect(code).toBe(0);
    expect(stdout).toBe('local INBOX: 2 messages: 1 fileinto, 2 keep; 2 operations would run (dry run: nothing changed)\n');
    expect(drawn).toContain('2/2 messages');
    expect(drawn).toContain('subject="keep-me" → keep (implicit) flags \\Flagged');
  });
});
