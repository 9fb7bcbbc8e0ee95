/**
 * Properties of set's modifiers (RFC 5229 §4.1) over random strings:
 * - :quotewildcard makes any value a :matches pattern that matches exactly it;
 * - :length is the number of characters (code points).
 * The value travels through a variable set from a header, so no Sieve quoting
 * gets in the way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyModifier } from '../../src/extensions/variables.js';
import { octet, asciiCasemap } from '../../src/runtime/comparators.js';
import { dryRun } from '../../src/runtime/dry-run.js';
import { DEFAULT_LIMITS } from '../../src/runtime/limits.js';
import { matches } from '../../src/runtime/match.js';

/** One code point, biased towards wildcards and other characters that need care. */
const unit = fc.oneof(
  fc.constantFrom('*', '?', '\\', 'a', 'B', ' ', 'é', '😀', '$', '{', '}'),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

/** Text that survives a header field: no CR, LF or NUL, no surrounding blanks (header values are trimmed). */
const headerText = fc.string({ unit, maxLength: 40 }).map((s) => s.replace(/[\r\n\0]/g, '').trim());

function messageWith(value: string): Uint8Array {
  return new TextEncoder().encode(`From: a@example.org\r\nX-Value: ${value}\r\n\r\nbody\r\n`);
}

describe('set modifiers, properties', () => {
  it(':quotewildcard then :matches against the original is always true (both comparators)', () => {
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (value) => {
        const pattern = applyModifier('quotewildcard', value);
        for (const comparator of [octet, asciiCasemap]) {
          expect(matches.match([value], [pattern], { comparator, limits: DEFAULT_LIMITS })).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it(':quotewildcard leaves no wildcard: the pattern matches nothing but the original (i;octet)', () => {
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), fc.nat(), fc.constantFrom('x', '', 'xx'), (value, at, replacement) => {
        const wildcards = [...value.matchAll(/[*?]/g)];
        fc.pre(wildcards.length > 0);
        const i = wildcards[at % wildcards.length]!.index;
        const other = value.slice(0, i) + replacement + value.slice(i + 1);
        const pattern = applyModifier('quotewildcard', value);
        expect(matches.match([other], [pattern], { comparator: octet, limits: DEFAULT_LIMITS })).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it(':quotewildcard round trip through a script', () => {
    const script = [
      'require ["variables", "fileinto"];',
      'if header :matches "x-value" "*" { set :quotewildcard "q" "${1}"; set "v" "${1}"; }',
      'if string :matches "${v}" "${q}" { fileinto "same"; }',
      'if header :matches "x-value" "${q}" { fileinto "header"; }',
    ].join('\n');
    fc.assert(
      fc.property(headerText, (value) => {
        const out = dryRun(script, messageWith(value));
        expect(out.error).toBeUndefined();
        expect(out.actions.map((a) => (a.type === 'fileinto' ? a.mailbox : a.type))).toEqual(['same', 'header']);
      }),
      { numRuns: 200 },
    );
  });

  it(':length equals the code point count', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (value) => {
        expect(applyModifier('length', value)).toBe(String([...value].length));
      }),
    );
    const script = 'require ["variables", "fileinto"];\nif header :matches "x-value" "*" { set :length "n" "${1}"; }\nfileinto "${n}";';
    fc.assert(
      fc.property(headerText, (value) => {
        const out = dryRun(script, messageWith(value));
        expect(out.actions).toMatchObject([{ type: 'fileinto', mailbox: String([...value].length) }]);
      }),
      { numRuns: 200 },
    );
  });
});
