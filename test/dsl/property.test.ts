/**
 * Property tests (fast-check): the compiler never throws on any input, and every
 * diagnostic span lies inside the source.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/dsl/compile.js';

/** Sieve-ish fragments, so that generated scripts get deep into the checker, not just the lexer. */
const fragment = fc.constantFrom(
  'require', '"fileinto"', '["copy", "variables"]', 'if', 'elsif', 'else', 'header', 'address', ':is', ':contains',
  ':matches', ':comparator', '"i;octet"', 'fileinto', 'keep', 'discard', 'stop', 'redirect', '"a@example.com"',
  '{', '}', '(', ')', '[', ']', ',', ';', 'allof', 'anyof', 'not', 'true', 'false', 'size', ':over', '10K', 'text:\n.\n',
  'text:\nx\n', '"${hex:41}"', '"unterminated', '/*', '*/', '#', '\n', ' ', ':flags', 'set', '"${1}"', 'exists',
);

const scriptLike = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(' '));

function assertSpansInside(source: string): void {
  const r = compile(source);
  const lines = source.split('\n');
  for (const d of r.diagnostics) {
    expect(d.offset).toBeGreaterThanOrEqual(0);
    expect(d.offset).toBeLessThanOrEqual(Math.max(0, source.length - 1));
    expect(d.length).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines.length);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(typeof d.code).toBe('string');
  }
  if (!r.ok) expect(r.diagnostics.some((d) => d.severity === 'error')).toBe(true);
}

describe('compiler properties', () => {
  it('never throws on arbitrary text, and spans stay inside the source', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), assertSpansInside), { numRuns: 500 });
  });

  it('never throws on arbitrary unicode text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 120 }), assertSpansInside), { numRuns: 300 });
  });

  it('never throws on Sieve-like token soup', () => {
    fc.assert(fc.property(scriptLike, assertSpansInside), { numRuns: 1000 });
  });
});
