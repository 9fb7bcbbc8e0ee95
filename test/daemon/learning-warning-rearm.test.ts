/**
 * The learner's full-disk warning (MODEL_UNWRITABLE) is one per episode, also when the
 * connection is flaky during it. It used to be re-armed by any pass that ended without an
 * exception, including one that ended early because the account was down or a folder's
 * STATUS failed, so every reconnect during a long full-disk episode repeated the warning. Now
 * only a pass that wrote the model (a retrain, a position) or looked at every folder re-arms it.
 *
 * Real pieces: Dovecot, the model on a tmpfs filled to ENOSPC (test/support/full-disk.ts),
 * MailboxWatchers as the learner's session: "down" is what ImapSessions does then (the session
 * rejects with IMAP_CONNECTION_LOST), and a stopped watcher, whose STATUS fails the same way.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelStore } from '../../src/classify/store/model-store.js';
import type { MailboxWatcher } from '../../src/connectors/imap/index.js';
import { ModelLearner } from '../../src/daemon/learning.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { MailsiftError } from '../../src/errors.js';
import { openState } from '../../src/state/db.js';
import { startWatcher } from '../actions/executor-helpers.js';
import { fixtureFiles, trainFixtureModel, withMessageId } from '../classify/helpers.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { fullDiskUnavailable, smallDisk } from '../support/full-disk.js';
import { tempDir } from '../support/temp-dir.js';
import { Mailboxes, waitFor } from './helpers.js';

const trainedAs = (dir: string, raw: Uint8Array): string | undefined => {
  const m = ModelStore.open(dir, { readonly: true });
  try {
    const id = m.lookup(m.analyse(raw).key)?.bucket;
    return id === undefined ? undefined : m.bucketNames().find((b) => m.bucketId(b) === id);
  } finally {
    m.close();
  }
};

// Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
describe.skipIf(fullDiskUnavailable !== undefined)('the learner\'s full-disk warning with a flaky connection', () => {
  const d = useDovecot({ notify: false, name: 'learn-rearm', mailboxes: ['Junk'] });
  const watchers: MailboxWatcher[] = [];
  afterAll(async () => {
    await Promise.all(watchers.map((w) => w.stop()));
  });

  it('warns once per episode: passes that end early (account down, STATUS failing) do not re-arm it; a pass that writes does', async () => {
    const disk = smallDisk({ size: '2m' });
    const modelDir = trainFixtureModel(join(disk.dir, 'spam'));
    const state = openState(tempDir('learn-rearm-state-'));
    const mail = new Mailboxes(d);
    const logger = new MemoryLogger();
    const live = await startWatcher('work', d);
    watchers.push(live);
    /** What the learner's session() gives: the live watcher, a stopped one, or a rejection. */
    let session: 'live' | 'down' | MailboxWatcher = 'live';
    let passes = 0;
    const learner = new ModelLearner({ name: 'spam', path: modelDir, account: 'work', buckets: { spam: 'Junk', ham: 'INBOX' } }, {
      state,
      logger,
      session: async () => {
        passes++;
        if (session === 'down') throw new MailsiftError('IMAP_CONNECTION_LOST', 'IMAP account "work": not connected');
        return session === 'live' ? live : session;
      },
    }, 50);
    const refusals = () => logger.events.filter((e) => e.fields.code === 'MODEL_UNWRITABLE');
    /** Lets `n` more passes start (each begins with session()). */
    const passesGo = async (what: string, n: number) => {
      const from = passes;
      await waitFor(what, () => passes >= from + n, 20_000, 20);
    };
    const first = withMessageId(fixtureFiles('test', 'ham')[0]!, 'first@learn-rearm.test');
    const second = withMessageId(fixtureFiles('test', 'spam')[0]!, 'second@learn-rearm.test');
    learner.start();
    try {
      await waitFor('learning positions', () => {
        const m = ModelStore.open(modelDir, { readonly: true });
        try {
          return m.meta('learned-from:work\u001fJunk') !== undefined && m.meta('learned-from:work\u001fINBOX') !== undefined;
        } finally {
          m.close();
        }
      });

      disk.fill();
      await mail.append('Junk', first); // a ham message the user put into Junk: to be learned as spam
      await waitFor('the first MODEL_UNWRITABLE warning', () => refusals().length === 1, 20_000);

      // The account goes down and comes back, several times over, while the disk stays full.
      for (let round = 0; round < 2; round++) {
        session = 'down';
        await passesGo('passes with the account down', 3);
        session = 'live';
        await passesGo('passes that fail on the full disk again', 3);
      }
      // A connection that closed under the learner: STATUS fails for every folder.
      const stopped = await startWatcher('work-stopped', d);
      watchers.push(stopped);
      await stopped.stop();
      session = stopped;
      await passesGo('passes whose STATUS fails', 3);
      expect(logger.events.some((e) => /cannot look at folder "Junk"/.test(e.text))).toBe(true);
      session = 'live';
      await passesGo('passes that fail on the full disk again', 3);
      expect(refusals()).toHaveLength(1);
      expect(trainedAs(modelDir, first)).toBeUndefined();

      // Room again: the move is learned (a pass that wrote), which ends the episode ...
      disk.free();
      await waitFor('the first move learned', () => trainedAs(modelDir, first) === 'spam', 20_000);
      await passesGo('the learning pass to end', 2);
      // ... so the next full disk is warned about again.
      // (Into INBOX, the ham bucket: the learner's connection has Junk selected since it fetched
      // the first move, and Dovecot's STATUS of the selected mailbox is that session's view.)
      disk.fill();
      await mail.append('INBOX', second);
      await waitFor('a second MODEL_UNWRITABLE warning', () => refusals().length === 2, 20_000);
      disk.free();
      await waitFor('the second move learned', () => trainedAs(modelDir, second) === 'ham', 20_000);
      expect(refusals()).toHaveLength(2);
    } finally {
      await learner.stop();
      state.close();
      await mail.close();
      disk.dispose();
    }
  }, 120_000);
});
