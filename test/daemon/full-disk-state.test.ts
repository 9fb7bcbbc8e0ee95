/**
 * The daemon with its state directory (the SQLite ledger and checkpoints) on a really full
 * disk (a tmpfs filled to ENOSPC, test/support/full-disk.ts), two accounts on a real Dovecot:
 * no action runs whose ledger row cannot be written, every message stays where it is, each
 * mailbox logs one STATE_UNWRITABLE line naming the database, the daemon keeps running, and
 * once space is back every message is handled exactly once without new mail to wake it; and a
 * shutdown on a full disk completes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { STATE_FILE_NAME } from '../../src/state/db.js';
import { fullDiskUnavailable, smallDisk } from '../support/full-disk.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { Mailboxes, message, waitFor } from './helpers.js';

const FAST = { backoff: { baseMs: 100, maxMs: 500 } };

// Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
describe.skipIf(fullDiskUnavailable !== undefined)('daemon with its state on a full disk', () => {
  const env = useDaemonFixture({ notify: true, name: 'full-state', mailboxes: ['Lists/dev'] });

  it('acts on nothing it cannot record, keeps every message, keeps running, and catches up once after space is freed', async () => {
    const bob = new Mailboxes(env.d, 'bob');
    await env.d.createMailbox('bob', 'Done');
    const disk = smallDisk({ size: '2m' });
    const s = env.setup('full-state');
    const loaded = await s.write({
      accounts: [{ name: 'work', dovecot: env.d }, { name: 'home', dovecot: env.d, user: 'bob' }],
      watches: [
        { account: 'work', rules: 'require "fileinto";\nfileinto "Lists/dev";\n', start: 'new' },
        { account: 'home', rules: 'require "fileinto";\nfileinto "Done";\n', start: 'new' },
      ],
    });
    const stateDir = join(disk.dir, 'state');
    const config = { ...loaded, state: { ...loaded.state, dir: stateDir } };
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, ...FAST });
    let stopped = false;
    void env.daemon.stopped.then(() => (stopped = true));
    await waitFor('both accounts connected', () => ['work', 'home'].every((a) => logger.events.some((e) => e.fields.account === a && / connected to /.test(e.text))));
    await env.mail.append('INBOX', message('w-0'));
    await waitFor('a first message while there is room', () => logger.messages.length === 1);

    disk.fill();
    expect(disk.freeBytes()).toBe(0);
    await env.mail.append('INBOX', message('w-1'));
    await bob.append('INBOX', message('h-1'));
    const problems = await waitFor('both mailboxes to report the state database', () => {
      const found = logger.events.filter((e) => e.fields.code === 'STATE_UNWRITABLE');
      return ['work', 'home'].every((a) => found.some((e) => e.fields.account === a)) && found;
    }, 20_000);
    for (const p of problems) {
      expect(p.level).toBe('error');
      expect(p.text).toContain(`cannot write the state database ${join(stateDir, STATE_FILE_NAME)}: no space left on device`);
      expect(p.text).not.toContain('\n');
    }
    // Nothing was moved: the rules ran, but no action without its ledger row.
    expect(await env.mail.ids('INBOX')).toEqual(['w-1@example.test']);
    expect(await env.mail.ids('Lists/dev')).toEqual(['w-0@example.test']);
    expect(await bob.ids('INBOX')).toEqual(['h-1@example.test']);
    expect(await bob.ids('Done')).toEqual([]);
    expect(logger.messages).toHaveLength(1);
    expect(stopped).toBe(false);

    // Space back: the retries find it, with no new mail to wake the mailboxes.
    disk.free();
    await waitFor('both messages filed', async () => (await env.mail.ids('INBOX')).length === 0 && (await bob.ids('INBOX')).length === 0, 40_000, 250);
    expect(await env.mail.ids('Lists/dev')).toEqual(['w-0@example.test', 'w-1@example.test']);
    expect(await bob.ids('Done')).toEqual(['h-1@example.test']);
    expect(logger.messages.map((m) => [m.account, m.messageId, m.status])).toEqual(
      expect.arrayContaining([['work', 'w-1@example.test', 'ok'], ['home', 'h-1@example.test', 'ok']]),
    );
    expect(logger.messages).toHaveLength(3);
    const ledger = env.daemon.state.db.prepare("SELECT source, uid, state FROM ledger ORDER BY source, uid").all();
    expect(ledger).toEqual([
      { source: 'home', uid: '1', state: 'done' },
      { source: 'work', uid: '1', state: 'done' },
      { source: 'work', uid: '2', state: 'done' },
    ]);
    expect(stopped).toBe(false);

    // A shutdown on a full disk (SIGTERM) still stops cleanly: status rows are not worth failing it.
    disk.fill();
    await env.daemon.stop();
    env.daemon = undefined;
    expect(stopped).toBe(true);
    await bob.close();
  }, 90_000);
});
