/** Model storage: training counts, idempotent retraining, moving, untraining, snapshots. */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSnapshot } from '../../src/classify/store/load-models.js';
import { ModelStore, reclassify, train, untrain } from '../../src/classify/store/model-store.js';
import { MODEL_MIGRATIONS, MODEL_SCHEMA_VERSION } from '../../src/classify/store/schema.js';
import { hashToken } from '../../src/classify/token-hash.js';
import { tokenizeRaw } from '../../src/classify/tokenize.js';
import { MailsiftError } from '../../src/errors.js';
import { fixtureFiles, message, tempDir, trainFixtureModel } from './helpers.js';

const m1 = message({ id: 'one@example.com', body: 'alpha beta gamma' });
const m2 = message({ id: 'two@example.com', body: 'beta gamma delta' });

function freshStore(): ModelStore {
  return ModelStore.open(join(tempDir(), 'model'), { create: true });
}

/** Every (token hash, bucket id, count) entry of the token pages, and bucket message counts: the whole learned state. */
function dump(store: ModelStore): { tokens: unknown[]; buckets: unknown[] } {
  return {
    tokens: (store.db.prepare('SELECT entries FROM token_pages ORDER BY page').pluck().all() as Buffer[]).flatMap((p) =>
      Array.from({ length: p.length / 16 }, (_, i) => [p.readDoubleLE(i * 16), p.readInt32LE(i * 16 + 8), p.readInt32LE(i * 16 + 12)]),
    ),
    buckets: store.db.prepare('SELECT name, messages FROM buckets ORDER BY name').all(),
  };
}

