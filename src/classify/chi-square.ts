/**
 * Fisher's method for combining token probabilities (Gary Robinson, "A Statistical
 * Approach to the Spam Problem", Linux Journal 107, 2003), as SpamBayes' chi2_spamprob
 * and bogofilter compute it. Pure math, no model.
 *
 * For n token probabilities f_i (each "how likely is a message with this token to be in
 * bucket A"), if the tokens were random the quantity -2 Σ ln f_i would follow a
 * chi-square distribution with 2n degrees of freedom:
 *   H = C⁻¹(-2 Σ ln f_i, 2n)          (near 1 when the f_i are uniformly small: evidence for B)
 *   S = C⁻¹(-2 Σ ln (1 - f_i), 2n)    (near 1 when the f_i are uniformly large: evidence for A)
 *   indicator I = (1 + S - H) / 2     (0.5 when there is no evidence either way, or both)
 * where C⁻¹(x, v) is 1 - the survival function of chi-square with v degrees of freedom.
 */

/**
 * ln P(X ≥ x2) for X chi-square with v degrees of freedom, v even: the closed form
 * e^{-m} Σ_{i<v/2} m^i / i! (m = x2/2), summed in log space so that the tails of strong
 * evidence (1e-300 and below) stay comparable instead of underflowing to 0. The loop has
 * v/2 terms, so the caller bounds v (at most 2 × max clues).
 */
export function logChi2Q(x2: number, v: number): number {
  if (v <= 0 || v % 2 !== 0 || !Number.isFinite(v)) throw new RangeError(`chi2Q: degrees of freedom must be a positive even number, got ${v}`);
  if (!(x2 > 0)) return 0;
  if (!Number.isFinite(x2)) return -Infinity;
  const m = x2 / 2;
  const lnM = Math.log(m);
  // ln of the terms m^i / i!; the largest is found first so that the sum cannot overflow.
  const k = v / 2;
  let logTerm = 0;
  let maxLog = 0;
  const logs = new Float64Array(k);
  for (let i = 1; i < k; i++) {
    logTerm += lnM - Math.log(i);
    logs[i] = logTerm;
    if (logTerm > maxLog) maxLog = logTerm;
  }
  let s = 0;
  for (let i = 0; i < k; i++) s += Math.exp(logs[i]! - maxLog);
  return Math.min(0, -m + maxLog + Math.log(s));
}

/** P(X ≥ x2) for X chi-square with v (even) degrees of freedom. */
export function chi2Q(x2: number, v: number): number {
  return Math.exp(logChi2Q(x2, v));
}

export interface FisherResult {
  /** The indicator I in [0, 1]: the probability-like score of bucket A. */
  readonly score: number;
  /** Evidence for A: 1 - chi2Q(-2 Σ ln(1 - f), 2n). */
  readonly a: number;
  /** Evidence for B: 1 - chi2Q(-2 Σ ln f, 2n). */
  readonly b: number;
  /**
   * ln chi2Q(-2 Σ ln f, 2n) - ln chi2Q(-2 Σ ln(1 - f), 2n): positive when the evidence leans
   * to A. Decides the bucket when both kinds of evidence are overwhelming and the score is
   * 0.5 in floating point.
   */
  readonly lean: number;
  readonly n: number;
}

/**
 * Combine token probabilities f_i ∈ (0, 1) (probability of bucket A given the token) into
 * one score. No probabilities: 0.5. Values are clamped away from 0 and 1 so that one
 * certain token cannot make a logarithm infinite.
 */
export function fisherCombine(probs: ArrayLike<number>): FisherResult {
  const n = probs.length;
  if (n === 0) return { score: 0.5, a: 0, b: 0, lean: 0, n: 0 };
  let lnF = 0;
  let ln1F = 0;
  for (let i = 0; i < n; i++) {
    const f = Math.min(1 - 1e-12, Math.max(1e-12, probs[i]!));
    lnF += Math.log(f);
    ln1F += Math.log(1 - f);
  }
  const logQb = logChi2Q(-2 * lnF, 2 * n);
  const logQa = logChi2Q(-2 * ln1F, 2 * n);
  const qb = Math.exp(logQb);
  const qa = Math.exp(logQa);
  // I = (1 + S - H) / 2 with S = 1 - qa and H = 1 - qb, i.e. (1 + qb - qa) / 2.
  return { score: (1 + qb - qa) / 2, a: 1 - qa, b: 1 - qb, lean: logQb - logQa, n };
}
