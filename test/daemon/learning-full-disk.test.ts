/**
 * Learning by moving with the model on a really full disk (a tmpfs filled to ENOSPC,
 * test/support/full-disk.ts), against a real Dovecot: the user's move is left alone (learning
 * never moves mail), one MODEL_UNWRITABLE warning names the model file, the model and the
 * folder's learning position are unchanged, the daemon keeps running its rules, and once
 * space is freed the same move is learned, without a new move to wake it. A second full-disk
 * episode is warned about again.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelStore, MODEL_FILE } from '../../src/classify/store/model-store.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { fixtureFiles, trainFixtureModel, withMessageId } from '../classify/helpers.js';
import { fullDiskUnavailable, smallDisk } from '../support/full-disk.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { waitFor } from './helpers.js';

/** The key of a folder's learning position in the model's meta table (src/daemon/learning.ts). */
const JUNK_POSITION = 'learned-from:work\u001fJunk';

function readModel<T>(dir: string, read: (m: ModelStore) => T): T {
  const m = ModelStore.open(dir, { readonly: true });
  try {
    return read(m);
  } finally {
    m.close();
  }
}

/** What a reader of the model sees: buckets, counts, tokens; and the Junk folder's learning position. */
const modelView = (dir: string) => readModel(dir, (m) => ({ stats: m.stats(), snapshot: m.snapshot(), junk: m.meta(JUNK_POSITION) }));

/** The bucket a message is trained in, or undefined. */
const trainedAs = (dir: string, raw: Uint8Array) =>
  readModel(dir, (m) => {
    const id = m.lookup(m.analyse(raw).key)?.bucket;
    return id === undefined ? undefined : m.bucketNames().find((b) => m.bucketId(b) === id);
  });

// Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
describe.skipIf(fullDiskUnavailable !== undefined)('learning by moving with the model on a full disk', () => {
  const env = useDaemonFixture({ notify: true, name: 'learn-full', mailboxes: ['Junk'] });

  it('leaves the move alone, warns once naming the model, changes nothing, keeps serving, and learns the move once space is freed', async () => {
    const disk = smallDisk({ size: '2m' });
    const modelDir = trainFixtureModel(join(disk.dir, 'spam'));
    const modelFile = join(modelDir, MODEL_FILE);
    const [h0, h1, h2] = fixtureFiles('test', 'ham');
    const first = withMessageId(h0!, 'first@learn-full.test');
    const second = withMessageId(h1!, 'second@learn-full.test');
    const third = withMessageId(h2!, 'third@learn-full.test');

    const config = await env.setup('learn-full').write({
      accounts: [{ name: 'work', dovecot: env.d }],
      watches: [{ account: 'work', rules: 'keep;\n', start: 'new' }],
      extra: `[models.spam]\npath = ${JSON.stringify(modelDir)}\naccount = "work"\nbuckets = { spam = "Junk", ham = "INBOX" }\n`,
    });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, backoff: { baseMs: 100, maxMs: 500 }, learnIntervalMs: 100 });
    const daemon = env.daemon;
    await waitFor('learning positions', () => readModel(modelDir, (m) => m.meta(JUNK_POSITION) !== undefined && m.meta('learned-from:work\u001fINBOX') !== undefined));
    const refusals = () => logger.events.filter((e) => e.fields.code === 'MODEL_UNWRITABLE');
    const retrains = () => logger.events.filter((e) => e.text.includes('retrained model "spam"'));

    await env.mail.append('INBOX', first);
    await waitFor('the rules ran on the first message', () => logger.messages.length === 1, 20_000);
    const before = modelView(modelDir);
    expect(trainedAs(modelDir, first)).toBeUndefined();

    disk.fill();
    expect(disk.freeBytes()).toBe(0);
    expect(await env.mail.move('INBOX', '<first@learn-full.test>', 'Junk')).toHaveLength(1);
    const [warning] = await waitFor('a MODEL_UNWRITABLE warning', () => refusals().length > 0 && refusals(), 20_000);
    expect(warning!.level).toBe('warn');
    expect(warning!.fields).toMatchObject({ account: 'work', code: 'MODEL_UNWRITABLE' });
    expect(warning!.text).toContain(`learning for model "spam": cannot write model ${modelFile}: no space left on device`);
    expect(warning!.text).not.toContain('database or disk is full');

    // The daemon keeps serving: its rules run on new mail (the state database is not on the full disk).
    await env.mail.append('INBOX', second);
    await waitFor('the rules ran on the second message', () => logger.messages.length === 2, 20_000);
    expect(refusals()).toHaveLength(1); // every pass fails again, but is not logged again
    expect(retrains()).toEqual([]);
    // The move is the user's: the message is where they put it. The model, and the Junk
    // folder's position (still before the move), are as they were.
    expect(await env.mail.ids('Junk')).toEqual(['first@learn-full.test']);
    expect(modelView(modelDir)).toEqual(before);
    expect(disk.freeBytes()).toBe(0);

    // Room again: a later pass fetches the same move (the position did not pass it) and learns it.
    disk.free();
    await waitFor('the first move learned', () => trainedAs(modelDir, first) === 'spam', 20_000);
    expect(retrains().map((e) => e.text)).toEqual([expect.stringMatching(/^work Junk UID \d+: moved here by the user; classified ham: retrained model "spam" ham -> spam$/)]);
    const learned = modelView(modelDir);
    expect(learned.stats.buckets.map((b) => [b.name, b.messages])).toEqual(before.stats.buckets.map((b) => [b.name, b.name === 'spam' ? b.messages + 1 : b.messages]));
    expect(JSON.parse(learned.junk!).lastUid).toBeGreaterThan(JSON.parse(before.junk!).lastUid);
    expect(await env.mail.ids('Junk')).toEqual(['first@learn-full.test']);

    // A second full disk is a new episode: warned about again, then learned once freed.
    await env.mail.append('INBOX', third);
    await waitFor('the rules ran on the third message', () => logger.messages.length === 3, 20_000);
    disk.fill();
    expect(await env.mail.move('INBOX', '<second@learn-full.test>', 'Junk')).toHaveLength(1);
    await waitFor('a second MODEL_UNWRITABLE warning', () => refusals().length === 2, 20_000);
    expect(trainedAs(modelDir, second)).toBeUndefined();
    disk.free();
    await waitFor('the second move learned', () => trainedAs(modelDir, second) === 'spam', 20_000);
    expect(retrains()).toHaveLength(2);
    expect(await env.mail.ids('INBOX')).toEqual(['third@learn-full.test']);
    expect(await env.mail.ids('Junk')).toEqual(['first@learn-full.test', 'second@learn-full.test']);

    await daemon.stop(); // closes the model, so the tmpfs unmounts cleanly
    env.daemon = undefined;
    disk.dispose();
  }, 120_000);
});
