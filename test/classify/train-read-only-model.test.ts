/**
 * `mailsift train` / `untrain` into a model that is read-only for us: a file of mode 0444
 * (in a read-only directory, or in a writable one), a writable file in a read-only
 * directory, and a model on a read-only mount. Each is one line with MODEL_UNWRITABLE, the
 * model's path and "read-only", exit 2, the model's bytes as they were, and no file created
 * beside it. (A 0444 file used to say MODEL_UNAVAILABLE "cannot open model ...
 * SQLITE_READONLY_DIRECTORY", or, in a writable directory, to read every message first and
 * leave an empty -wal and a -shm of ours behind.)
 *
 * Root ignores file modes, so as root the trainer runs as `nobody` (setpriv, uid and gid
 * 65534, no groups): the real refusal, as in read-only-model.test.ts. The read-only mount is
 * a real one (a tmpfs remounted ro, test/support/full-disk.ts), where root is refused too.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fullDiskUnavailable, smallDisk } from '../support/full-disk.js';
import { runCli } from '../support/run-cli.js';
import { readerCli } from '../support/run-cli-as-reader.js';
import { FIXTURES } from './helpers.js';

const { work, run: runAsReader } = readerCli('mailsift-ro-train-');

const HAM = join(FIXTURES, 'train', 'ham');
const SPAM = join(FIXTURES, 'train', 'spam');
const listing = (dir: string): string[] => readdirSync(dir).sort();

/** A model trained on the spam fixtures at `dir` (by us, the owner), with the given modes. */
async function trainedModel(dir: string, modes: { file: number; dir: number }): Promise<{ file: string; bytes: Buffer }> {
  expect((await runCli('train', '--model', dir, '--bucket', 'spam', SPAM)).code).toBe(0);
  const file = join(dir, 'model.sqlite');
  chmodSync(file, modes.file);
  chmodSync(dir, modes.dir);
  return { file, bytes: readFileSync(file) };
}

/** The one error line a refused training gives. */
function expectReadOnlyLine(r: { code: number; stdout: string; stderr: string }, file: string, reason: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mailsift: \[MODEL_UNWRITABLE\] cannot write model /);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toContain('read-only');
  expect(lines[0]).toMatch(reason);
  expect(lines[0]).toMatch(/; the model is unchanged$/);
}

describe('training a read-only model file', () => {
  it('in a read-only directory (file 0444, directory 0555): MODEL_UNWRITABLE, nothing created', async () => {
    const dir = join(work, 'ro-dir', 'mail');
    mkdirSync(join(work, 'ro-dir'), { mode: 0o755 });
    const m = await trainedModel(dir, { file: 0o444, dir: 0o555 });
    const r = await runAsReader('train', '--model', dir, '--bucket', 'ham', HAM);
    expectReadOnlyLine(r, m.file, /read-only \(EACCES: permission denied\)/);
    expect(listing(dir)).toEqual(['model.sqlite']);
    expect(readFileSync(m.file).equals(m.bytes)).toBe(true);
  });

  it('in a directory we may write (file 0444, directory 0777): refused at the open, no -wal or -shm left behind', async () => {
    const dir = join(work, 'rw-dir', 'mail');
    mkdirSync(join(work, 'rw-dir'), { mode: 0o755 });
    const m = await trainedModel(dir, { file: 0o444, dir: 0o777 });
    for (const argv of [['train', '--bucket', 'ham', HAM], ['untrain', '--bucket', 'spam', SPAM]]) {
      const r = await runAsReader(argv[0]!, '--model', dir, ...argv.slice(1));
      expectReadOnlyLine(r, m.file, /read-only \(EACCES: permission denied\)/);
    }
    expect(listing(dir)).toEqual(['model.sqlite']);
    expect(readFileSync(m.file).equals(m.bytes)).toBe(true);
  });

  it('a writable file in a read-only directory (SQLite cannot create the -wal): MODEL_UNWRITABLE, read-only', async () => {
    const dir = join(work, 'ro-dir-rw-file', 'mail');
    mkdirSync(join(work, 'ro-dir-rw-file'), { mode: 0o755 });
    const m = await trainedModel(dir, { file: 0o666, dir: 0o555 });
    const r = await runAsReader('train', '--model', dir, '--bucket', 'ham', HAM);
    expectReadOnlyLine(r, m.file, /read-only \(SQLITE_READONLY\w*: /);
    expect(listing(dir)).toEqual(['model.sqlite']);
    expect(readFileSync(m.file).equals(m.bytes)).toBe(true);
  });

  // Mounting needs root; skipped elsewhere, with the reason printed by full-disk.ts.
  it.skipIf(fullDiskUnavailable !== undefined)('on a read-only mount (root refused too): MODEL_UNWRITABLE, read-only, EROFS', async () => {
    const disk = smallDisk({ size: '1m' });
    try {
      const dir = join(disk.dir, 'mail');
      const m = await trainedModel(dir, { file: 0o600, dir: 0o700 });
      const remount = spawnSync('mount', ['-o', 'remount,ro', disk.dir], { encoding: 'utf8' });
      expect(remount.stderr).toBe('');
      expect(remount.status).toBe(0);
      const r = await runCli('train', '--model', dir, '--bucket', 'ham', HAM);
      expectReadOnlyLine(r, m.file, /read-only \(EROFS: read-only file system\)/);
      expect(listing(dir)).toEqual(['model.sqlite']);
      expect(readFileSync(m.file).equals(m.bytes)).toBe(true);
      // Reading it still works: classification needs no write (read-only-open.ts).
      expect((await runCli('model', 'stats', '--model', dir)).code).toBe(0);
    } finally {
      disk.dispose();
    }
  });
});
