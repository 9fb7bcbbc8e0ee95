/** Model storage: training counts, idempotent retraining, moving, untraining, snapshots. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelStore, reclassify, train, untrain } from '../../src/classify/store/model-store.js';
import { tokenizeRaw } from '../../src/classify/tokenize.js';
import { MailsiftError } from '../../src/errors.js';
import { message, tempDir } from './helpers.js';

const m1 = message({ id: 'one@example.com', body: 'alpha beta gamma' });
const m2 = message({ id: 'two@example.com', body: 'beta gamma delta' });

function freshStore(): ModelStore {
  return ModelStore.open(join(tempDir(), 'model'), { create: true });
}

/** Every (token, bucket, count) row and bucket message count: the whole learned state. */
function dump(store: ModelStore): { tokens: unknown[]; buckets: unknown[] } {
  return {
    tokens: store.db.prepare('SELECT hash, bucket, count FROM token_counts ORDER BY hash, bucket').all(),
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
