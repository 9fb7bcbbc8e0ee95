/** Token hashes and the typed-array tables built on them (src/classify/token-hash.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashCounts, HashSet, hashSpan, hashToken } from '../../src/classify/token-hash.js';
import { tokenHashes, tokenHashesRaw, tokenize, tokenizeRaw } from '../../src/classify/tokenize.js';
import { parseMessage } from '../../src/runtime/message/parse.js';
import { fixture, fixtureFiles, message } from './helpers.js';
import { readFileSync } from 'node:fs';

describe('hashToken / hashSpan', () => {
  it('hashSpan(prefix, text, start, end) is the hash of prefix + text.slice(start, end)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: 'binary' }), fc.nat(), fc.nat(), (prefix, text, a, b) => {
        const start = Math.min(a, b) % (text.length + 1);
        const end = Math.min(text.length, start + (Math.max(a, b) % 30));
        expect(hashSpan(prefix, text, start, end)).toBe(hashToken(prefix + text.slice(start, end)));
      }),
    );
  });

  it('is a positive integer below 2^52, never 0', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const h = hashToken(s);
        expect(Number.isInteger(h) && h > 0 && h < 2 ** 52).toBe(true);
      }),
    );
  });

  it('tells apart tokens that differ in one character, in the prefix split or in length', () => {
    const tokens = ['free', 'Free', 'free!', 'fre', 'subject:free', 'subjectfree', 'subject:fre', '', 'a', 'aa', 'ab', 'ba'];
    expect(new Set(tokens.map(hashToken)).size).toBe(tokens.length);
  });
});

describe('tokenHashes is the hash of every token of tokenize, in the same order', () => {
  const same = (raw: Uint8Array, maxTokens?: number): void => {
    const names = tokenizeRaw(raw, { maxTokens });
    expect(Array.from(tokenHashesRaw(raw, { maxTokens }))).toEqual(names.map(hashToken));
  };

  it.each([['tokenize', 'mime.eml'], ['tokenize', 'plain.eml']])('fixture %s/%s', (...parts) => same(fixture(...parts)));

  it('every train and test fixture', () => {
    for (const split of ['train', 'test'] as const) for (const b of ['ham', 'spam'] as const) for (const f of fixtureFiles(split, b)) same(readFileSync(f));
  });

  it('up to maxTokens', () => same(message({ body: Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ') }), 100));

  it('for any text: case, punctuation at the edges, non-ASCII and astral letters, CJK, long runs', () => {
    const piece = fc.oneof(
      fc.constantFrom('FREE!!!', '"Hello,"', '(WORLD)', '100%', '$$$', '--', '«Ærø»', 'İstanbul', 'ΣΟΦΟΣ', '𝐀𝐁𝐂 ', '日本語のテキスト', 'x'.repeat(25), 'ÉCOLE.', '\u00a0', '!a!', '-%a'),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.stringMatching(/^[A-Za-z0-9.,!?$%'"()-]{1,24}$/),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.constantFrom(' ', '\n', '\t', ''), (pieces, sep) => {
        const body = pieces.join(sep === '' ? ' ' : sep);
        same(message({ subject: pieces.slice(0, 3).join(' '), body }));
        same(message({ body: `<html><body><p>${body}</p><a href="http://Example.COM/x">${body}</a></body></html>`, headers: 'Content-Type: text/html; charset=utf-8' }));
      }),
      { numRuns: 150 },
    );
  });

  it('a view tokenized twice gives the same hashes (the scratch table is reset)', () => {
    const view = parseMessage(fixture('tokenize', 'mime.eml'));
    const first = tokenHashes(view);
    tokenHashes(parseMessage(fixture('tokenize', 'plain.eml')));
    expect(tokenHashes(view)).toEqual(first);
    expect(first.length).toBe(tokenize(view).length);
  });
});

describe('HashSet', () => {
  it('keeps distinct hashes in first-seen order, at most max, and starts empty after reset', () => {
    const set = new HashSet(3);
    for (const h of [5, 7, 5, 9, 11, 7]) set.add(h);
    expect(Array.from(set.values())).toEqual([5, 7, 9]);
    expect(set.full).toBe(true);
    set.reset();
    set.add(11);
    expect(Array.from(set.values())).toEqual([11]);
  });
});

describe('HashCounts', () => {
  it('keeps every count while it grows from a tiny table (against a Map)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 2 ** 52 - 1 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: -3, max: 5 })), { maxLength: 3000 }), (ops) => {
        const table = new HashCounts(3, 1);
        const ref = new Map<number, number[]>();
        for (const [h, c, d] of ops) {
          table.add(h, c, d);
          const row = ref.get(h) ?? [0, 0, 0];
          row[c]! += d;
          ref.set(h, row);
        }
        expect(table.size).toBe(ref.size);
        for (const [h, row] of ref) {
          const slot = table.find(h);
          expect([table.at(slot, 0), table.at(slot, 1), table.at(slot, 2)]).toEqual(row);
        }
        expect(table.find(2 ** 52)).toBe(-1);
        expect([...table.slots()].length).toBe(ref.size);
      }),
      { numRuns: 30 },
    );
  });
});
