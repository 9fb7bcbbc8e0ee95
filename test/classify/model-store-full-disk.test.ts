/**
 * The model store's own writes on a really full disk (a tmpfs filled to ENOSPC,
 * test/support/full-disk.ts): a batch's commit and a meta value (the daemon's learning
 * positions) are refused as MODEL_UNWRITABLE naming the model file, not SQLite's bare
 * "database or disk is full", so `mailsift train` and the daemon's learning say the same;
 * nothing changes, and the same writes succeed once there is room.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_FILE, ModelStore, reclassify, train } from '../../src/classify/store/model-store.js';
import { MailsiftError } from '../../src/errors.js';
import { fullDiskUnavailable, smallDisk } from '../support/full-disk.js';
import { fixture, trainFixtureModel } from './helpers.js';

/** The error `write` throws (it must throw). */
function refusal(write: () => unknown): MailsiftError {
  try {
    write();
  } catch (err) {
    expect(err).toBeInstanceOf(MailsiftError);
    return err as MailsiftError;
  }
  throw new Error('the write was not refused');
}

// Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
describe.skipIf(fullDiskUnavailable !== undefined)('the model store on a full disk', () => {
  it('refuses a commit and a meta write with MODEL_UNWRITABLE and the file, changes nothing, and writes once space is freed', () => {
    const disk = smallDisk({ size: '1m' });
    const dir = trainFixtureModel(join(disk.dir, 'spam'));
    const file = join(dir, MODEL_FILE);
    const store = ModelStore.open(dir);
    const ham = fixture('test', 'ham', 'ham-00.eml');
    const before = { stats: store.stats(), snapshot: store.snapshot(), meta: store.meta('learned-from:x') };

    disk.fill();
    for (const write of [() => train(store, 'spam', ham), () => reclassify(store, 'ham', 'new-bucket', ham), () => store.setMeta('learned-from:x', '{"lastUid":7}')]) {
      const err = refusal(write);
      expect(err.code).toBe('MODEL_UNWRITABLE');
      expect(err.message).toBe(`cannot write model ${file}: no space left on device (SQLITE_FULL); the model is unchanged`);
    }
    expect({ stats: store.stats(), snapshot: store.snapshot(), meta: store.meta('learned-from:x') }).toEqual(before);
    expect(store.bucketNames()).toEqual(['ham', 'spam']);

    disk.free();
    expect(train(store, 'spam', ham)).toBe('trained');
    store.setMeta('learned-from:x', '{"lastUid":7}');
    expect(store.meta('learned-from:x')).toBe('{"lastUid":7}');
    store.close();
    disk.dispose();
  });
});
