/**
 * Fitted decision rules of the fourth round of classify-cv (classify-cv-ideas.ts), each
 * fitted on out-of-fold scores of inner folds (never on the fold it is applied to):
 *
 * - per-family weights (bogofilter's effective size factors, one per token family) by L2
 *   logistic regression on the families' sums of clue log-odds, no intercept (an intercept
 *   would move the threshold, tried in the third round), shrunk toward 1 (Fisher's equal
 *   weights);
 * - the margin of the agreement gate: spam when header and body leans both say spam, or
 *   when the total lean exceeds a margin that minimises errors on the inner folds.
 */

export interface Row {
  readonly x: Float64Array;
  readonly spam: boolean;
}

/**
 * Weights w minimising Σ c·ln(1 + e^(−y·w·x)) + λ/2·|w − 1|² (y = ±1; c = hamCost for ham
 * rows, else 1): Newton's method with step halving. `towardMean`: the penalty is
 * λ/2·Σ(w_j − mean w)² instead, which pulls the weights toward each other but not their
 * scale (log-odds sums are overconfident, so the fit shrinks every weight, and a pull
 * toward 1 then fights the scale rather than the ratios, which alone decide the sign).
 */
export function fitFamilyWeights(rows: readonly Row[], lambda: number, hamCost = 1, towardMean = false): Float64Array {
  const d = rows[0]!.x.length;
  const w = new Float64Array(d).fill(1);
  // The point each weight is pulled to: 1, or (scale-free) the weights' mean, with a tiny ridge for the scale.
  const centre = (v: Float64Array): number => (towardMean ? v.reduce((a, b) => a + b, 0) / d : 1);
  const loss = (v: Float64Array): number => {
    let s = 0;
    for (const r of rows) s += (r.spam ? 1 : hamCost) * softplus(-(r.spam ? 1 : -1) * dot(v, r.x));
    const c = centre(v);
    for (let j = 0; j < d; j++) s += (lambda / 2) * (v[j]! - c) ** 2 + (towardMean ? 1e-6 * v[j]! ** 2 : 0);
    return s;
  };
  let current = loss(w);
  for (let iter = 0; iter < 50; iter++) {
    const g = new Float64Array(d);
    const h = Array.from({ length: d }, () => new Float64Array(d));
    for (const r of rows) {
      const y = r.spam ? 1 : -1;
      const c = r.spam ? 1 : hamCost;
      const m = y * dot(w, r.x);
      const sNeg = sigmoid(-m);
      const curv = c * sNeg * (1 - sNeg);
      for (let j = 0; j < d; j++) {
        g[j]! += -c * y * sNeg * r.x[j]!;
        for (let k = 0; k < d; k++) h[j]![k]! += curv * r.x[j]! * r.x[k]!;
      }
    }
    const c = centre(w);
    for (let j = 0; j < d; j++) {
      g[j]! += lambda * (w[j]! - c) + (towardMean ? 2e-6 * w[j]! : 0);
      h[j]![j]! += lambda + (towardMean ? 2e-6 : 0);
      if (towardMean) for (let k = 0; k < d; k++) h[j]![k]! -= lambda / d;
    }
    const step = solve(h, g);
    let t = 1;
    let next = w;
    let nextLoss = current;
    for (let half = 0; half < 30; half++, t /= 2) {
      const cand = Float64Array.from(w, (v, j) => v - t * step[j]!);
      const l = loss(cand);
      if (l < current) {
        next = cand;
        nextLoss = l;
        break;
      }
    }
    if (next === w || current - nextLoss < 1e-9 * Math.max(1, current)) {
      w.set(next);
      break;
    }
    w.set(next);
    current = nextLoss;
  }
  return w;
}

/**
 * The agreement gate's margin: the rule is spam when `agree` (header and body leans both
 * > 0) or total > M. M is ∞ (gate only), 0 (the plain sign) or a midpoint between two
 * totals of the rows the gate holds back; the one with the fewest errors on `rows`
 * (FP costing `fpCost`), the largest M on ties (fewer spam calls).
 */
export function fitGateMargin(rows: readonly { total: number; agree: boolean; spam: boolean }[], fpCost = 1): number {
  // Rows the margin decides: the gate holds them back and the plain sign would call them spam.
  const held = rows.filter((r) => !r.agree && r.total > 0).sort((a, b) => b.total - a.total);
  // M = ∞: every held row is called ham; lowering M past a row calls it spam.
  let cost = held.filter((r) => r.spam).length;
  let best = Infinity;
  let bestCost = cost;
  for (let j = 0; j < held.length; j++) {
    cost += held[j]!.spam ? -1 : fpCost;
    const next = held[j + 1]?.total ?? 0;
    if (next === held[j]!.total) continue;
    if (cost < bestCost) [best, bestCost] = [(held[j]!.total + next) / 2, cost];
  }
  return best;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function softplus(z: number): number {
  return z > 30 ? z : Math.log1p(Math.exp(z));
}

/** Solve H·x = g (H symmetric positive definite, small): Gaussian elimination with partial pivoting. */
function solve(h: Float64Array[], g: Float64Array): Float64Array {
  const n = g.length;
  const a = h.map((row, i) => [...row, g[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = c + 1; r < n; r++) {
      const m = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= m * a[c]![k]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * x[k]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}
