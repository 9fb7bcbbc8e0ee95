/** The checker: require, control structures, signatures, tags, comparators (tables of valid and invalid scripts). */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/dsl/compile.js';

const valid = [
  'keep;',
  'require "fileinto"; fileinto "Work";',
  'require ["fileinto", "envelope"]; if envelope :domain "from" "example.com" { fileinto "Ex"; }',
  'if header :comparator "i;octet" :is "subject" "X" { discard; } elsif true { stop; } else { keep; }',
  'if allof (exists "from", not size :under 10) { redirect "a@example.com"; }',
  'if address :all :matches ["from", "sender"] "*@example.com" { keep; }',
  'require "copy"; redirect :copy "Name <a@example.com>";',
  'require "encoded-character"; if header :is "subject" "${hex:48 69}" { keep; }',
  '',
  '# only a comment',
];

describe('valid scripts compile', () => {
  it.each(valid)('%s', (src) => {
    const r = compile(src);
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

const invalid: [string, string, number, number][] = [
  ['fileinto "A";', 'undeclared-capability', 1, 1],
  ['require "nosuch";', 'unknown-capability', 1, 9],
  ['keep; require "fileinto";', 'require-not-first', 1, 7],
  ['if true { require "fileinto"; }', 'require-not-first', 1, 11],
  ['frobnicate;', 'unknown-command', 1, 1],
  ['if frob { keep; }', 'unknown-test', 1, 4],
  ['if header :foo "a" "b" { keep; }', 'unknown-tag', 1, 11],
  ['if header :is :contains "a" "b" { keep; }', 'conflicting-tags', 1, 15],
  ['if header :is :is "a" "b" { keep; }', 'duplicate-tag', 1, 15],
  ['if header "a" { keep; }', 'missing-argument', 1, 4],
  ['keep "x";', 'too-many-arguments', 1, 6],
  ['redirect ["a@example.com"];', 'bad-argument', 1, 10],
  ['if size 10 { keep; }', 'missing-argument', 1, 4],
  ['if size :over "10" { keep; }', 'bad-argument', 1, 15],
  ['elsif true { keep; }', 'misplaced-command', 1, 1],
  ['if true keep;', 'missing-block', 1, 1],
  ['if true;', 'missing-block', 1, 1],
  ['keep { stop; }', 'unexpected-block', 1, 1],
  ['if not (true, false) { keep; }', 'unexpected-test', 1, 4],
  ['if allof { keep; }', 'missing-test', 1, 4],
  ['if header :comparator "i;nosuch" "a" "b" { keep; }', 'unknown-comparator', 1, 23],
  ['redirect "not an address";', 'invalid-value', 1, 10],
  ['if address "subject" "x" { keep; }', 'invalid-value', 1, 12],
  ['if header :is "subject" "a" :contains { keep; }', 'bad-argument', 1, 29],
  ['require "envelope"; if envelope "x-foo" "a" { keep; }', 'invalid-value', 1, 33],
  ['if header :matches :comparator "i;octet" :matches "a" "b" { keep; }', 'duplicate-tag', 1, 42],
];

describe('invalid scripts give a stable code at the right place', () => {
  it.each(invalid)('%s → %s at %d:%d', (src, code, line, column) => {
    const r = compile(src);
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ code, line, column, severity: 'error' });
  });
});

describe('one pass reports every error', () => {
  it('reports errors from several commands', () => {
    const r = compile('require "fileinto";\nfrob;\nif header :nosuch "a" "b" { fileinto ""; }\nredirect "x";\n');
    expect(r.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['unknown-command', 2],
      ['unknown-tag', 3],
      ['invalid-value', 3],
      ['invalid-value', 4],
    ]);
  });
});

describe('warnings', () => {
  it('an invalid header name is a warning, as in Pigeonhole: the script compiles', () => {
    const r = compile('if header "bad name" "x" { keep; }');
    expect(r.ok).toBe(true);
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'invalid-value', severity: 'warning', line: 1, column: 11 })]);
  });
});

describe('plan', () => {
  it('marks header-only scripts as not needing the body', () => {
    const r = compile('if header :contains "subject" "x" { discard; }');
    expect(r.ok && r.plan.needsBody).toBe(false);
  });

  it('records the required capabilities', () => {
    const r = compile('require ["fileinto", "copy"]; keep;');
    expect(r.ok && [...r.plan.capabilities].sort()).toEqual(['', 'copy', 'fileinto']);
  });
});
