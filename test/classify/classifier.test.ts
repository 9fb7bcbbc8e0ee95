/** A tiny learnable spam/ham set and a 3-bucket set classify correctly; scores are probabilities. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fisherCombine } from '../../src/classify/chi-square.js';
import { SnapshotBuilder, modelOptions } from '../../src/classify/model-snapshot.js';
import { tokenProbability } from '../../src/classify/robinson-fisher.js';
import { hashToken } from '../../src/classify/token-hash.js';
import { loadSnapshot } from '../../src/classify/store/load-models.js';
import { tokenizeRaw } from '../../src/classify/tokenize.js';
import { fixtureFiles, message, tempDir, trainFixtureModel } from './helpers.js';

function trainedFixtureModel() {
  return loadSnapshot(trainFixtureModel(join(tempDir(), 'spamham')));
}

describe('two buckets (chi-square)', () => {
  const model = trainedFixtureModel();

  it.each([...fixtureFiles('test', 'spam').map((f) => [f, 'spam']), ...fixtureFiles('test', 'ham').map((f) => [f, 'ham'])])('%s is %s', (file, bucket) => {
    const r = model.classify(tokenizeRaw(readFileSync(file)));
    expect(r.bucket).toBe(bucket);
    expect(r.unsure).toBe(false);
    expect(r.scores.spam! + r.scores.ham!).toBeCloseTo(1, 12);
    expect(r.scores[bucket]).toBeGreaterThan(0.9);
  });

  it('a message with no known token is unsure, and goes to ham (never spam without a reason)', () => {
    const r = model.classify(tokenizeRaw(message({ from: 'x@nowhere.invalid', subject: 'zzz', body: 'qqqq wwww' })).filter((t) => model.row(t) < 0));
    expect(r).toMatchObject({ bucket: 'ham', unsure: true, scores: { spam: 0.5, ham: 0.5 } });
  });

  it('explains with the strongest tokens first', () => {
    const r = model.classify(tokenizeRaw(readFileSync(fixtureFiles('test', 'spam')[0]!)), { explain: 5 });
    expect(r.clues).toHaveLength(5);
    const devs = r.clues!.map((c) => Math.abs(c.weight - 0.5));
    expect(devs).toEqual([...devs].sort((a, b) => b - a));
    expect(r.clues![0]!.weight).toBeGreaterThan(0.5);
  });

  it('combines the maxClues strongest clues, ties cut by token hash; text and hashes give the same verdict', () => {
    // 400 tokens in a handful of strengths: many ties at the cut of maxClues = 150.
    const b = new SnapshotBuilder('t', ['ham', 'spam'], [50, 50], modelOptions({}));
    const tokens = Array.from({ length: 400 }, (_, i) => `t${i}`);
    tokens.forEach((t, i) => {
      b.add(t, 1, 1 + (i % 5));
      b.add(t, 0, 1 + ((i * 7) % 3));
    });
    const model = b.build();
    const o = model.options;
    const clues = tokens
      .map((t) => ({ h: hashToken(t), f: tokenProbability(model.tokenCounts(t).spam!, model.tokenCounts(t).ham!, 50, 50, o.robS, o.robX) }))
      .filter((c) => Math.abs(c.f - 0.5) >= o.minDev)
      .sort((x, y) => Math.abs(y.f - 0.5) - Math.abs(x.f - 0.5) || x.h - y.h)
      .slice(0, o.maxClues);
    const expected = fisherCombine(clues.map((c) => c.f)).score;
    const reversed = [...tokens].reverse();
    expect(model.classify(tokens).scores.spam).toBeCloseTo(expected, 12);
    expect(model.classify(reversed).scores.spam).toBeCloseTo(expected, 12);
    expect(model.classify(Float64Array.from(reversed, hashToken)).scores.spam).toBeCloseTo(expected, 12);
  });

  it('the unsure band is the model option', () => {
    const b = new SnapshotBuilder('t', ['ham', 'spam'], [10, 10], modelOptions({ hamCutoff: 0.2, spamCutoff: 0.9 }));
    b.add('x', 1, 3);
    b.add('x', 0, 1);
    const r = b.build().classify(['x']);
    expect(r.bucket).toBe('spam');
    expect(r.scores.spam).toBeGreaterThan(0.5);
    expect(r.scores.spam).toBeLessThan(0.9);
    expect(r.unsure).toBe(true);
  });
});

describe('three buckets (complement naive Bayes, calibrated)', () => {
  const topics: Record<string, string[]> = {
    work: ['meeting', 'deadline', 'project', 'budget', 'review', 'agenda'],
    lists: ['patch', 'kernel', 'release', 'mailing', 'digest', 'unsubscribe'],
    receipts: ['order', 'invoice', 'shipped', 'total', 'payment', 'receipt'],
  };
  const buckets = Object.keys(topics).sort();
  const builder = new SnapshotBuilder('m', buckets, buckets.map(() => 6));
  let seed = 1;
  const rand = (n: number): number => ((seed = (seed * 48271) % 2147483647) % n);
  const body = (words: string[]): string => Array.from({ length: 12 }, () => words[rand(words.length)]).join(' ');
  for (const [i, b] of buckets.entries()) {
    for (let k = 0; k < 6; k++) for (const t of new Set(tokenizeRaw(message({ body: body(topics[b]!) })))) builder.add(t, i, 1);
  }
  const model = builder.build();

  it.each(buckets)('a new %s message goes to its bucket', (b) => {
    const r = model.classify(tokenizeRaw(message({ body: body(topics[b]!) })));
    expect(r.bucket).toBe(b);
    const sum = Object.values(r.scores).reduce((x, y) => x + y, 0);
    expect(sum).toBeCloseTo(1, 12);
    expect(r.scores[b]).toBe(Math.max(...Object.values(r.scores)));
  });

  it('a message with nothing known is unsure, all buckets equally likely', () => {
    const r = model.classify(['never-seen']);
    expect(r.unsure).toBe(true);
    for (const b of buckets) expect(r.scores[b]).toBeCloseTo(1 / 3, 12);
  });

  it('explains: positive weights favour the winner', () => {
    const r = model.classify(tokenizeRaw(message({ body: 'invoice payment shipped' })), { explain: 3 });
    expect(r.bucket).toBe('receipts');
    expect(r.clues!.map((c) => c.token)).toEqual(expect.arrayContaining(['invoice']));
    expect(r.clues![0]!.weight).toBeGreaterThan(0);
  });
});
