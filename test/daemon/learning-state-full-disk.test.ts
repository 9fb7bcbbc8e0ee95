/**
 * Learning by moving when the model takes the retrain but the state database (on a tmpfs
 * filled to ENOSPC after it was opened, test/support/full-disk.ts) refuses the processed-log
 * row. The row used to be written before the event line and the rules' refresh, and its
 * SQLITE_FULL failed the pass: the line and the refresh were lost for good (the next pass
 * finds the message trained and teaches nothing). Now the retrain is announced first (event
 * line, onLearned), and the missing row is one STATE_UNWRITABLE warning naming the database.
 * Real pieces: Dovecot, the model, the state database, the full tmpfs.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelStore } from '../../src/classify/store/model-store.js';
import type { MailboxWatcher } from '../../src/connectors/imap/index.js';
import { ModelLearner, type Lesson } from '../../src/daemon/learning.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { openState, STATE_FILE_NAME } from '../../src/state/db.js';
import { startWatcher } from '../actions/executor-helpers.js';
import { fixtureFiles, tempDir, trainFixtureModel, withMessageId } from '../classify/helpers.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { fullDiskUnavailable, smallDisk } from '../support/full-disk.js';
import { Mailboxes } from './helpers.js';

// Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
describe.skipIf(fullDiskUnavailable !== undefined)('a retrain whose processed-log row the full state disk refuses', () => {
  const d = useDovecot({ notify: false, name: 'learn-state-full', mailboxes: ['Junk'] });
  let watcher: MailboxWatcher | undefined;
  afterAll(async () => {
    await watcher?.stop();
  });

  it('is still announced (event line, rules refreshed), warned once as STATE_UNWRITABLE, and not learned again', async () => {
    const modelDir = trainFixtureModel(join(tempDir('learn-state-full-'), 'spam'));
    const disk = smallDisk({ size: '1m' });
    const state = openState(join(disk.dir, 'state'));
    const mail = new Mailboxes(d);
    const live = await startWatcher('work', d);
    watcher = live;
    const logger = new MemoryLogger();
    const learned: Lesson[] = [];
    const learner = new ModelLearner(
      { name: 'spam', path: modelDir, account: 'work', buckets: { spam: 'Junk' } },
      { state, logger, session: async () => live, onLearned: (l) => learned.push(l) },
      60_000,
    );
    try {
      expect(await learner.pass()).toEqual([]); // first sight: the position is set
      const moved = withMessageId(fixtureFiles('test', 'ham')[0]!, 'moved@learn-state-full.test');
      await mail.append('Junk', moved);
      disk.fill();

      const lessons = await learner.pass();
      expect(lessons).toEqual([expect.objectContaining({ model: 'spam', folder: 'Junk', from: 'ham', to: 'spam', outcome: 'trained' })]);
      expect(learned).toEqual(lessons);
      const m = ModelStore.open(modelDir, { readonly: true });
      try {
        const id = m.lookup(m.analyse(moved).key)?.bucket;
        expect(m.bucketNames().find((b) => m.bucketId(b) === id)).toBe('spam');
      } finally {
        m.close();
      }
      expect(logger.events.filter((e) => e.text.includes('retrained model "spam" ham -> spam'))).toHaveLength(1);
      const warnings = logger.events.filter((e) => e.fields.code === 'STATE_UNWRITABLE');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.level).toBe('warn');
      expect(warnings[0]!.text).toContain(`cannot write the state database ${join(disk.dir, 'state', STATE_FILE_NAME)}: no space left on device`);
      expect(state.db.prepare("SELECT count(*) AS n FROM processed WHERE actions LIKE 'learn %'").get()).toEqual({ n: 0 });

      // The position passed the message: nothing is learned or announced twice.
      expect(await learner.pass()).toEqual([]);
      expect(learned).toHaveLength(1);
      disk.free();
    } finally {
      await learner.stop();
      state.close();
      await mail.close();
      disk.dispose();
    }
  }, 60_000);
});
