/**
 * The SMTP intake in the real daemon (a TOML config through the real loader):
 * - an IMAP account as target_account (real Dovecot): keep and fileinto by APPEND, the 250
 *   only once the APPEND is confirmed; the target down means 451 and nothing stored;
 * - per-account SMTP: `[accounts.in.smtp]` (with AUTH, the password through the secret
 *   reader) sends what the `in` account's rules cause, `[outgoing]` what `in2`'s rules cause:
 *   two real SMTP sinks, and each gets only its own mail.
 * Clients: swaks and nodemailer.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { useDaemonFixture } from '../daemon/daemon-fixture.js';
import { waitFor } from '../daemon/helpers.js';
import { useSmtpSink } from '../support/smtp-sink-fixture.js';
import { MESSAGE, swaks, transport } from './harness.js';
import { freePort } from '../support/free-port.js';

const RULES = `require ["copy", "fileinto", "mailbox"];
if header :contains "subject" "fwd" { redirect :copy "archive@elsewhere.test"; }
if header :contains "subject" "dev" { fileinto :create "Lists/dev"; }
if header :contains "subject" "nofolder" { fileinto "Missing"; }
`;

// Before the daemon's hooks, so that the sinks close only after the daemon has stopped.
const own = useSmtpSink({ auth: { user: 'sub', pass: 'sub-secret' } });
const global = useSmtpSink();

/** The IMAP target's Dovecot; one daemon for the file, started below and stopped after the last test. */
const env = useDaemonFixture({ name: 'intake-targets', mailboxes: [], stopDaemon: 'after-all' });
const dovecot = env.d;
let logger: MemoryLogger;
let portIn: number;
let portIn2: number;

/** Message files in a folder of alice's Maildir on the Dovecot side. */
function onDovecot(folder: string): string[] {
  const base = join(dovecot.maildir('alice'), folder === 'INBOX' ? '' : `.${folder.split('/').join('.')}`);
  return ['new', 'cur'].flatMap((sub) => (existsSync(join(base, sub)) ? readdirSync(join(base, sub)).map((n) => readFileSync(join(base, sub, n), 'latin1')) : []));
}

const withSubject = (subject: string, id: string) => MESSAGE.replace('Subject: hello there', `Subject: ${subject}`).replace('<m1@example.org>', `<${id}@example.org>`);

beforeAll(async () => {
  const setup = env.setup('intake-targets');
  [portIn, portIn2] = [await freePort(), await freePort()];
  process.env.MAILSIFT_TEST_INTAKE_SMTP_PW = 'sub-secret';
  const pw = setup.file('alice.password', 'alice-secret\n');
  setup.file('rules.sieve', RULES);
  setup.file(
    'config.toml',
    `[state]
dir = ${JSON.stringify(setup.stateDir)}
[accounts.mail]
type = "imap"
host = "127.0.0.1"
port = ${dovecot.imapPort}
tls = "none"
user = "alice"
password_file = ${JSON.stringify(pw)}
[accounts.box]
type = "maildir"
path = ${JSON.stringify(join(setup.dir, 'Maildir'))}
[accounts.in]
type = "smtp-intake"
listen_port = ${portIn}
recipients = ["me@example.test"]
target_account = "mail"
[accounts.in.smtp]
host = "127.0.0.1"
port = ${own.port}
tls = "none"
user = "sub"
password_env = "MAILSIFT_TEST_INTAKE_SMTP_PW"
from = "In <in@example.test>"
[accounts.in2]
type = "smtp-intake"
listen_port = ${portIn2}
recipients = ["me@example.test"]
target_account = "box"
[outgoing]
host = "127.0.0.1"
port = ${global.port}
tls = "none"
from = "global@example.test"
[[watch]]
account = "in"
rules = "rules.sieve"
[[watch]]
account = "in2"
rules = "rules.sieve"
`,
  );
  logger = new MemoryLogger();
  env.daemon = await startDaemon(await loadConfig(setup.configFile), { logger, backoff: { baseMs: 100, maxMs: 300 } });
  await waitFor('the intakes to start', () => logger.events.filter((e) => e.text.includes('SMTP intake listening')).length >= 2, 15_000, 25);
});

afterAll(() => {
  delete process.env.MAILSIFT_TEST_INTAKE_SMTP_PW;
});

