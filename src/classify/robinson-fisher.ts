/**
 * Two buckets: Robinson–Fisher (chi-square) classification, as bogofilter and SpamBayes
 * do it (Robinson 2003; SpamBayes classifier.py). For each token of the message:
 *
 *   a = count(A) / messages(A),  b = count(B) / messages(B)     (frequencies, so unequal
 *   p = a / (a + b)                                              bucket sizes do not bias)
 *   f = (s·x + n·p) / (s + n),  n = count(A) + count(B)         (Robinson's prior: rare
 *                                                                 tokens are pulled to x)
 *
 * Tokens with |f - 0.5| < minDev say nothing and are dropped; of the rest the maxClues
 * most extreme are combined with Fisher's method (chi-square.ts). The result is the
 * probability-like indicator of bucket A (the positive bucket, "spam"); B gets 1 - it.
 * The unsure band is [hamCutoff, spamCutoff) of the positive bucket's indicator.
 */
import { fisherCombine } from './chi-square.js';
import type { Classification, ClassifyOptions, Clue, ModelSnapshot } from './model-snapshot.js';

/** Robinson's f(w) for a token seen in `ca` messages of A (of `na`) and `cb` of B (of `nb`). */
export function tokenProbability(ca: number, cb: number, na: number, nb: number, s: number, x: number, bias = 1): number {
  const n = ca + cb;
  if (n === 0) return x;
  const a = na > 0 ? ca / na : 0;
  const b = nb > 0 ? (cb * bias) / nb : 0;
  const p = a + b === 0 ? x : a / (a + b);
  return (s * x + n * p) / (s + n);
}

export function classifyTwo(model: ModelSnapshot, tokens: readonly string[], options: ClassifyOptions): Classification {
  const o = model.options;
  const positive = model.positive!;
  const ia = model.buckets.indexOf(positive);
  const ib = 1 - ia;
  const na = model.messages[ia]!;
  const nb = model.messages[ib]!;
  const clues: { token: string; f: number; dev: number }[] = [];
  for (const token of tokens) {
    const r = model.row(token);
    if (r < 0) continue;
    const f = tokenProbability(model.count(r, ia), model.count(r, ib), na, nb, o.robS, o.robX, o.negativeWeight);
    const dev = Math.abs(f - 0.5);
    if (dev >= o.minDev) clues.push({ token, f, dev });
  }
  if (clues.length > o.maxClues) {
    // Ties broken by the token, so the choice never depends on the message's token order.
    clues.sort((x, y) => y.dev - x.dev || (x.token < y.token ? -1 : x.token > y.token ? 1 : 0));
    clues.length = o.maxClues;
  }
  const combined = fisherCombine(clues.map((c) => c.f));
  const p = combined.score;
  const other = model.buckets[ib]!;
  const scores = { [positive]: p, [other]: 1 - p };
  // Overwhelming evidence both ways rounds to exactly 0.5: the side whose evidence is
  // stronger (in log space) wins. No evidence at all goes to the negative bucket.
  const bucket = p > 0.5 || (p === 0.5 && combined.lean > 0) ? positive : other;
  const unsure = p >= o.hamCutoff && p < o.spamCutoff;
  let explained: Clue[] | undefined;
  if (options.explain) {
    explained = [...clues]
      .sort((x, y) => y.dev - x.dev || (x.token < y.token ? -1 : 1))
      .slice(0, options.explain)
      .map((c) => ({ token: c.token, weight: c.f }));
  }
  return { bucket, scores, unsure, clues: explained };
}
