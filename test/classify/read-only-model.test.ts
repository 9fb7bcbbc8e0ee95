/**
 * Reading a classifier model that is not ours to write: `mailsift classify`, `model stats`
 * and `test --model` (the daemon's rules load models the same way, classifierSettings) on a
 * model directory of mode 0555 holding a file of mode 0444. They used to fail with
 * SQLITE_READONLY_DIRECTORY (SQLite wanted to create the -wal and -shm of the WAL database),
 * or SQLITE_CANTOPEN beside another user's -shm, and where they could, they left an empty
 * -wal and a -shm behind. Now they work and create nothing (src/classify/store/read-only-open.ts).
 *
 * Root ignores file modes, so as root the reader runs as `nobody` (setpriv, uid and gid
 * 65534, no groups): the real refusal, not an injected one. The CLI runs from src/ through
 * tsx; the model's parents are made searchable for nobody.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelStore, train } from '../../src/classify/store/model-store.js';
import { MODEL_MIGRATIONS } from '../../src/classify/store/schema.js';
import { tokenizeRaw } from '../../src/classify/tokenize.js';
import { runCli } from '../support/run-cli.js';
import { readerCli } from '../support/run-cli-as-reader.js';
import { FIXTURES } from './helpers.js';

const { work, run: runAsReader } = readerCli('mailsift-ro-model-');

/** A trained model in its own directory, made read-only: dir 0555, file 0444. */
async function readOnlyModel(name: string): Promise<{ dir: string; file: string }> {
  const dir = join(work, name, 'mail');
  mkdirSync(join(work, name), { mode: 0o755 });
  for (const bucket of ['spam', 'ham']) {
    expect((await runCli('train', '--model', dir, '--bucket', bucket, join(FIXTURES, 'train', bucket))).code).toBe(0);
  }
  const file = join(dir, 'model.sqlite');
  chmodSync(file, 0o444);
  chmodSync(dir, 0o555);
  return { dir, file };
}

const SPAM = join(FIXTURES, 'test', 'spam');
const listing = (dir: string): string[] => readdirSync(dir).sort();

describe('a read-only model', () => {
  let model: { dir: string; file: string };
  beforeAll(async () => {
    model = await readOnlyModel('plain');
    expect(listing(model.dir)).toEqual(['model.sqlite']);
  });

  it('classify works and creates no file beside the model', async () => {
    const r = await runAsReader('classify', '--model', model.dir, '--json', SPAM);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { bucket: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.bucket === 'spam').length).toBeGreaterThan(lines.length / 2);
    expect(listing(model.dir)).toEqual(['model.sqlite']);
  });

  it('model stats works and creates no file', async () => {
    const r = await runAsReader('model', 'stats', '--model', model.dir, '--json');
    expect(r.code).toBe(0);
    const stats = JSON.parse(r.stdout) as { buckets: { name: string; messages: number }[] };
    expect(stats.buckets.map((b) => [b.name, b.messages])).toEqual([['ham', 8], ['spam', 8]]);
    expect(listing(model.dir)).toEqual(['model.sqlite']);
  });

  it('test --model (the rules\' classify, as the daemon loads it) works and creates no file', async () => {
    const rules = join(work, 'classify.sieve');
    writeFileSync(rules, 'require ["vnd.mailsift.classify", "fileinto"];\nif classify "spam" { fileinto "Junk"; }\n');
    chmodSync(rules, 0o644);
    const r = await runAsReader('test', '--json', '--model', model.dir, rules, SPAM);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"Junk"');
    expect(listing(model.dir)).toEqual(['model.sqlite']);
  });

  it('a classify by the owner (the directory writable) leaves no -wal or -shm behind either', async () => {
    const dir = join(work, 'owned', 'mail');
    mkdirSync(join(work, 'owned'));
    expect((await runCli('train', '--model', dir, '--bucket', 'spam', join(FIXTURES, 'train', 'spam'))).code).toBe(0);
    expect(listing(dir)).toEqual(['model.sqlite']);
    expect((await runCli('classify', '--model', dir, SPAM)).code).toBe(0);
    expect((await runCli('model', 'stats', '--model', dir)).code).toBe(0);
    expect(listing(dir)).toEqual(['model.sqlite']);
  });
});

