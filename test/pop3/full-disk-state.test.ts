/**
 * A POP3 watch with the daemon's state directory on a really full disk (a tmpfs filled to
 * ENOSPC, test/support/full-disk.ts), on a real Dovecot: the poll that cannot record its
 * message fails with one STATE_UNWRITABLE line naming the database (it once said
 * POP3_CONNECTION_LOST 'database or disk is full'), files nothing and deletes nothing; once
 * space is back a later poll files the message once and deletes it from the server.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { STATE_FILE_NAME } from '../../src/state/db.js';
import { useDaemonFixture } from '../daemon/daemon-fixture.js';
import { Mailboxes, message, waitFor } from '../daemon/helpers.js';
import { fullDiskUnavailable, smallDisk } from '../support/full-disk.js';

// Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
describe.skipIf(fullDiskUnavailable !== undefined)('POP3 watch with the state on a full disk', () => {
  const env = useDaemonFixture({ name: 'pop3-full-state', notify: false, mailboxes: [] });

  it('logs STATE_UNWRITABLE, files and deletes nothing, and delivers once after space is freed', async () => {
    const bob = new Mailboxes(env.d, 'bob');
    await env.d.createMailbox('bob', 'Done');
    const disk = smallDisk({ size: '2m' });
    const setup = env.setup('pop3-full-state');
    const pw = setup.file('pop.password', 'alice-secret\n');
    chmodSync(pw, 0o600);
    const rules = setup.file('pop.sieve', 'require ["fileinto", "vnd.mailsift.account"];\nfileinto :account "home" "Done";\n');
    const loaded = await setup.write({
      accounts: [{ name: 'home', dovecot: env.d, user: 'bob' }],
      watches: [],
      // Polled every second: each poll is one more chance to find the space back.
      extra: `[accounts.pop]\ntype = "pop3"\nhost = "127.0.0.1"\nport = ${env.d.pop3Port}\ntls = "none"\nuser = "alice"\npassword_file = ${JSON.stringify(pw)}\nschedule = "* * * * * *"\ndelete = "after-delivery"\n\n[[watch]]\naccount = "pop"\nrules = ${JSON.stringify(rules)}\nstart = "all"\n`,
    });
    const stateDir = join(disk.dir, 'state');
    const config = { ...loaded, state: { ...loaded.state, dir: stateDir } };
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger });
    const state = env.daemon.state;
    await waitFor('a first poll while there is room', () => state.events.status('pop', 'POP3') !== undefined, 10_000);

    disk.fill();
    expect(disk.freeBytes()).toBe(0);
    await env.mail.append('INBOX', message('pop-1'));
    const problem = await waitFor('the poll to report the state database', () => logger.events.find((e) => e.fields.account === 'pop' && e.level === 'error'), 20_000);
    expect(problem.fields.code).toBe('STATE_UNWRITABLE');
    expect(problem.text).toContain(`cannot write the state database ${join(stateDir, STATE_FILE_NAME)}: no space left on device`);
    expect(problem.text).not.toContain('\n');
    expect(await bob.ids('Done')).toEqual([]);
    expect(await env.mail.ids('INBOX')).toEqual(['pop-1@example.test']);

    disk.free();
    await waitFor('the message filed and deleted from the POP3 server', async () => (await env.mail.ids('INBOX')).length === 0, 20_000, 250);
    expect(await bob.ids('Done')).toEqual(['pop-1@example.test']);
    expect(logger.messages.filter((m) => m.account === 'pop').map((m) => m.status)).toEqual(['ok']);
    expect(logger.events.filter((e) => e.fields.account === 'pop' && e.level === 'error')).toHaveLength(1);
    await bob.close();
  }, 60_000);
});