describe('training', () => {
  it('counts in how many messages of each bucket a token occurs', () => {
    const store = freshStore();
    expect(train(store, 'ham', m1)).toBe('trained');
    expect(train(store, 'ham', m2)).toBe('trained');
    expect(store.tokenCounts('beta')).toEqual({ ham: 2 });
    expect(store.tokenCounts('alpha')).toEqual({ ham: 1 });
    expect(store.tokenCounts('nothing')).toEqual({ ham: 0 });
    const stats = store.stats();
    expect(stats.buckets).toEqual([{ name: 'ham', messages: 2, tokens: new Set([...tokenizeRaw(m1), ...tokenizeRaw(m2)]).size }]);
    expect(stats.name).toBe('model');
  });

  it('a message trained twice counts once (Message-ID + body hash)', () => {
    const store = freshStore();
    train(store, 'ham', m1);
    const before = dump(store);
    expect(train(store, 'ham', m1)).toBe('duplicate');
    // the same message with CRLF → LF and an mbox "From " line is the same message
    const lf = new TextEncoder().encode('From x@y  Thu Aug 22 14:44:07 2002\n' + new TextDecoder().decode(m1).replace(/\r\n/g, '\n'));
    expect(train(store, 'ham', lf)).toBe('duplicate');
    expect(dump(store)).toEqual(before);
  });

  it('the key is <Message-ID> plus the first 32 hex digits of the body\'s SHA-256 (keys stored by older versions still match)', () => {
    const store = freshStore();
    expect(store.analyse(m1).key).toBe(`<one@example.com> ${createHash('sha256').update('alpha beta gamma').digest('hex').slice(0, 32)}`);
  });

  it('same Message-ID with another body is another message', () => {
    const store = freshStore();
    train(store, 'ham', m1);
    expect(train(store, 'ham', message({ id: 'one@example.com', body: 'other text' }))).toBe('trained');
    expect(store.stats().messages).toBe(2);
  });

  it('training into another bucket moves the message', () => {
    const store = freshStore();
    train(store, 'ham', m1);
    expect(train(store, 'spam', m1)).toBe('moved');
    expect(store.tokenCounts('alpha')).toEqual({ ham: 0, spam: 1 });
    expect(store.stats().buckets.map((b) => [b.name, b.messages])).toEqual([['ham', 0], ['spam', 1]]);
  });

  it('reclassify(from, to) moves training; untrain removes exactly what was added', () => {
    const store = freshStore();
    train(store, 'ham', m2);
    const before = dump(store);
    train(store, 'ham', m1);
    expect(reclassify(store, 'ham', 'spam', m1)).toBe('moved');
    expect(store.tokenCounts('alpha')).toEqual({ ham: 0, spam: 1 });
    expect(untrain(store, 'ham', m1)).toBe('other-bucket');
    expect(untrain(store, 'spam', m1)).toBe('untrained');
    expect(untrain(store, 'spam', m1)).toBe('not-trained');
    expect(dump(store).tokens).toEqual(before.tokens);
  });

  it('a batch writes many messages in one transaction and sees its own changes', () => {
    const store = freshStore();
    const batch = store.batch();
    expect(batch.train('ham', m1)).toBe('trained');
    expect(batch.train('ham', m1)).toBe('duplicate');
    expect(batch.train('spam', m2)).toBe('trained');
    expect(store.stats().messages).toBe(0); // nothing written yet
    batch.commit();
    expect(store.stats().buckets.map((b) => [b.name, b.messages])).toEqual([['ham', 1], ['spam', 1]]);
  });

  it('a refused commit leaves the model as it was: no bucket the batch created, and it creates it once it commits', () => {
    const store = freshStore();
    train(store, 'ham', m1);
    const before = dump(store);
    // A write the model refuses (as a full disk does), in the commit's transaction.
    store.db.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON trained_messages BEGIN SELECT RAISE(ABORT, 'refused'); END");
    const batch = store.batch();
    expect(batch.train('spam', m2)).toBe('trained');
    expect(() => batch.commit()).toThrow('refused');
    expect(dump(store)).toEqual(before);
    expect(store.bucketNames()).toEqual(['ham']);
    store.db.exec('DROP TRIGGER refuse');
    expect(train(store, 'spam', m2)).toBe('trained');
    expect(store.stats().buckets.map((b) => [b.name, b.messages])).toEqual([['ham', 1], ['spam', 1]]);
    expect(store.snapshot().tokenCounts('delta')).toEqual({ ham: 0, spam: 1 });
  });

  it.each([['unsure'], ['a/b'], [''], ['-x'], ['x'.repeat(65)]])('refuses the bucket name %j', (name) => {
    const store = freshStore();
    expect(() => train(store, name, m1)).toThrow(expect.objectContaining({ code: 'MODEL_INVALID' }));
  });

  it('opening a missing model without create is MODEL_UNAVAILABLE', () => {
    expect(() => ModelStore.open(join(tempDir(), 'none'))).toThrow(MailsiftError);
    expect(() => ModelStore.open(join(tempDir(), 'none'), { readonly: true })).toThrow(expect.objectContaining({ code: 'MODEL_UNAVAILABLE' }));
  });

  it('persists: reopened read-only, the snapshot has the counts; options round-trip', () => {
    const dir = join(tempDir(), 'persist');
    const store = ModelStore.open(dir, { create: true });
    train(store, 'ham', m1);
    train(store, 'spam', m2);
    store.setOptions({ spamCutoff: 0.95 });
    store.close();
    const ro = ModelStore.open(dir, { readonly: true });
    const snap = ro.snapshot();
    ro.close();
    expect(snap.buckets).toEqual(['ham', 'spam']);
    expect(snap.messages).toEqual([1, 1]);
    expect(snap.tokenCounts('beta')).toEqual({ ham: 1, spam: 1 });
    expect(snap.options.spamCutoff).toBe(0.95);
    expect(readFileSync(join(dir, 'model.sqlite')).subarray(0, 15).toString()).toBe('SQLite format 3');
  });
});

