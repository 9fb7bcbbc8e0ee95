/**
 * `mailsift train --model DIR` with DIR on a really full disk (a tmpfs filled to ENOSPC,
 * test/support/full-disk.ts): one error line with its code and the model's path, a non-zero
 * exit, the model exactly as it was (its stats, and its trained messages), and a training
 * that works once there is room again.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../support/run-cli.js';
import { ModelStore } from '../../src/classify/store/model-store.js';
import { fullDiskUnavailable, smallDisk } from '../support/full-disk.js';
import { FIXTURES } from './helpers.js';

/** What a reader of the model sees: buckets, counts, tokens, and one trained message's record. */
function modelView(dir: string) {
  const store = ModelStore.open(dir, { readonly: true });
  try {
    return { stats: store.stats(), snapshot: store.snapshot() };
  } finally {
    store.close();
  }
}

describe('mailsift train on a full disk', () => {
  // Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
  it.skipIf(fullDiskUnavailable !== undefined)('fails with one line (code, path), leaves the model as it was, and trains once space is freed', async () => {
    const disk = smallDisk({ size: '1m' });
    const model = join(disk.dir, 'spam-model');
    expect((await run('train', '--model', model, '--bucket', 'ham', join(FIXTURES, 'train', 'ham'))).code).toBe(0);
    const before = modelView(model);
    const file = join(model, 'model.sqlite');
    const sizeBefore = statSync(file).size;

    disk.fill();
    expect(disk.freeBytes()).toBe(0);
    const r = await run('train', '--model', model, '--bucket', 'spam', join(FIXTURES, 'train', 'spam'));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mailsift: \[MODEL_UNWRITABLE\] /);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toMatch(/no space left on device/i);

    expect(statSync(file).size).toBe(sizeBefore);
    expect(modelView(model)).toEqual(before);

    disk.free();
    const again = await run('train', '--model', model, '--bucket', 'spam', join(FIXTURES, 'train', 'spam'));
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(modelView(model).stats.buckets.map((b) => [b.name, b.messages])).toEqual([['ham', 8], ['spam', 8]]);
    disk.dispose();
  });

  // Room to open the model (its -shm) but not for the run's transaction: the commit is refused.
  it.skipIf(fullDiskUnavailable !== undefined)('refused at the commit: the new bucket is not left behind, empty', async () => {
    const disk = smallDisk({ size: '1m' });
    const model = join(disk.dir, 'spam-model');
    expect((await run('train', '--model', model, '--bucket', 'ham', join(FIXTURES, 'train', 'ham'))).code).toBe(0);
    const before = modelView(model);

    disk.fill({ leave: 12 * 4096 });
    const r = await run('train', '--model', model, '--bucket', 'spam', join(FIXTURES, 'train', 'spam'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mailsift: \[MODEL_UNWRITABLE\] cannot write model .*: no space left on device \(SQLITE_FULL\); the model is unchanged\n$/);
    expect(modelView(model)).toEqual(before);
    disk.dispose();
  });
});
