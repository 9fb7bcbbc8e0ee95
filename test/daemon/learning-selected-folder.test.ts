/**
 * Learning by moving notices a move into a bucket folder that the learner's connection still
 * has selected. The learner shares the account's one connection (the runner's watcher); after
 * it fetched a move from Junk, Junk stays EXAMINEd there until something selects another
 * mailbox: always in poll mode (no posture, posture.ts), and in idle mode while passes come
 * faster than the posture's settle time. Dovecot answers STATUS of the selected mailbox from
 * that session's view (RFC 3501 §6.3.10: STATUS SHOULD NOT be used on it), which neither STATUS
 * nor the watcher's LIST-STATUS brings up to date, so UIDNEXT stayed where the fetch left it
 * and every later move into Junk went unnoticed, pass after pass. folderPass now sends NOOP
 * first (RFC 3501 §6.1.2), which syncs the view.
 *
 * Real pieces: Dovecot, the daemon (poll mode forced, as against a server without IDLE), the
 * user's moves made with IMAP MOVE by a separate client.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelStore } from '../../src/classify/store/model-store.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { fixtureFiles, tempDir, trainFixtureModel, withMessageId } from '../classify/helpers.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { waitFor } from './helpers.js';

describe('learning by moving: a bucket folder the shared connection has selected', () => {
  const env = useDaemonFixture({ notify: false, name: 'learn-selected', mailboxes: ['Junk'], stopDaemon: 'after-all' });
  let modelDir: string;
  const logger = new MemoryLogger();

  /** Reads the model file: the bucket a message is trained in, or a meta value. */
  function model<T>(read: (m: ModelStore) => T): T {
    const m = ModelStore.open(modelDir, { readonly: true });
    try {
      return read(m);
    } finally {
      m.close();
    }
  }
  const trainedAs = (raw: Uint8Array) =>
    model((m) => {
      const id = m.lookup(m.analyse(raw).key)?.bucket;
      return id === undefined ? undefined : m.bucketNames().find((b) => m.bucketId(b) === id);
    });
  /** The learner's position in Junk (the last UID it looked at). */
  const junkPosition = () => model((m) => m.meta('learned-from:work\u001fJunk'));

  beforeAll(async () => {
    modelDir = trainFixtureModel(join(tempDir('mailsift-learn-selected-'), 'spam'));
    const config = await env.setup('learn-selected').write({
      accounts: [{ name: 'work', dovecot: env.d }],
      watches: [{ account: 'work', rules: 'keep;\n', start: 'new' }],
      extra: `[models.spam]\npath = ${JSON.stringify(modelDir)}\naccount = "work"\nbuckets = { spam = "Junk", ham = "INBOX" }\n`,
    });
    env.daemon = await startDaemon(config, { logger, backoff: { baseMs: 100, maxMs: 500 }, learnIntervalMs: 100, watcher: { mode: 'poll', pollIntervalMs: 300 } });
    await waitFor('learning positions', () => model((m) => (m.db.prepare("SELECT count(*) AS n FROM meta WHERE key LIKE 'learned-from:%'").get() as { n: number }).n === 2));
  });

  it('a second move into Junk, with Junk still selected from fetching the first, is learned', async () => {
    const [h0, h1] = fixtureFiles('test', 'ham');
    const first = withMessageId(h0!, 'first@learn-selected.test');
    const second = withMessageId(h1!, 'second@learn-selected.test');
    await env.mail.append('INBOX', first);
    await env.mail.append('INBOX', second);
    await waitFor('the rules ran on both', () => logger.messages.length >= 2, 20_000);
    expect(trainedAs(first)).toBeUndefined();
    expect(trainedAs(second)).toBeUndefined();

    expect(await env.mail.move('INBOX', '<first@learn-selected.test>', 'Junk')).toHaveLength(1);
    await waitFor('the first move learned', () => trainedAs(first) === 'spam', 20_000);
    // Past the first move: from here on the learner only STATUSes Junk, which its fetch left
    // selected (poll mode takes no posture), and nothing else selects another mailbox.
    await waitFor('the learner past the first move', () => (JSON.parse(junkPosition() ?? '{}') as { lastUid?: number }).lastUid === 1);

    expect(await env.mail.move('INBOX', '<second@learn-selected.test>', 'Junk')).toHaveLength(1);
    // Before the fix: never (STATUS Junk kept answering UIDNEXT 2); the learner polls every 100 ms.
    await waitFor('the second move learned', () => trainedAs(second) === 'spam', 20_000);
    expect(logger.events.filter((e) => /Junk UID \d+: moved here by the user; .*retrained model "spam" ham -> spam/.test(e.text))).toHaveLength(2);
  }, 90_000);
});