describe('an IMAP account as the intake target', () => {
  it('keeps into its INBOX by APPEND: the message is on the server when the 250 arrives', async () => {
    const before = onDovecot('INBOX').length;
    const info = await transport(portIn).sendMail({ envelope: { from: 'alice@example.org', to: ['me@example.test'] }, raw: withSubject('plain', 'k1') });
    expect(info.response).toMatch(/^250 2\.0\.0 stored in mail\/INBOX/);
    const files = onDovecot('INBOX');
    expect(files).toHaveLength(before + 1);
    const stored = files.find((f) => f.includes('Message-ID: <k1@example.org>'));
    // Exact after the trace fields (dot-unstuffed, 8-bit intact); Dovecot's Maildir files have LF line ends.
    expect(stored?.slice(stored.indexOf('From: Alice'))).toBe(Buffer.from(withSubject('plain', 'k1'), 'utf8').toString('latin1').replace(/\r\n/g, '\n'));
  });

  it('files into a folder it creates, and keeps a fileinto of a missing folder in INBOX (swaks)', async () => {
    const dev = await swaks(['--server', `127.0.0.1:${portIn}`, '--from', 'alice@example.org', '--to', 'me@example.test', '--header', 'Subject: [dev] build', '--body', 'dev body']);
    expect(dev.out).toMatch(/<-  250 2\.0\.0 stored in mail\/Lists\/dev/);
    expect(onDovecot('Lists/dev').some((f) => f.includes('dev body'))).toBe(true);
    const missing = await swaks(['--server', `127.0.0.1:${portIn}`, '--from', 'alice@example.org', '--to', 'me@example.test', '--header', 'Subject: nofolder', '--body', 'lost?']);
    expect(missing.out).toMatch(/<-  250 2\.0\.0 stored in mail\/INBOX/);
    expect(onDovecot('INBOX').some((f) => f.includes('lost?'))).toBe(true);
  });

  it('answers 451 and stores nothing while the IMAP server is down; accepts again once it is back', async () => {
    await dovecot.stop();
    try {
      const err = await transport(portIn).sendMail({ envelope: { from: 'alice@example.org', to: ['me@example.test'] }, raw: withSubject('while down', 'd1') }).catch((e: unknown) => e);
      expect(err).toMatchObject({ responseCode: 451 });
    } finally {
      await dovecot.restart();
    }
    expect(onDovecot('INBOX').some((f) => f.includes('<d1@example.org>'))).toBe(false);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = await transport(portIn).sendMail({ envelope: { from: 'alice@example.org', to: ['me@example.test'] }, raw: withSubject('while down', 'd1') }).catch((e: unknown) => e as Error);
      if (!(r instanceof Error)) break;
      if (Date.now() > deadline) throw r;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(onDovecot('INBOX').filter((f) => f.includes('<d1@example.org>'))).toHaveLength(1);
  }, 60_000);
});

describe('per-account SMTP submission', () => {
  it("sends an account's redirects through its own [accounts.NAME.smtp] (with AUTH), the others through [outgoing]", async () => {
    own.messages.length = 0;
    global.messages.length = 0;
    const a = await swaks(['--server', `127.0.0.1:${portIn}`, '--from', 'alice@example.org', '--to', 'me@example.test', '--header', 'Subject: fwd from in', '--body', 'via in']);
    expect(a.code).toBe(0);
    const b = await transport(portIn2).sendMail({ envelope: { from: 'bob@example.org', to: ['me@example.test'] }, raw: withSubject('fwd from in2', 'f2') });
    expect(b.response).toMatch(/^250 2\.0\.0 stored in box\/INBOX/);

    expect(own.messages).toHaveLength(1);
    expect(own.messages[0]).toMatchObject({ from: 'alice@example.org', to: ['archive@elsewhere.test'], user: 'sub' });
    expect(own.messages[0]!.raw).toMatch(/^X-Loop: in@example\.test\r\n/);
    expect(own.messages[0]!.raw).toContain('via in');

    expect(global.messages).toHaveLength(1);
    expect(global.messages[0]).toMatchObject({ from: 'bob@example.org', to: ['archive@elsewhere.test'] });
    expect(global.messages[0]!.user).toBeUndefined();
    expect(global.messages[0]!.raw).toMatch(/^X-Loop: global@example\.test\r\n/);
    expect(global.messages[0]!.raw).toContain('Subject: fwd from in2');
  });
});
