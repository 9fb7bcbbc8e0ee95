/**
 * Three buckets or more: Complement Naive Bayes (Rennie, Shih, Teevan & Karger, "Tackling
 * the Poor Assumptions of Naive Bayes Text Classifiers", ICML 2003) over the message's
 * distinct tokens, with a calibrated probability per bucket.
 *
 * Plain multinomial NB estimates P(token | bucket) from that bucket's messages alone, so a
 * bucket with few messages gets poor estimates and skewed scores. Complement NB estimates,
 * for each bucket c, how well the message fits everything that is NOT c, and picks the
 * bucket whose complement fits worst:
 *
 *   w(t, c)  = log( (count(t, ¬c) + α) / (total(¬c) + α·V) )
 *   score(c) = - Σ_{t known} w(t, c)
 *
 * count(t, ¬c) is the number of messages outside c holding t, total(¬c) the sum of those
 * counts over all tokens, V the vocabulary; tokens never trained are skipped. On the
 * 10-group newsgroups corpus (docs/classify.md) it beats multinomial NB by about 4 points
 * in cross-validation on the training split.
 *
 * Calibration: the scores are log-likelihood-like but not probabilities. They become
 * probabilities through a temperature, P(c) = softmax(score(c) / T), with T fitted once
 * by cross-validated log-loss on training data (a model option, like the chi-square
 * constants). The winner is the same for any T; only the probabilities change.
 */
import { hashName, type Classification, type ClassifyOptions, type Clue, type ModelSnapshot } from './model-snapshot.js';

export function classifyMulti(model: ModelSnapshot, hashes: ArrayLike<number>, names: readonly string[] | undefined, options: ClassifyOptions): Classification {
  const B = model.bucketCount;
  const { alpha, temperature, minProbability } = model.options;
  const V = Math.max(1, model.vocabulary);
  const allTotal = model.tokenTotals.reduce((a, b) => a + b, 0);
  const complementDenom = new Float64Array(B);
  for (let c = 0; c < B; c++) complementDenom[c] = Math.log(allTotal - model.tokenTotals[c]! + alpha * V);
  const score = new Float64Array(B);
  const rows: number[] = [];
  const known: number[] = [];
  for (let i = 0; i < hashes.length; i++) {
    const r = model.row(hashes[i]!);
    if (r < 0) continue;
    rows.push(r);
    known.push(i);
    let all = 0;
    for (let c = 0; c < B; c++) all += model.count(r, c);
    for (let c = 0; c < B; c++) score[c]! -= Math.log(all - model.count(r, c) + alpha) - complementDenom[c]!;
  }
  let best = 0;
  for (let c = 1; c < B; c++) if (score[c]! > score[best]!) best = c;
  // softmax(score / T), shifted by the maximum so that nothing overflows.
  const t = Math.max(1e-9, temperature);
  let sum = 0;
  const p = new Float64Array(B);
  for (let c = 0; c < B; c++) {
    p[c] = Math.exp((score[c]! - score[best]!) / t);
    sum += p[c]!;
  }
  const scores: Record<string, number> = {};
  for (let c = 0; c < B; c++) scores[model.buckets[c]!] = p[c]! / sum;
  const bucket = model.buckets[best]!;
  const unsure = scores[bucket]! < minProbability;
  let clues: Clue[] | undefined;
  if (options.explain) {
    let second = best === 0 ? 1 : 0;
    for (let c = 0; c < B; c++) if (c !== best && score[c]! > score[second]!) second = c;
    // A token's share of the winner's lead over the runner-up: w(t, runner-up) - w(t, winner).
    const weighed = rows.map((r, i) => {
      let all = 0;
      for (let c = 0; c < B; c++) all += model.count(r, c);
      const w = (c: number): number => Math.log(all - model.count(r, c) + alpha) - complementDenom[c]!;
      const t = known[i]!;
      return { token: names?.[t] ?? hashName(hashes[t]!), hash: hashes[t]!, weight: w(second) - w(best) };
    });
    weighed.sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight) || x.hash - y.hash);
    clues = weighed.slice(0, options.explain).map(({ token, weight }) => ({ token, weight }));
  }
  return { bucket, scores, unsure, clues };
}
