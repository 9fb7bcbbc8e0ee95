/**
 * `deliver_to` end to end: a configuration file read by the real loader, the daemon, a real
 * Dovecot pop3d as the source and a second Dovecot's imapd plus a local Maildir as targets.
 *
 * - `fileinto "Pop/dev"` (no :account) lands in that folder of the deliver_to IMAP account;
 * - `fileinto :account "local" "Archive"` lands in a local Maildir;
 * - the implicit keep goes to deliver_to's mailbox;
 * - a message is deleted from the POP3 server only once its delivery succeeded: with the
 *   IMAP target down, what went to the Maildir is deleted and the rest stays; after a
 *   restart with the target up it is delivered (once) and deleted.
 */
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Pop3Client } from '../../src/connectors/pop3/client.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { tempDir } from '../support/temp-dir.js';
import { useDaemonFixture } from '../daemon/daemon-fixture.js';
import { waitFor } from '../daemon/helpers.js';
import { pop3Toml, tricky } from './helpers.js';

const src = useDovecot({ name: 'pop3-deliver-src' });
/** The deliver_to IMAP server (`home`), its client, and the daemon's hooks. */
const env = useDaemonFixture({ name: 'pop3-deliver-dst', notify: false, mailboxes: [] });
const dst = env.d;
const local = tempDir('pop3-deliver-local-');

const messageId = (raw: Buffer) => /Message-ID: <([^>]+)>/.exec(raw.toString('latin1'))![1]!;

async function onServer(): Promise<number> {
  const c = await Pop3Client.connect({ name: 'check', host: '127.0.0.1', port: src.pop3Port, tls: 'none', user: 'alice', password: 'alice-secret' });
  const n = (await c.uidl()).length;
  await c.quit();
  return n;
}

function maildir(folder: string): Buffer[] {
  const dir = join(local, 'Maildir', folder === 'INBOX' ? '' : `.${folder}`);
  return ['new', 'cur'].flatMap((sub) => {
    try {
      return readdirSync(join(dir, sub)).map((n) => readFileSync(join(dir, sub, n)));
    } catch {
      return [];
    }
  });
}

it('files POP3 mail into IMAP folders and a Maildir by rules, keeps into deliver_to, deletes only what was delivered', async () => {
  const dev = tricky('[dev] build broke');
  const archive = tricky('invoice 42');
  const plain = tricky('lunch?');
  for (const raw of [dev, archive, plain]) await src.append('alice', 'INBOX', raw);
  const setup = env.setup('pop3-deliver-to');

  const pw = setup.file('pop.password', 'alice-secret\n');
  chmodSync(pw, 0o600);
  const rules = setup.file(
    'pop.sieve',
    `require ["fileinto", "mailbox", "vnd.mailsift.account"];
if header :contains "subject" "[dev]" { fileinto :create "Pop/dev"; stop; }
if header :contains "subject" "invoice" { fileinto :create :account "local" "Archive"; }
`,
  );
  const extra = `[accounts.local]\ntype = "maildir"\npath = ${JSON.stringify(join(local, 'Maildir'))}\n\n${pop3Toml('pop', src, { passwordFile: pw, rulesFile: rules, deliverTo: '{ account = "home", mailbox = "FromPop" }' })}`;
  const config = await setup.write({ accounts: [{ name: 'home', dovecot: dst }], watches: [], extra });
  expect(config.accounts.pop).toMatchObject({ deliverTo: { account: 'home', mailbox: 'FromPop' } });

  // 1. The IMAP target is down: only the message filed into the Maildir is delivered and deleted.
  await dst.stop();
  let logger = new MemoryLogger();
  env.daemon = await startDaemon(config, { logger });
  await waitFor('three POP3 messages handled', () => logger.messages.length >= 3, 20_000);
  await env.daemon.stop();
  env.daemon = undefined;
  expect(logger.messages.map((m) => [m.subject, m.status])).toEqual([
    ['[dev] build broke', 'error'],
    ['invoice 42', 'ok'],
    ['lunch?', 'error'],
  ]);
  expect(logger.messages[0]!.error).toMatch(/left on the server; tried again at the next poll/);
  expect(maildir('Archive').map((b) => b.equals(archive))).toEqual([true]);
  expect(await onServer()).toBe(2);

  // 2. The target is back: the next start delivers the other two, once, and deletes them.
  await dst.restart();
  logger = new MemoryLogger();
  env.daemon = await startDaemon(config, { logger });
  await waitFor('two POP3 messages delivered', () => logger.messages.length >= 2, 20_000);
  expect(logger.messages.map((m) => [m.subject, m.status])).toEqual([
    ['[dev] build broke', 'ok'],
    ['lunch?', 'ok'],
  ]);
  expect(await waitFor('the POP3 maildrop emptied', async () => ((await onServer()) === 0 ? 'empty' : undefined), 10_000, 200)).toBe('empty');
  await env.daemon.stop();
  env.daemon = undefined;

  const home = env.mail;
  expect(await home.ids('Pop/dev')).toEqual([messageId(dev)]);
  expect(await home.ids('FromPop')).toEqual([messageId(plain)]);
  expect(await home.ids('INBOX')).toEqual([]);
  expect(maildir('Archive')).toHaveLength(1); // not delivered a second time
  expect(maildir('INBOX')).toHaveLength(0);
  const kept = await dst.doveadm(['fetch', '-u', 'alice', 'text', 'mailbox', 'FromPop']);
  expect(kept).toContain('after a lone dot');
}, 60_000);
