import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeiling, backoffDelay } from '../../src/connectors/imap/backoff.js';

describe('backoffCeiling', () => {
  it.each([
    [0, 1000],
    [1, 2000],
    [2, 4000],
    [8, 256_000],
    [9, 300_000],
    [1000, 300_000],
  ])('attempt %i → %i ms with the defaults', (attempt, ceiling) => {
    expect(backoffCeiling(attempt)).toBe(ceiling);
  });

  it('honours base, factor and max', () => {
    expect(backoffCeiling(3, { baseMs: 100, factor: 3, maxMs: 10_000 })).toBe(2700);
    expect(backoffCeiling(5, { baseMs: 100, factor: 3, maxMs: 10_000 })).toBe(10_000);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects attempt %s', (attempt) => {
    expect(() => backoffCeiling(attempt)).toThrow(RangeError);
  });
});

describe('backoffDelay (full jitter)', () => {
  it.each([
    [0, 0.5, 500],
    [2, 0.25, 1000],
    [2, 0.999, 3996],
    [20, 0.5, 150_000],
  ])('attempt %i with random %f → %i ms', (attempt, r, delay) => {
    expect(backoffDelay(attempt, { random: () => r })).toBe(delay);
  });

  it('never goes below the floor, nor above the ceiling', () => {
    expect(backoffDelay(0, { random: () => 0 })).toBe(50);
    expect(backoffDelay(0, { random: () => 0, minMs: 0 })).toBe(0);
    expect(backoffDelay(0, { random: () => 0, baseMs: 10 })).toBe(10);
  });

  it('treats a broken random source as 0', () => {
    expect(backoffDelay(3, { random: () => 1.5 })).toBe(50);
    expect(backoffDelay(3, { random: () => Number.NaN })).toBe(50);
  });

  it('stays within [min(minMs, ceiling), ceiling) for any input', () => {
    fc.assert(
      fc.property(fc.nat(60), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 10_000 }), (attempt, r, base) => {
        const options = { random: () => r, baseMs: base, maxMs: 60_000 };
        const ceiling = backoffCeiling(attempt, options);
        const d = backoffDelay(attempt, options);
        expect(d).toBeGreaterThanOrEqual(Math.min(50, ceiling));
        expect(d).toBeLessThanOrEqual(ceiling);
      }),
    );
  });
});

describe('Backoff', () => {
  it('grows per attempt and starts over after reset()', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.5 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([50, 100, 200, 400, 500]);
    expect(b.attempt).toBe(5);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(50);
  });
});
