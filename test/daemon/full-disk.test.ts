/**
 * The daemon on a really full disk (a tmpfs filled to ENOSPC, test/support/full-disk.ts), with
 * a real Dovecot: file-out to a Maildir and an mbox on the full disk fails with one line
 * naming the path and "no space left on device"; the message stays in INBOX; no file is left
 * in the Maildir (new/, cur/ or tmp/) and the mbox keeps its old bytes exactly; a second
 * account of the same daemon keeps working; once space is back, a sweep files each message
 * once. (The state directory on a full disk: full-disk-state.test.ts.)
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../../src/daemon/daemon.js';
import { formatMessageText, MemoryLogger } from '../../src/daemon/log.js';
import { fullDiskUnavailable, smallDisk } from '../support/full-disk.js';
import { runCli as cli } from '../support/run-cli.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { Mailboxes, message, waitFor } from './helpers.js';

const FAST = { backoff: { baseMs: 100, maxMs: 500 } };

const WORK_RULES = `require ["fileinto", "vnd.mailsift.account"];
if header :contains "subject" "[md]" { fileinto :account "local" "INBOX"; }
if header :contains "subject" "[mbox]" { fileinto :account "old" "INBOX"; }
`;
const HOME_RULES = `require "fileinto";
fileinto "Done";
`;

const OLD_MBOX = 'From someone@example.test Mon Jan  1 10:00:00 2024\nFrom: someone@example.test\nSubject: already there\n\nold body\n\n';

/** Over 16 KB: more than the page left free, so the stores are cut off in the middle of a write. */
function bigMessage(id: string, subject: string): string {
  return message(id, subject) + `${'0123456789abcdef'.repeat(64)}\r\n`.repeat(16);
}

/** Files below a Maildir's cur/, new/ and tmp/. */
function maildirFiles(root: string): string[] {
  return ['cur', 'new', 'tmp'].flatMap((sub) => readdirSync(join(root, sub)).map((n) => `${sub}/${n}`));
}

// Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
describe.skipIf(fullDiskUnavailable !== undefined)('daemon on a full disk', () => {
  const env = useDaemonFixture({ notify: true, name: 'full-disk', mailboxes: [] });

  it('file-out to a Maildir and an mbox on a full disk fails cleanly, keeps the mail, spares the other account; a sweep delivers once after space is freed', async () => {
    const bob = new Mailboxes(env.d, 'bob');
    await env.d.createMailbox('bob', 'Done');
    const disk = smallDisk({ size: '256k' });
    const maildir = join(disk.dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
    const mbox = join(disk.dir, 'old.mbox');
    writeFileSync(mbox, OLD_MBOX);

    const s = env.setup('full-disk-store');
    const config = await s.write({
      accounts: [{ name: 'work', dovecot: env.d }, { name: 'home', dovecot: env.d, user: 'bob' }],
      watches: [{ account: 'work', rules: WORK_RULES, start: 'new' }, { account: 'home', rules: HOME_RULES, start: 'new' }],
      extra: `[accounts.local]\ntype = "maildir"\npath = ${JSON.stringify(maildir)}\n\n[accounts.old]\ntype = "mbox"\npath = ${JSON.stringify(mbox)}\n`,
    });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    await waitFor('both accounts connected', () => ['work', 'home'].every((a) => logger.events.some((e) => e.fields.account === a && / connected to /.test(e.text))));

    // One page left: room for the mbox's lock file, not for a message.
    disk.fill({ leave: 4096 });
    await env.mail.append('INBOX', bigMessage('md-1', '[md] to the Maildir'));
    await env.mail.append('INBOX', bigMessage('mbox-1', '[mbox] to the mbox'));
    await bob.append('INBOX', message('home-1', 'for bob'));
    await waitFor('three messages logged', () => logger.messages.length >= 3, 20_000);

    const byId = (id: string) => logger.messages.find((m) => m.messageId?.includes(`${id}@example.test`))!;
    const md = byId('md-1');
    const mb = byId('mbox-1');
    expect(md).toMatchObject({ account: 'work', status: 'error' });
    expect(mb).toMatchObject({ account: 'work', status: 'error' });
    for (const [entry, what] of [[md, `cannot write ${join(maildir, 'tmp')}/`], [mb, `cannot write to ${mbox}: `]] as const) {
      expect(entry.error).toContain(what);
      expect(entry.error).toMatch(/: no space left on device$/);
      expect(formatMessageText(entry)).not.toContain('\n');
    }
    expect(byId('home-1')).toMatchObject({ account: 'home', status: 'ok' });
    expect(await bob.ids('Done')).toEqual(['home-1@example.test']);

    // Implicit keep: both stay in INBOX; nothing half-written is left behind.
    expect(await env.mail.ids('INBOX')).toEqual(['md-1@example.test', 'mbox-1@example.test']);
    expect(maildirFiles(maildir)).toEqual([]);
    expect(readFileSync(mbox, 'latin1')).toBe(OLD_MBOX);

    // The watch counts them as handled (docs/getting-started.md, "a failed action"): the pass that files them is a sweep.
    await env.daemon.stop();
    env.daemon = undefined;
    disk.free();

    // The next pass over INBOX, once there is room: each is filed exactly once.
    const first = await cli('sweep', '--config', s.configFile, '--account', 'work', '--mailbox', 'INBOX', '--log-format', 'json');
    expect(first.code).toBe(0);
    expect(await env.mail.ids('INBOX')).toEqual([]);
    const [file] = maildirFiles(maildir);
    expect(maildirFiles(maildir)).toHaveLength(1);
    expect(readFileSync(join(maildir, file!), 'latin1')).toContain('Message-ID: <md-1@example.test>');
    const text = readFileSync(mbox, 'latin1');
    expect(text.startsWith(OLD_MBOX)).toBe(true);
    expect(text.match(/^From /gm)).toHaveLength(2);
    expect(text).toContain('Message-ID: <mbox-1@example.test>');

    // And a second pass changes nothing.
    const second = await cli('sweep', '--config', s.configFile, '--account', 'work', '--mailbox', 'INBOX', '--log-format', 'json');
    expect(second.code).toBe(0);
    expect(maildirFiles(maildir)).toHaveLength(1);
    expect(readFileSync(mbox, 'latin1')).toBe(text);
    await bob.close();
    disk.dispose();
  }, 90_000);
});