describe('a read-only model with journal files of another user beside it', () => {
  it('is read when an earlier reader left an empty -wal and a -shm (what classify used to leave)', async () => {
    const m = await readOnlyModel('leftover');
    chmodSync(m.dir, 0o755);
    const old = new Database(m.file, { readonly: true }); // the old read-only open: creates both, deletes neither
    old.prepare('SELECT count(*) FROM buckets').get();
    old.close();
    // Left while the model was still private: SQLite gives them the file's mode, and its own
    // read-only open cannot use a -shm it may not read (SQLITE_CANTOPEN).
    for (const f of ['model.sqlite-shm', 'model.sqlite-wal']) chmodSync(join(m.dir, f), 0o600);
    chmodSync(m.dir, 0o555);
    const before = listing(m.dir);
    expect(before).toEqual(['model.sqlite', 'model.sqlite-shm', 'model.sqlite-wal']);
    const r = await runAsReader('classify', '--model', m.dir, SPAM);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(listing(m.dir)).toEqual(before);
  });

  it('sees the transactions a writer still holds in the -wal (the documented read-only WAL reader)', async () => {
    const m = await readOnlyModel('writer');
    const writer = ModelStore.open(m.dir); // as the daemon's learning keeps it open
    try {
      expect(train(writer, 'ham', readFileSync(join(FIXTURES, 'test', 'spam', readdirSync(SPAM)[0]!)))).toBe('trained');
      const before = listing(m.dir);
      expect(before).toEqual(['model.sqlite', 'model.sqlite-shm', 'model.sqlite-wal']);
      const r = await runAsReader('model', 'stats', '--model', m.dir, '--json');
      expect(r.code).toBe(0);
      const stats = JSON.parse(r.stdout) as { buckets: { name: string; messages: number }[] };
      expect(stats.buckets.map((b) => [b.name, b.messages])).toEqual([['ham', 9], ['spam', 8]]);
      expect(listing(m.dir)).toEqual(before);
    } finally {
      writer.close();
    }
  });
});

describe('a read-only model of schema 1', () => {
  it('is read as it is (not migrated: nothing may be written) and creates no file', async () => {
    const dir = join(work, 'old', 'mail');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const file = join(dir, 'model.sqlite');
    const raw = readFileSync(join(FIXTURES, 'test', 'spam', readdirSync(SPAM)[0]!));
    const db = new Database(file);
    db.pragma('journal_mode = WAL'); // as mailsift wrote models then
    db.exec(MODEL_MIGRATIONS[0] as string);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO meta (key, value) VALUES ('tokenizer', '1')").run();
    db.prepare("INSERT INTO buckets (name, messages) VALUES ('spam', 1), ('ham', 0)").run();
    for (const t of new Set(tokenizeRaw(raw))) db.prepare('INSERT INTO tokens (token, bucket, count) VALUES (?, 1, 1)').run(t);
    db.close();
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
    expect(listing(dir)).toEqual(['model.sqlite']);

    const stats = await runAsReader('model', 'stats', '--model', dir, '--json');
    expect(stats.code).toBe(0);
    expect((JSON.parse(stats.stdout) as { buckets: { name: string; messages: number }[] }).buckets.map((b) => [b.name, b.messages])).toEqual([['ham', 0], ['spam', 1]]);
    const r = await runAsReader('classify', '--model', dir, '--json', SPAM);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"bucket":"spam"');
    expect(listing(dir)).toEqual(['model.sqlite']);
    const check = new Database(file, { readonly: true, fileMustExist: true });
    expect(check.pragma('user_version', { simple: true })).toBe(1);
    check.close();
  });
});

describe('creating a model where that is refused', () => {
  it('names the errno once', async () => {
    const parent = join(work, 'no-write');
    mkdirSync(parent, { mode: 0o555 });
    chmodSync(parent, 0o555);
    const r = await runAsReader('train', '--model', join(parent, 'new'), '--bucket', 'spam', SPAM);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mailsift: \[MODEL_UNAVAILABLE\] cannot create model .*: EACCES: permission denied/);
    expect(r.stderr.match(/EACCES/g)).toHaveLength(1);
  });
});
