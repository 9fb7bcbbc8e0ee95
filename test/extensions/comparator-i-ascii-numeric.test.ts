/**
 * comparator-i;ascii-numeric (RFC 4790 §9.1). Expected results measured with
 * Pigeonhole 0.5.19's sieve-test.
 */
import { describe, expect, it } from 'vitest';
import { asciiNumeric, compareNumeric } from '../../src/extensions/comparator-i-ascii-numeric.js';
import { dryRun } from '../../src/runtime/dry-run.js';
import { fileintoMailboxes } from './helpers.js';

const MESSAGE = new TextEncoder().encode('From: a@example.org\r\nX-Priority: 3\r\nX-Empty:\r\nSubject: s\r\n\r\nbody\r\n');
const R = 'require ["comparator-i;ascii-numeric", "relational", "fileinto", "variables"];\n';
const run = (src: string) => dryRun(R + src, MESSAGE);

function mailboxes(src: string): string[] {
  return fileintoMailboxes(run(src));
}

describe('ordering', () => {
  it.each([
    ['7', '007', 0],
    ['007x', '7', 0],
    ['0', '000', 0],
    ['5.9', '5', 0],
    ['10', '9', 1],
    ['99999999999999999999', '99999999999999999998', 1], // no overflow
    ['abc', 'def', 0], // both +infinity
    ['', 'x', 0],
    ['5', '', -1],
    [' 5', '4', 1], // a leading space is not a digit: +infinity
    ['-5', 'x', 0],
    ['+5', '5', 1],
    ['١٢', '1', 1], // only ASCII digits count
  ] as const)('%s vs %s → %i', (a, b, sign) => {
    expect(Math.sign(compareNumeric(a, b))).toBe(sign);
    expect(Math.sign(compareNumeric(b, a))).toBe(sign === 0 ? 0 : -sign);
    expect(asciiNumeric.equals(a, b)).toBe(sign === 0);
  });
});

describe('in scripts', () => {
  const N = ':comparator "i;ascii-numeric"';
  it.each([
    [`string :is ${N} "007x" "7"`, true],
    [`string :is ${N} "abc" "def"`, true],
    [`string :is ${N} "x" ""`, true],
    // Pigeonhole's :is: an empty value only equals an empty key.
    [`string :is ${N} "" "x"`, false],
    [`string :is ${N} "" ""`, true],
    [`header :is ${N} "x-priority" "03"`, true],
    [`header :is ${N} "x-empty" "abc"`, false],
    [`string :value "eq" ${N} "" "x"`, true],
    [`string :value "gt" ${N} "" "5"`, true],
    [`string :value "gt" ${N} "99999999999999999999" "99999999999999999998"`, true],
    [`string :value "eq" ${N} "99999999999999999999" "99999999999999999998"`, false],
  ])('%s → %s', (test, expected) => {
    expect(mailboxes(`if ${test} { fileinto "yes"; }`)).toEqual(expected ? ['yes'] : []);
  });

  it.each([
    ['if header :contains :comparator "i;ascii-numeric" "x-priority" "3" { stop; }', 'unsupported-match'],
    ['if header :matches :comparator "i;ascii-numeric" "x-priority" "3" { stop; }', 'unsupported-match'],
  ])('no substring matching: %s', (src, code) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line: 2 });
  });

  it('needs its require', () => {
    const out = dryRun('require "relational";\nif header :count "eq" :comparator "i;ascii-numeric" "received" "2" { discard; }', MESSAGE);
    expect(out.error).toMatchObject({ phase: 'compile', code: 'undeclared-capability', line: 2 });
  });
});

describe('compareNumeric = the numbers of the leading digits (property)', () => {
  /** Reference: the leading ASCII digits as a BigInt, or null (+infinity) when there are none. */
  const value = (s: string): bigint | null => {
    const m = /^[0-9]+/.exec(s);
    return m === null ? null : BigInt(m[0]);
  };
  const reference = (a: string, b: string): number => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  it('orders as the reference for digit-heavy strings', async () => {
    const fc = (await import('fast-check')).default;
    const numeric = fc.array(fc.constantFrom('0', '0', '1', '7', '9', 'x', ' ', '-', '\u0660'), { maxLength: 30 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(numeric, fc.string()), fc.oneof(numeric, fc.string()), (a, b) => {
        expect(Math.sign(compareNumeric(a, b))).toBe(reference(a, b));
      }),
      { numRuns: 3000 },
    );
  });
});
