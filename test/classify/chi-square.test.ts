/** Chi-square survival function and Fisher's combination against known values. */
import { describe, expect, it } from 'vitest';
import { chi2Q, fisherCombine, logChi2Q } from '../../src/classify/chi-square.js';
import { tokenProbability } from '../../src/classify/robinson-fisher.js';

describe('chi2Q', () => {
  it.each([
    // [x2, degrees of freedom, P(X >= x2)]: closed forms and table critical values
    [2, 2, Math.exp(-1)],
    [4, 4, 3 * Math.exp(-2)],
    [0, 10, 1],
    [18.307, 10, 0.05], // chi-square table, 10 d.f., upper 5 %
    [31.41, 20, 0.05],
    [37.566, 20, 0.01],
    [124.342, 100, 0.05],
    [9.342, 10, 0.5], // median of chi-square(10)
  ])('chi2Q(%d, %d) = %d', (x2, v, q) => {
    expect(chi2Q(x2, v)).toBeCloseTo(q, 4);
  });

  it('keeps tiny tails comparable instead of underflowing to 0', () => {
    expect(chi2Q(3000, 300)).toBe(0);
    expect(logChi2Q(3000, 300)).toBeLessThan(logChi2Q(2900, 300));
    expect(Number.isFinite(logChi2Q(3000, 300))).toBe(true);
  });

  it('refuses odd degrees of freedom', () => {
    expect(() => chi2Q(1, 3)).toThrow(RangeError);
  });
});

describe('fisherCombine', () => {
  it('is 0.5 without evidence and for balanced evidence', () => {
    expect(fisherCombine([]).score).toBe(0.5);
    expect(fisherCombine([0.5, 0.5, 0.5]).score).toBeCloseTo(0.5, 12);
    expect(fisherCombine([0.99, 0.01]).score).toBeCloseTo(0.5, 12);
  });

  it('is symmetric: f ↦ 1 - f gives 1 - score', () => {
    const f = [0.9, 0.8, 0.3, 0.99, 0.6];
    expect(fisherCombine(f.map((x) => 1 - x)).score).toBeCloseTo(1 - fisherCombine(f).score, 12);
  });

  it('matches a hand computation (SpamBayes chi2_spamprob)', () => {
    // f = [0.9, 0.8]: S = 1 - Q(-2 ln(0.1·0.2), 4), H = 1 - Q(-2 ln(0.9·0.8), 4)
    const q = (x: number): number => Math.exp(-x / 2) * (1 + x / 2);
    const S = 1 - q(-2 * Math.log(0.1 * 0.2));
    const H = 1 - q(-2 * Math.log(0.9 * 0.8));
    expect(fisherCombine([0.9, 0.8]).score).toBeCloseTo((1 + S - H) / 2, 12);
  });

  it('leans to the stronger side when both are overwhelming', () => {
    const r = fisherCombine([...Array(100).fill(0.999), ...Array(90).fill(0.001)]);
    expect(r.lean).toBeGreaterThan(0);
  });
});

describe('tokenProbability (Robinson f(w))', () => {
  it.each([
    // [spam count, ham count, spam msgs, ham msgs, s, x, f]
    [0, 0, 10, 10, 0.45, 0.5, 0.5], // never seen: x
    [10, 0, 10, 10, 0.45, 0.5, (0.45 * 0.5 + 10 * 1) / 10.45],
    [1, 1, 10, 20, 0.45, 0.5, (0.45 * 0.5 + 2 * (0.1 / (0.1 + 0.05))) / 2.45], // frequencies, not counts
  ])('f(%d, %d | %d, %d)', (ca, cb, na, nb, s, x, f) => {
    expect(tokenProbability(ca, cb, na, nb, s, x)).toBeCloseTo(f, 12);
  });
});
