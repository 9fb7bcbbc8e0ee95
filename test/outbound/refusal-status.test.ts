/**
 * "The outgoing SMTP server refuses: the message is kept, and the error is reported in
 * `mailsift status`" (issue 4), followed the whole way: the daemon watches a real Dovecot
 * INBOX, a rule redirects, the [outgoing] server (smtp-server on loopback) refuses with 550
 * at RCPT TO and then with 554 at DATA, the message stays in INBOX, and the real `mailsift
 * status` command, a separate process reading the same state directory, shows the refusal.
 */
import { chmodSync } from 'node:fs';
import { expect, it } from 'vitest';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { useDaemonFixture } from '../daemon/daemon-fixture.js';
import { message, spawnMailsift, waitFor } from '../daemon/helpers.js';
import { useSmtpSink } from '../support/smtp-sink-fixture.js';

// Before the daemon's hooks, so that the sink closes only after the daemon has stopped.
const sink = useSmtpSink();

const env = useDaemonFixture({ name: 'refusal-status', notify: true, mailboxes: [] });

/** `mailsift ARGS` as a child process; its exit code and output. */
async function mailsift(...args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawnMailsift(args);
  const { code } = await child.exited;
  return { code, output: child.output() };
}

it('a redirect refused with 550, then 554: the message stays in INBOX and `mailsift status` shows the refusal', async () => {
  const { d, mail } = env;
  const setup = env.setup('refusal-status');
  const config = await setup.write({
    accounts: [{ name: 'work', dovecot: d }],
    watches: [{ account: 'work', rules: 'if header :contains "subject" "[fwd]" { redirect "boss@bad.example"; }\n', start: 'new' }],
    extra: `[outgoing]\nhost = "127.0.0.1"\nport = ${sink.port}\ntls = "none"\nfrom = "alice@example.test"\n`,
  });
  chmodSync(setup.configFile, 0o600);
  sink.refuseRcpt = (to) => (to.endsWith('@bad.example') ? '550 5.1.1 <boss@bad.example>: no such user here' : undefined);

  const logger = new MemoryLogger();
  env.daemon = await startDaemon(config, { logger });
  await waitFor('connected', () => logger.events.some((e) => e.text.includes('work: connected')));

  await mail.append('INBOX', message('refused-rcpt', '[fwd] quarterly numbers'));
  await waitFor('the first message handled', () => logger.messages.length >= 1, 20_000);
  expect(logger.messages[0]).toMatchObject({ account: 'work', mailbox: 'INBOX', status: 'error', error: expect.stringContaining('550') });
  expect(sink.messages).toEqual([]);
  expect(await mail.ids('INBOX')).toEqual(['refused-rcpt@example.test']); // kept where it was

  const first = await mailsift('status', '--config', setup.configFile);
  expect(first.code).toBe(0);
  expect(first.output).toMatch(/\nwork\s+INBOX\s+notify\s+.*550.*no such user here.* ago\)\n/);

  sink.refuseRcpt = undefined;
  sink.refuseData = '554 5.7.1 message refused as spam';
  await mail.append('INBOX', message('refused-data', '[fwd] offer'));
  await waitFor('the second message handled', () => logger.messages.length >= 2, 20_000);
  expect(logger.messages[1]).toMatchObject({ status: 'error', error: expect.stringContaining('554') });
  expect(await mail.ids('INBOX')).toEqual(['refused-rcpt@example.test', 'refused-data@example.test']);

  const json = await mailsift('status', '--json', '--config', setup.configFile);
  expect(json.code).toBe(0);
  const report = JSON.parse(json.output) as { mailboxes: { account: string; mailbox: string; lastError?: string; processed: number }[] };
  expect(report.mailboxes).toContainEqual(expect.objectContaining({ account: 'work', mailbox: 'INBOX', processed: 2, lastError: expect.stringMatching(/554.*refused as spam/) }));

  // After the daemon has stopped the refusal is still there, and nothing was sent in between.
  await env.daemon.stop();
  env.daemon = undefined;
  const after = await mailsift('status', '--config', setup.configFile);
  expect(after.output).toMatch(/^daemon: not running/);
  expect(after.output).toMatch(/\nwork\s+INBOX\s+offline\s+.*554.*refused as spam/);
  expect(sink.messages).toEqual([]);
}, 90_000);
