/**
 * LAST ERROR in `mailsift status` carries the error's stable code in one format, `CODE: reason`,
 * whatever failed: a connection (as it always did) or a message's action (which once showed the
 * reason alone). Real Dovecot: the target account `archive` logs in with a wrong password, so
 * a `fileinto :account "archive"` fails with IMAP_AUTH_FAILED; a POP3 account with a wrong
 * password fails to connect.
 */
import { chmodSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildStatus, formatStatus } from '../../src/cli/status-command.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MailsiftError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { message, waitFor } from './helpers.js';

const env = useDaemonFixture({ name: 'status-codes', notify: true, mailboxes: [] });

const TO_ARCHIVE = 'require ["fileinto", "vnd.mailsift.account"];\nfileinto :account "archive" "Invoices";\n';

function popToml(name: string, port: number, passwordFile: string, rulesFile: string): string {
  return `[accounts.${name}]\ntype = "pop3"\nhost = "127.0.0.1"\nport = ${port}\ntls = "none"\nuser = "alice"\npassword_file = ${JSON.stringify(passwordFile)}\nschedule = "0 0 1 1 *"\n[[watch]]\naccount = "${name}"\nrules = ${JSON.stringify(rulesFile)}\nstart = "all"\n`;
}

describe('LAST ERROR carries the code', () => {
  it('of a failed action on a watched IMAP mailbox (a store into an account that cannot log in)', async () => {
    const setup = env.setup('status-codes-imap');
    const config = await setup.write({
      accounts: [
        { name: 'work', dovecot: env.d },
        { name: 'archive', dovecot: env.d, user: 'bob', password: 'not-bobs-password' },
      ],
      watches: [{ account: 'work', rules: TO_ARCHIVE, start: 'new' }],
    });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger });
    await waitFor('work connected', () => logger.events.some((e) => e.text.startsWith('work: connected')), 15_000);

    await env.mail.append('INBOX', message('invoice-1', 'Invoice 1'));
    await waitFor('the message handled', () => logger.messages.length >= 1, 20_000);
    expect(logger.messages[0]).toMatchObject({ account: 'work', mailbox: 'INBOX', status: 'error' });
    expect(await env.mail.ids('INBOX')).toEqual(['invoice-1@example.test']); // kept where it was

    const row = buildStatus(config).mailboxes.find((r) => r.account === 'work' && r.mailbox === 'INBOX');
    expect(row).toMatchObject({ processed: 1, lastError: expect.stringMatching(/^IMAP_AUTH_FAILED: IMAP account "archive" \(127\.0\.0\.1:\d+\): login as "bob" refused/) });
    expect(formatStatus(buildStatus(config), Date.now())).toMatch(/\nwork\s+INBOX\s+notify\s+.*\s1\s+IMAP_AUTH_FAILED: IMAP account "archive"/);
    expect(JSON.stringify(row)).not.toContain('not-bobs-password');
  });

  it('of an executor that throws: a MailsiftError\'s code, never another error\'s (a Node errno is not a stable code)', async () => {
    const setup = env.setup('status-codes-thrown');
    const config = await setup.write({ accounts: [{ name: 'work', dovecot: env.d }], watches: [{ account: 'work', rules: 'require "fileinto";\nfileinto "Done";\n', start: 'new' }] });
    let calls = 0;
    const thrown = () => (++calls % 2 === 1 ? Object.assign(new Error('socket closed'), { code: 'ECONNRESET' }) : new MailsiftError('IMAP_MOVE_FAILED', 'MOVE refused'));
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, createExecutor: () => ({ execute: async () => Promise.reject(thrown()) }) });
    await waitFor('work connected', () => logger.events.some((e) => e.text.startsWith('work: connected')), 15_000);
    // Thrown three times, the third is committed as an error (MAX_TRANSIENT_FAILURES): ECONNRESET.
    await env.mail.append('INBOX', message('thrown-1'));
    await waitFor('the first message committed', () => logger.messages.length >= 1, 20_000);
    expect(calls).toBe(3);
    expect(buildStatus(config).mailboxes.find((r) => r.account === 'work' && r.mailbox === 'INBOX')?.lastError).toBe('socket closed');
    // The next one: IMAP_MOVE_FAILED on its third attempt.
    await env.mail.append('INBOX', message('thrown-2'));
    await waitFor('the second message committed', () => logger.messages.length >= 2, 20_000);
    expect(calls).toBe(6);
    expect(buildStatus(config).mailboxes.find((r) => r.account === 'work' && r.mailbox === 'INBOX')?.lastError).toBe('IMAP_MOVE_FAILED: MOVE refused');
  });

  it('of a failed action on a POP3 message, and of a POP3 connection that is refused', async () => {
    const setup = env.setup('status-codes-pop3');
    const good = setup.file('pop.password', 'alice-secret\n');
    const bad = setup.file('bad.password', 'not-alices-password\n');
    chmodSync(good, 0o600);
    chmodSync(bad, 0o600);
    const rules = setup.file('pop.sieve', TO_ARCHIVE);
    await env.d.append('alice', 'INBOX', message('pop-invoice', 'POP invoice'));
    const config = await setup.write({
      accounts: [{ name: 'archive', dovecot: env.d, user: 'bob', password: 'not-bobs-password' }],
      watches: [],
      extra: `${popToml('pop', env.d.pop3Port, good, rules)}\n${popToml('badpop', env.d.pop3Port, bad, rules)}`,
    });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger });
    await waitFor('the POP3 message handled', () => logger.messages.some((m) => m.account === 'pop'), 20_000);
    await waitFor('the refused POP3 login logged', () => logger.events.some((e) => e.fields.account === 'badpop' && e.level === 'error'), 20_000);

    const rows = buildStatus(config).mailboxes;
    expect(rows.find((r) => r.account === 'pop')).toMatchObject({ mailbox: 'POP3', lastError: expect.stringMatching(/^IMAP_AUTH_FAILED: IMAP account "archive" .*login as "bob" refused/) });
    const code = logger.events.find((e) => e.fields.account === 'badpop' && e.level === 'error')!.fields.code;
    expect(code).toMatch(/^POP3_[A-Z_]+$/);
    expect(rows.find((r) => r.account === 'badpop')).toMatchObject({ mailbox: 'POP3', mode: 'schedule', lastError: expect.stringMatching(new RegExp(`^${code}: `)) });
  });
});
