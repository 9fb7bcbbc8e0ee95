/**
 * relational (RFC 5231): :count and :value. Expected results measured with
 * Pigeonhole 0.5.19's sieve-test.
 */
import { describe, expect, it } from 'vitest';
import { count, satisfies, value } from '../../src/extensions/relational.js';
import { asciiCasemap } from '../../src/runtime/comparators.js';
import { dryRun } from '../../src/runtime/dry-run.js';
import { DEFAULT_LIMITS } from '../../src/runtime/limits.js';
import { fileintoMailboxes } from './helpers.js';

const MESSAGE = new TextEncoder().encode(
  [
    'Received: from a',
    'Received: from b',
    'From: Alice <alice@example.org>',
    'To: bob@example.com, carol+x@example.com',
    'Cc: dave+a+b@example.com, eve+@example.com',
    'Subject: Meeting tomorrow about the 2024 budget',
    'X-Priority: 3',
    'X-Spam-Score: 7.5 (high)',
    '',
    'body',
    '',
  ].join('\r\n'),
);
const R = 'require ["relational", "comparator-i;ascii-numeric", "fileinto", "envelope", "variables"];\n';

function run(src: string) {
  return dryRun(R + src, MESSAGE, { envelopeFrom: 'a@example.org', envelopeTo: 'me@example.com' });
}

function mailboxes(src: string): string[] {
  return fileintoMailboxes(run(src));
}

describe('compile errors', () => {
  it.each([
    ['if header :value "approx" "subject" "x" { stop; }', 'invalid-value', 2],
    ['if header :count "eq" :contains "subject" "x" { stop; }', 'conflicting-tags', 2],
    ['if header :count "received" "2" { stop; }', 'missing-argument', 2],
    ['set "r" "eq";\nif header :count "${r}" "received" "2" { stop; }', 'not-constant', 3],
  ])('%s → %s', (src, code, line) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line });
  });

  it('needs require "relational"', () => {
    expect(dryRun('if header :count "eq" "received" "2" { discard; }', MESSAGE).error).toMatchObject({ code: 'undeclared-capability', line: 1 });
  });

  it('operators are case-insensitive', () => {
    expect(mailboxes('if header :count "GE" :comparator "i;ascii-numeric" "received" "2" { fileinto "ok"; }')).toEqual(['ok']);
  });
});

describe(':count', () => {
  it.each([
    ['header fields', 'if header :count "ge" :comparator "i;ascii-numeric" "received" "2" { fileinto "A"; }\nif header :count "gt" :comparator "i;ascii-numeric" "received" "2" { fileinto "B"; }', ['A']],
    ['default comparator compares the count as a string: "2" > "10"', 'if header :count "gt" "received" "10" { fileinto "A"; }', ['A']],
    ['over several header names', 'if header :count "eq" :comparator "i;ascii-numeric" ["received", "to", "from"] "4" { fileinto "A"; }', ['A']],
    ['header counts fields, not addresses', 'if header :count "eq" :comparator "i;ascii-numeric" ["to", "cc"] "2" { fileinto "A"; }', ['A']],
    ['address counts addresses', 'if address :count "eq" :comparator "i;ascii-numeric" ["to", "cc"] "4" { fileinto "A"; }', ['A']],
    ['address part does not change the count', 'if address :count "eq" :comparator "i;ascii-numeric" :domain "to" "2" { fileinto "A"; }', ['A']],
    ['any key', 'if address :count "eq" :comparator "i;ascii-numeric" :all ["to", "cc"] ["1", "4"] { fileinto "A"; }', ['A']],
    ['missing header counts 0', 'if header :count "eq" :comparator "i;ascii-numeric" "x-nothing" "0" { fileinto "A"; }', ['A']],
    ['ne', 'if header :count "ne" :comparator "i;ascii-numeric" "received" "2" { fileinto "A"; } if header :count "ne" :comparator "i;ascii-numeric" "received" "3" { fileinto "B"; }', ['B']],
    ['non-numeric key is infinity', 'if header :count "eq" :comparator "i;ascii-numeric" "received" "abc" { fileinto "A"; }\nif header :count "lt" :comparator "i;ascii-numeric" "received" "abc" { fileinto "B"; }', ['B']],
    ['i;octet', 'if header :count "eq" :comparator "i;octet" "received" "2" { fileinto "A"; }', ['A']],
    ['envelope', 'if envelope :count "eq" :comparator "i;ascii-numeric" "to" "1" { fileinto "A"; }', ['A']],
    ['does not set match variables', 'if header :matches "subject" "Meeting *" { set "x" "1"; }\nif header :count "eq" :comparator "i;ascii-numeric" "received" "2" { fileinto "${1}"; }', ['tomorrow about the 2024 budget']],
  ])('%s', (_name, src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });
});

describe(':value', () => {
  it.each([
    ['numeric lt/ge', 'if header :value "lt" :comparator "i;ascii-numeric" "x-priority" "5" { fileinto "Lt5"; }\nif header :value "ge" :comparator "i;ascii-numeric" "x-priority" "4" { fileinto "Ge4"; }', ['Lt5']],
    ['numeric prefix', 'if header :value "eq" :comparator "i;ascii-numeric" "x-spam-score" "7" { fileinto "Seven"; }', ['Seven']],
    ['leading zeros', 'if header :value "eq" :comparator "i;ascii-numeric" "x-priority" "0003" { fileinto "Eq"; }', ['Eq']],
    ['non-digit value is infinity', 'if header :value "gt" :comparator "i;ascii-numeric" "subject" "99999" { fileinto "Inf"; }\nif header :value "eq" :comparator "i;ascii-numeric" "subject" "x" { fileinto "BothInf"; }', ['Inf', 'BothInf']],
    ['ne is true if any pair differs', 'if header :value "ne" :comparator "i;ascii-numeric" "x-priority" ["3", "4"] { fileinto "NeAny"; }\nif header :value "ne" :comparator "i;ascii-numeric" "x-priority" "3" { fileinto "Ne3"; }', ['NeAny']],
    ['i;ascii-casemap ordering', 'if header :value "gt" "subject" "ALPHA" { fileinto "AfterAlpha"; }\nif header :value "lt" "subject" "zulu" { fileinto "BeforeZulu"; }', ['AfterAlpha', 'BeforeZulu']],
    ['i;octet ordering: "M" < "a"', 'if header :value "lt" :comparator "i;octet" "subject" "a" { fileinto "Lt"; }', ['Lt']],
    ['no values: false even for ne', 'if header :value "ne" "x-nothing" "x" { fileinto "A"; }', []],
  ])('%s', (_name, src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });
});

describe('operators', () => {
  it.each([
    ['gt', [false, false, true]],
    ['ge', [false, true, true]],
    ['lt', [true, false, false]],
    ['le', [true, true, false]],
    ['eq', [false, true, false]],
    ['ne', [true, false, true]],
  ] as const)('%s', (relation, expected) => {
    expect([-1, 0, 1].map((o) => satisfies(relation, o))).toEqual(expected);
  });

  it('match types directly', () => {
    const cx = { comparator: asciiCasemap, limits: DEFAULT_LIMITS, relation: 'eq' };
    expect(count.match(['a', 'b'], ['2'], cx)).toBe(true);
    expect(count.match([], ['0'], cx)).toBe(true);
    expect(value.match(['A'], ['a'], cx)).toBe(true);
    expect(value.match(['A'], ['b'], { ...cx, relation: 'lt' })).toBe(true);
  });
});
