/**
 * The "mailsift started" line counts what the daemon runs: IMAP accounts and their watches,
 * POP3 accounts, SMTP intakes and sweeps. It once counted only watched IMAP accounts, so a
 * POP3-only or intake-only setup started with "0 accounts, 0 watches" while it was working.
 * A real Dovecot serves the IMAP and POP3 accounts; the intake listens on a loopback port.
 */
import { chmodSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../../src/daemon/daemon.js';
import { describeRunning, MemoryLogger } from '../../src/daemon/log.js';
import { freePort } from '../support/free-port.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { waitFor } from './helpers.js';

const env = useDaemonFixture({ name: 'startup-line', notify: true, mailboxes: ['Lists'] });

/** A password file only its owner reads (else the config loader warns). */
function passwordFile(setup: { file(name: string, text: string): string }): string {
  const path = setup.file('pop.password', 'alice-secret\n');
  chmodSync(path, 0o600);
  return path;
}

function startedLine(logger: MemoryLogger): string {
  const lines = logger.events.filter((e) => e.text.startsWith('mailsift started'));
  expect(lines).toHaveLength(1);
  return lines[0]!.text;
}

async function intakeToml(name: string, target: string): Promise<string> {
  return `[accounts.${name}]\ntype = "smtp-intake"\nlisten_port = ${await freePort()}\nrecipients = ["me@example.test"]\ntarget_account = "${target}"\n`;
}

describe('the startup line', () => {
  it('names each kind that runs: IMAP accounts with their watches, POP3 accounts, SMTP intakes, sweeps', async () => {
    const setup = env.setup('startup-all');
    const pw = passwordFile(setup);
    const rules = setup.file('keep.sieve', 'keep;\n');
    const config = await setup.write({
      accounts: [{ name: 'work', dovecot: env.d }],
      watches: [
        { account: 'work', mailboxes: ['INBOX'], rules: 'keep;\n', start: 'new' },
        { account: 'work', mailboxes: ['Lists'], rules: 'keep;\n', rulesName: 'lists', start: 'new' },
      ],
      sweeps: [{ account: 'work', rules: 'keep;\n', rulesName: 'sweep', schedule: '0 0 1 1 *' }],
      extra: [
        `[accounts.pop]\ntype = "pop3"\nhost = "127.0.0.1"\nport = ${env.d.pop3Port}\ntls = "none"\nuser = "alice"\npassword_file = ${JSON.stringify(pw)}\nschedule = "0 0 1 1 *"\n`,
        `[accounts.box]\ntype = "maildir"\npath = ${JSON.stringify(`${setup.dir}/Maildir`)}\n`,
        await intakeToml('in', 'box'),
        `[[watch]]\naccount = "pop"\nrules = ${JSON.stringify(rules)}\nstart = "new"\n`,
        `[[watch]]\naccount = "in"\nrules = ${JSON.stringify(rules)}\n`,
      ].join('\n'),
    });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger });
    expect(startedLine(logger)).toBe(`mailsift started (pid ${process.pid}): 1 IMAP account (2 watches), 1 POP3 account, 1 SMTP intake, 1 sweep; state in ${setup.stateDir}`);
    // What the line counts does run: the IMAP account connects and the intake listens.
    await waitFor('work connected', () => logger.events.some((e) => e.text.startsWith('work: connected')), 15_000);
    await waitFor('the intake listening', () => logger.events.some((e) => e.text.startsWith('in: SMTP intake listening')), 15_000);
  });

  it('an intake-only setup says "1 SMTP intake", not "0 accounts, 0 watches"', async () => {
    const setup = env.setup('startup-intake');
    const rules = setup.file('keep.sieve', 'keep;\n');
    const config = await setup.write({
      accounts: [],
      watches: [],
      extra: `[accounts.box]\ntype = "maildir"\npath = ${JSON.stringify(`${setup.dir}/Maildir`)}\n${await intakeToml('in', 'box')}[[watch]]\naccount = "in"\nrules = ${JSON.stringify(rules)}\n`,
    });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger });
    expect(startedLine(logger)).toBe(`mailsift started (pid ${process.pid}): 1 SMTP intake; state in ${setup.stateDir}`);
  });

  it('a POP3-only setup with two accounts says "2 POP3 accounts"', async () => {
    const setup = env.setup('startup-pop3');
    const pw = passwordFile(setup);
    const rules = setup.file('keep.sieve', 'keep;\n');
    const pop = (name: string) =>
      `[accounts.${name}]\ntype = "pop3"\nhost = "127.0.0.1"\nport = ${env.d.pop3Port}\ntls = "none"\nuser = "alice"\npassword_file = ${JSON.stringify(pw)}\nschedule = "0 0 1 1 *"\n[[watch]]\naccount = "${name}"\nrules = ${JSON.stringify(rules)}\nstart = "new"\n`;
    const config = await setup.write({ accounts: [], watches: [], extra: `${pop('pop1')}\n${pop('pop2')}` });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger });
    expect(startedLine(logger)).toBe(`mailsift started (pid ${process.pid}): 2 POP3 accounts; state in ${setup.stateDir}`);
  });

  it.each([
    [{ imapAccounts: 1, imapWatches: 1, pop3Accounts: 0, smtpIntakes: 0, sweeps: 0 }, '1 IMAP account (1 watch)'],
    [{ imapAccounts: 2, imapWatches: 3, pop3Accounts: 0, smtpIntakes: 2, sweeps: 2 }, '2 IMAP accounts (3 watches), 2 SMTP intakes, 2 sweeps'],
    [{ imapAccounts: 0, imapWatches: 0, pop3Accounts: 0, smtpIntakes: 0, sweeps: 0 }, 'nothing to watch and no sweeps'],
  ])('describeRunning(%o) is "%s"', (counts, text) => {
    expect(describeRunning(counts)).toBe(text);
  });
});