describe('property: untrain(train(m)) restores the counts', () => {
  const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'money', 'free', 'meeting', 'budget', 'patch', 'lunch');
  const msg = fc.record({ id: fc.option(fc.stringMatching(/^[a-z0-9]{1,8}@ex\.com$/), { nil: undefined }), words: fc.array(word, { minLength: 0, maxLength: 12 }) });

  it('for any base model and any message sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('ham', 'spam'), msg), { maxLength: 6 }), fc.array(fc.tuple(fc.constantFrom('ham', 'spam'), msg), { minLength: 1, maxLength: 6 }), (base, extra) => {
        const store = freshStore();
        try {
          const raw = (m: { id?: string; words: string[] }) => message({ id: m.id, body: m.words.join(' ') });
          for (const [b, m] of base) train(store, b, raw(m));
          const before = dump(store);
          const done: [string, Uint8Array][] = [];
          for (const [b, m] of extra) {
            const r = raw(m);
            // only messages new to the model can be taken back out exactly
            if (store.lookup(store.analyse(r).key) !== undefined) continue;
            if (train(store, b, r) === 'trained') done.push([b, r]);
          }
          for (const [b, r] of done.reverse()) expect(untrain(store, b, r)).toBe('untrained');
          const after = dump(store);
          expect(after.tokens).toEqual(before.tokens);
          // buckets created by `extra` stay, empty
          expect((after.buckets as { name: string; messages: number }[]).filter((x) => x.messages > 0)).toEqual(
            (before.buckets as { name: string; messages: number }[]).filter((x) => x.messages > 0),
          );
        } finally {
          store.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('storage: token hashes, the snapshot cache', () => {
  /** The counts every tokenize()d token should have after training the fixtures: in how many messages of each bucket it occurs. */
  function reference(): Map<string, Record<string, number>> {
    const ref = new Map<string, Record<string, number>>();
    for (const b of ['ham', 'spam'] as const) {
      for (const f of fixtureFiles('train', b)) {
        for (const t of tokenizeRaw(readFileSync(f))) {
          const row = ref.get(t) ?? { ham: 0, spam: 0 };
          row[b]!++;
          ref.set(t, row);
        }
      }
    }
    return ref;
  }

  it('a snapshot has the count of every token (one batch, and one message per transaction)', () => {
    const ref = reference();
    const dir = join(tempDir(), 'ref');
    trainFixtureModel(dir, ['ham', 'spam']);
    const single = freshStore();
    for (const b of ['ham', 'spam'] as const) for (const f of fixtureFiles('train', b)) train(single, b, readFileSync(f));
    const snaps = [loadSnapshot(dir), single.snapshot()];
    for (const snap of snaps) {
      expect(snap.vocabulary).toBe(ref.size);
      for (const [token, counts] of ref) expect(snap.tokenCounts(token)).toEqual(counts);
      expect(snap.tokenTotals).toEqual(snaps[0]!.tokenTotals);
    }
    const stats = single.stats();
    expect(stats.tokens).toBe(ref.size);
    expect(stats.buckets.map((b) => b.tokens)).toEqual(['ham', 'spam'].map((b) => [...ref.values()].filter((c) => c[b]! > 0).length));
    for (const token of ['from:noname', 'ct:text/plain', 'never-seen']) expect(single.tokenCounts(token)).toEqual(ref.get(token) ?? { ham: 0, spam: 0 });
  });

  it('pages stay sorted and hold no empty counts after untraining and moves', () => {
    const store = freshStore();
    train(store, 'ham', m1);
    train(store, 'ham', m2);
    reclassify(store, 'ham', 'spam', m2);
    untrain(store, 'ham', m1);
    const entries = dump(store).tokens as [number, number, number][];
    expect(entries.every((e) => e[2] > 0)).toBe(true);
    expect(entries).toEqual([...entries].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    expect(store.snapshot().tokenCounts('alpha')).toEqual({ ham: 0, spam: 0 });
    expect(store.snapshot().tokenCounts('delta')).toEqual({ ham: 0, spam: 1 });
  });
});

describe('a model file of schema 1 (token text)', () => {
  /** A model as mailsift wrote it before token hashes: schema 1, one row per token text, token lists as text. */
  function schema1Model(dir: string, trained: [string, Uint8Array][]): void {
    mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, 'model.sqlite'));
    db.exec(MODEL_MIGRATIONS[0] as string);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO meta (key, value) VALUES ('tokenizer', '1')").run();
    const probe = ModelStore.open(join(tempDir(), 'probe'), { create: true });
    for (const [bucket, raw] of trained) {
      db.prepare('INSERT OR IGNORE INTO buckets (name) VALUES (?)').run(bucket);
      const id = (db.prepare('SELECT id FROM buckets WHERE name = ?').get(bucket) as { id: number }).id;
      db.prepare('UPDATE buckets SET messages = messages + 1 WHERE id = ?').run(id);
      const tokens = tokenizeRaw(raw);
      for (const t of tokens) db.prepare('INSERT INTO tokens (token, bucket, count) VALUES (?, ?, 1) ON CONFLICT DO UPDATE SET count = count + 1').run(t, id);
      db.prepare('INSERT INTO messages (key, bucket, tokens, trained_at) VALUES (?, ?, ?, 0)').run(probe.analyse(raw).key, id, tokens.join('\n'));
    }
    probe.close();
    db.close();
  }

  it('is read as it is when opened read-only (classification never writes it)', () => {
    const dir = join(tempDir(), 'old');
    schema1Model(dir, [['ham', m1], ['spam', m2]]);
    const snap = loadSnapshot(dir);
    expect(snap.tokenCounts('alpha')).toEqual({ ham: 1, spam: 0 });
    expect(snap.tokenCounts('beta')).toEqual({ ham: 1, spam: 1 });
    const ro = ModelStore.open(dir, { readonly: true });
    expect(ro.stats().buckets).toEqual([
      { name: 'ham', messages: 1, tokens: tokenizeRaw(m1).length },
      { name: 'spam', messages: 1, tokens: tokenizeRaw(m2).length },
    ]);
    expect(ro.lookup(ro.analyse(m1).key)?.tokens).toEqual(Float64Array.from(tokenizeRaw(m1), hashToken));
    ro.close();
    const db = new Database(join(dir, 'model.sqlite'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('is migrated by a writable open: counts kept, a message trained again is a duplicate, untraining removes what it added', () => {
    const dir = join(tempDir(), 'old');
    schema1Model(dir, [['ham', m1], ['spam', m2]]);
    const store = ModelStore.open(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(MODEL_SCHEMA_VERSION);
    expect(store.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('tokens', 'messages')").get()).toEqual({ n: 0 });
    expect(store.stats().tokens).toBe(new Set([...tokenizeRaw(m1), ...tokenizeRaw(m2)]).size);
    expect(store.tokenCounts('beta')).toEqual({ ham: 1, spam: 1 });
    expect(train(store, 'ham', m1)).toBe('duplicate');
    expect(untrain(store, 'spam', m2)).toBe('untrained');
    expect(store.tokenCounts('delta')).toEqual({ ham: 0, spam: 0 });
    expect(store.tokenCounts('beta')).toEqual({ ham: 1, spam: 0 });
    expect(train(store, 'spam', m1)).toBe('moved');
    expect(store.snapshot().tokenCounts('alpha')).toEqual({ ham: 0, spam: 1 });
    store.close();
  });
});

describe('a reader beside a writer that commits while it reads', () => {
  /**
   * A read-only store that sees a writer's -wal (SQLite's own read-only open, read-only-open.ts)
   * reads buckets, token pages and options with several statements; `between` runs (a commit
   * by the writer) when the token pages are about to be read.
   */
  function commitWhileReading(reader: ModelStore, between: () => void): void {
    const prepare = reader.db.prepare.bind(reader.db);
    let done = false;
    reader.db.prepare = ((sql: string) => {
      if (!done && sql.includes('token_pages')) {
        done = true;
        between();
      }
      return prepare(sql);
    }) as typeof reader.db.prepare;
  }

  it('snapshot() and stats() see one state: the counts and message totals of the same commit', () => {
    const dir = join(tempDir(), 'shared');
    const writer = ModelStore.open(dir, { create: true });
    try {
      train(writer, 'ham', m1);
      const reader = ModelStore.open(dir, { readonly: true });
      try {
        expect(reader.db.memory).toBe(false); // the -wal holds the writer's commit: SQLite's WAL reader
        const snapshot = reader.snapshot();
        commitWhileReading(reader, () => reclassify(writer, 'ham', 'spam', m1));
        expect(reader.snapshot()).toEqual(snapshot);
        const stats = reader.stats(); // now after the commit: m1 in spam
        expect(stats.buckets.map((b) => [b.name, b.messages, b.tokens > 0])).toEqual([['ham', 0, false], ['spam', 1, true]]);
        commitWhileReading(reader, () => reclassify(writer, 'spam', 'ham', m1));
        expect(reader.stats()).toEqual(stats);
      } finally {
        reader.close();
      }
    } finally {
      writer.close();
    }
  });
});
