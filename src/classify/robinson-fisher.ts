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
import { hashName, type Classification, type ClassifyOptions, type Clue, type ModelSnapshot } from './model-snapshot.js';

/** Robinson's f(w) for a token seen in `ca` messages of A (of `na`) and `cb` of B (of `nb`). */
export function tokenProbability(ca: number, cb: number, na: number, nb: number, s: number, x: number, bias = 1): number {
  const n = ca + cb;
  if (n === 0) return x;
  const a = na > 0 ? ca / na : 0;
  const b = nb > 0 ? (cb * bias) / nb : 0;
  const p = a + b === 0 ? x : a / (a + b);
  return (s * x + n * p) / (s + n);
}

export function classifyTwo(model: ModelSnapshot, hashes: ArrayLike<number>, names: readonly string[] | undefined, options: ClassifyOptions): Classification {
  const o = model.options;
  const positive = model.positive!;
  const ia = model.buckets.indexOf(positive);
  const ib = 1 - ia;
  const na = model.messages[ia]!;
  const nb = model.messages[ib]!;
  // The clues: f and the index of the token in the message, in parallel arrays.
  const fs = new Float64Array(hashes.length);
  const at = new Int32Array(hashes.length);
  let n = 0;
  for (let i = 0; i < hashes.length; i++) {
    const r = model.row(hashes[i]!);
    if (r < 0) continue;
    const f = tokenProbability(model.count(r, ia), model.count(r, ib), na, nb, o.robS, o.robX, o.negativeWeight);
    if (Math.abs(f - 0.5) >= o.minDev) {
      fs[n] = f;
      at[n++] = i;
    }
  }
  // At most maxClues, strongest first; ties broken by the token's hash, so the choice never
  // depends on the message's token order (nor on whether the tokens came as text or hashes).
  const chosen = n > o.maxClues ? strongestClues(fs, at, hashes, n, o.maxClues) : fs.subarray(0, n);
  const combined = fisherCombine(chosen);
  const p = combined.score;
  const other = model.buckets[ib]!;
  const scores = { [positive]: p, [other]: 1 - p };
  // Overwhelming evidence both ways rounds to exactly 0.5: the side whose evidence is
  // stronger (in log space) wins. No evidence at all goes to the negative bucket.
  const bucket = p > 0.5 || (p === 0.5 && combined.lean > 0) ? positive : other;
  const unsure = p >= o.hamCutoff && p < o.spamCutoff;
  let explained: Clue[] | undefined;
  if (options.explain) {
    const strongest = (x: number, y: number): number => Math.abs(fs[y]! - 0.5) - Math.abs(fs[x]! - 0.5) || hashes[at[x]!]! - hashes[at[y]!]!;
    const order = Array.from({ length: n }, (_, k) => k).sort(strongest);
    explained = order.slice(0, options.explain).map((k) => {
      const i = at[k]!;
      return { token: names?.[i] ?? hashName(hashes[i]!), weight: fs[k]! };
    });
  }
  return { bucket, scores, unsure, clues: explained };
}

/**
 * The f of the `max` clues farthest from 0.5 (of `n`), ties at the cut taken in ascending
 * hash order. Native typed-array sorts only: a comparator sort of 400 clues per message
 * cost more than everything else in classification.
 */
function strongestClues(fs: Float64Array, at: Int32Array, hashes: ArrayLike<number>, n: number, max: number): Float64Array {
  const devs = new Float64Array(n);
  for (let k = 0; k < n; k++) devs[k] = Math.abs(fs[k]! - 0.5);
  const cut = Float64Array.from(devs).sort()[n - max]!;
  const out = new Float64Array(max);
  let m = 0;
  const tied: number[] = [];
  for (let k = 0; k < n; k++) {
    if (devs[k]! > cut) out[m++] = fs[k]!;
    else if (devs[k] === cut) tied.push(k);
  }
  if (m < max) {
    // The tied clues with the smallest hashes fill the rest.
    const byHash = Float64Array.from(tied, (k) => hashes[at[k]!]!).sort();
    const limit = byHash[max - m - 1]!;
    for (const k of tied) if (m < max && hashes[at[k]!]! <= limit) out[m++] = fs[k]!;
  }
  return out;
}
