/**
 * The daemon runs a `type = "pop3"` watch: the first poll at start, the message filed into an
 * IMAP folder of another server through `fileinto :account`, then deleted from the POP3 server.
 */
import { expect, it } from 'vitest';
import { MemoryLogger } from '../../src/daemon/log.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { Pop3Client } from '../../src/connectors/pop3/client.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { useDaemonFixture } from '../daemon/daemon-fixture.js';
import { waitFor } from '../daemon/helpers.js';
import { tricky } from './helpers.js';

const src = useDovecot({ name: 'pop3-daemon-src' });
/** The IMAP server the rules file into (`home`), and the daemon's hooks. */
const env = useDaemonFixture({ name: 'pop3-daemon-dst', notify: false, mailboxes: [] });
const dst = env.d;

it('polls a pop3 watch at start, files into another IMAP server, deletes after delivery', async () => {
  const setup = env.setup('pop3-daemon');
  const raw = tricky('via daemon');
  await src.append('alice', 'INBOX', raw);
  const pw = setup.file('pop.password', 'alice-secret\n');
  const rules = setup.file('pop.sieve', 'require ["fileinto", "mailbox", "vnd.mailsift.account"];\nfileinto :create :account "home" "FromPop";\n');
  const config = await setup.write({
    accounts: [{ name: 'home', dovecot: dst }],
    watches: [],
    extra: `[accounts.pop]\ntype = "pop3"\nhost = "127.0.0.1"\nport = ${src.pop3Port}\ntls = "none"\nuser = "alice"\npassword_file = ${JSON.stringify(pw)}\nschedule = "0 0 1 1 *"\ndelete = "after-delivery"\n\n[[watch]]\naccount = "pop"\nrules = ${JSON.stringify(rules)}\nstart = "all"\n`,
  });
  const logger = new MemoryLogger();
  env.daemon = await startDaemon(config, { logger });
  await waitFor('the POP3 message processed', () => logger.messages.length >= 1, 20_000);
  expect(logger.messages[0]).toMatchObject({ account: 'pop', status: 'ok' });
  expect(logger.events.filter((e) => /ignored/.test(e.text))).toEqual([]);
  // A POP3 session sees the maildrop as it was at login: a fresh session per look.
  const left = await waitFor('the message deleted from the POP3 server', async () => {
    const c = await Pop3Client.connect({ name: 'check', host: '127.0.0.1', port: src.pop3Port, tls: 'none', user: 'alice', password: 'alice-secret' });
    const list = await c.uidl();
    await c.quit();
    return list.length === 0 ? 'empty' : undefined;
  }, 10_000, 200);
  expect(left).toBe('empty');
  const stored = await dst.doveadm(['fetch', '-u', 'alice', 'text', 'mailbox', 'FromPop']);
  expect(stored).toContain('via daemon');
});
