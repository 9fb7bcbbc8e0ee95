/**
 * The two-bucket rule of src/classify/robinson-fisher.ts re-done with the knobs the
 * cross-validation tool (classify-cv.ts) tries before any of them goes into src: an
 * effective size factor per side (bogofilter ≥ 1.1), bounds on a token's f (Graham), and
 * the prior x estimated from the model. With no knob set it computes exactly what
 * classifyTwo computes (classify-cv.ts checks this on every message of its first row).
 */
import { logChi2Q } from '../src/classify/chi-square.js';
import type { ModelSnapshot } from '../src/classify/model-snapshot.js';
import { classifyMulti } from '../src/classify/multiclass.js';
import { tokenProbability } from '../src/classify/robinson-fisher.js';

export interface ScoreKnobs {
  /** bogofilter's sp_esf / ns_esf: -2·esf·Σ ln(1-f) with 2·esf·n degrees of freedom (spam side), the same with ln f (ham side). */
  readonly spamEsf?: number;
  readonly hamEsf?: number;
  /** Graham's bounds on f (e.g. [0.01, 0.99]). */
  readonly bounds?: readonly [number, number];
  /** Robinson's x from the data: the mean p of tokens seen in at most this many messages. */
  readonly xFromRare?: number;
  /**
   * A family of correlated tokens (e.g. html: tags, which arrive together): its m chosen
   * clues count m^gamma clues in all (each weighs m^(gamma-1)); `member` says which hashes.
   */
  readonly family?: { readonly member: (hash: number) => boolean; readonly gamma: number };
  /** Tokens the model never saw count with this f (the code skips them; Robinson's x applied to unknown tokens). */
  readonly unknownF?: number;
  /** Complement naive Bayes (multiclass.ts, the rule of 3+ buckets) instead of Robinson–Fisher. */
  readonly complement?: boolean;
  /** Robinson's geometric-mean combination (2002, before Fisher) instead of Fisher's. */
  readonly geometric?: boolean;
}

export interface Score {
  /** P(positive): Fisher's indicator. */
  readonly p: number;
  /** ln Q(ham side) − ln Q(spam side): > 0 leans positive (decides p = 0.5 exactly). */
  readonly lean: number;
}

/** Robinson's x estimated from the model: mean p of the tokens seen in ≤ `n` messages. */
export function estimateX(model: ModelSnapshot, ia: number, n: number): number {
  const ib = 1 - ia;
  const na = model.messages[ia]!;
  const nb = model.messages[ib]!;
  let sum = 0;
  let k = 0;
  for (const [, counts] of model.entries()) {
    const ca = counts[ia]!;
    const cb = counts[ib]!;
    if (ca + cb > n) continue;
    const a = ca / na;
    const b = cb / nb;
    sum += a / (a + b);
    k++;
  }
  return k === 0 ? 0.5 : sum / k;
}

export function scoreTwo(model: ModelSnapshot, hashes: ArrayLike<number>, knobs: ScoreKnobs, x: number): Score {
  if (knobs.complement) {
    const p = classifyMulti(model, hashes, undefined, {}).scores[model.positive!]!;
    return { p, lean: p - 0.5 };
  }
  const o = model.options;
  const ia = model.buckets.indexOf(model.positive!);
  const ib = 1 - ia;
  const na = model.messages[ia]!;
  const nb = model.messages[ib]!;
  const clues: { f: number; d: number; h: number }[] = [];
  for (let i = 0; i < hashes.length; i++) {
    const r = model.row(hashes[i]!);
    if (r < 0) {
      const u = knobs.unknownF;
      if (u !== undefined && Math.abs(u - 0.5) >= o.minDev) clues.push({ f: u, d: Math.abs(u - 0.5), h: hashes[i]! });
      continue;
    }
    let f = tokenProbability(model.count(r, ia), model.count(r, ib), na, nb, o.robS, x, o.negativeWeight);
    if (knobs.bounds) f = Math.min(knobs.bounds[1], Math.max(knobs.bounds[0], f));
    if (Math.abs(f - 0.5) >= o.minDev) clues.push({ f, d: Math.abs(f - 0.5), h: hashes[i]! });
  }
  clues.sort((u, v) => v.d - u.d || u.h - v.h);
  const chosen = clues.slice(0, o.maxClues);
  if (knobs.geometric) return geometric(chosen.map((c) => c.f));
  let weights: number[] | undefined;
  if (knobs.family) {
    const fam = knobs.family;
    const m = chosen.filter((c) => fam.member(c.h)).length;
    weights = chosen.map((c) => (fam.member(c.h) ? m ** (fam.gamma - 1) : 1));
  }
  return fisher(chosen.map((c) => c.f), knobs.spamEsf ?? 1, knobs.hamEsf ?? 1, weights);
}

/** Robinson's first combination: P = 1 − (Π(1−f))^(1/n), Q = 1 − (Π f)^(1/n), S = (1 + (P − Q)/(P + Q)) / 2. */
function geometric(fs: readonly number[]): Score {
  const n = fs.length;
  if (n === 0) return { p: 0.5, lean: 0 };
  let lnF = 0;
  let ln1F = 0;
  for (const raw of fs) {
    const f = Math.min(1 - 1e-12, Math.max(1e-12, raw));
    lnF += Math.log(f);
    ln1F += Math.log(1 - f);
  }
  const P = 1 - Math.exp(ln1F / n);
  const Q = 1 - Math.exp(lnF / n);
  const s = P + Q === 0 ? 0.5 : (1 + (P - Q) / (P + Q)) / 2;
  return { p: s, lean: P - Q };
}

function fisher(fs: readonly number[], spamEsf: number, hamEsf: number, weights?: readonly number[]): Score {
  let n = 0;
  let lnF = 0;
  let ln1F = 0;
  fs.forEach((raw, i) => {
    const w = weights?.[i] ?? 1;
    const f = Math.min(1 - 1e-12, Math.max(1e-12, raw));
    lnF += w * Math.log(f);
    ln1F += w * Math.log(1 - f);
    n += w;
  });
  if (n === 0) return { p: 0.5, lean: 0 };
  const logQb = logQ(-2 * hamEsf * lnF, 2 * hamEsf * n);
  const logQa = logQ(-2 * spamEsf * ln1F, 2 * spamEsf * n);
  return { p: (1 + Math.exp(logQb) - Math.exp(logQa)) / 2, lean: logQb - logQa };
}

/** ln P(X ≥ x2), X chi-square with v degrees of freedom (v any positive real). */
function logQ(x2: number, v: number): number {
  if (v % 2 === 0) return logChi2Q(x2, v);
  return logGammaQ(v / 2, x2 / 2);
}

/** ln of the regularized upper incomplete gamma Q(a, x) (Numerical Recipes §6.2). */
export function logGammaQ(a: number, x: number): number {
  if (!(x > 0)) return 0;
  const prefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x); Q = 1 - P.
    let sum = 1 / a;
    let term = sum;
    for (let k = 1; k < 10_000; k++) {
      term *= x / (a + k);
      sum += term;
      if (term < sum * 1e-16) break;
    }
    return Math.log1p(-Math.min(1, Math.exp(prefix + Math.log(sum))));
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.min(0, prefix + Math.log(h));
}

/** ln Γ(z), z > 0 (Lanczos, g = 7). */
function logGamma(z: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  z -= 1;
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}
