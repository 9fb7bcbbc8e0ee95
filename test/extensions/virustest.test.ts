/**
 * virustest (RFC 5235 §3.3). The reference configuration (text header X-Virus-Scan,
 * "clean" = 1, "infected" = 5) was measured with Pigeonhole 0.5.19's sieve-test.
 */
import { describe, expect, it } from 'vitest';
import { core } from '../../src/extensions/core.js';
import { Registry } from '../../src/extensions/registry.js';
import { virustest } from '../../src/extensions/virustest.js';
import { dryRun } from '../../src/runtime/dry-run.js';

const registry = new Registry().register(core).register(virustest);
const message = (header?: string) =>
  new TextEncoder().encode(`From: a@example.org\r\nSubject: x\r\n${header === undefined ? '' : header + '\r\n'}\r\nbody\r\n`);
const run = (src: string, header?: string, settings?: Record<string, unknown>) =>
  dryRun(src, message(header), { envelopeFrom: 'a@example.org', envelopeTo: 'me@example.com', compile: { registry }, settings });
const holds = (value: string, header?: string, settings?: Record<string, unknown>) =>
  run(`require "virustest"; if virustest :is "${value}" { discard; }`, header, settings).actions[0]!.type === 'discard';

describe('compile', () => {
  it('compiles with a comparator and match type', () => {
    expect(run('require "virustest"; if virustest :comparator "i;octet" :contains "5" { keep; }').error).toBeUndefined();
  });

  it.each([
    ['if virustest "5" { keep; }', 'undeclared-capability', 4],
    ['require "virustest"; if virustest :percent "5" { keep; }', 'unknown-tag', 35],
    ['require "virustest"; if virustest ["1"] { keep; }', 'bad-argument', 35],
    ['require "virustest"; if virustest { keep; }', 'missing-argument', 25],
  ])('%s → %s', (src, code, column) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line: 1, column });
  });
});

describe('values (sieve-test)', () => {
  it.each([
    [undefined, '0'],
    ['X-Virus-Scan: clean', '1'],
    ['X-Virus-Scan: infected', '5'],
    ['X-Virus-Scan: Clean', '0'], // exact, case-sensitive
    ['X-Virus-Scan: unknown', '0'],
    ['X-Virus-Scan: clean ', '0'], // trailing blank kept
    ['X-Virus-Scan:   clean', '1'], // leading blanks dropped
    ['X-Virus-Scan: 3', '0'],
    ['X-Virus-Scan: infected\r\nX-Virus-Scan: clean', '5'], // first field
  ])('%j → %s', (header, value) => {
    expect(holds(value, header)).toBe(true);
  });
});

describe('settings', () => {
  it('more text levels', () => {
    const settings = { virustest: { textValues: { 1: 'clean', 3: 'cleaned', 5: 'infected' } } };
    expect(holds('3', 'X-Virus-Scan: cleaned', settings)).toBe(true);
  });

  it('a numeric status maps to trunc(ratio * 4 + 1.001)', () => {
    const settings = { virustest: { header: 'X-Virus-Score', type: 'score', maxValue: 100 } };
    expect(holds('1', 'X-Virus-Score: 0', settings)).toBe(true);
    expect(holds('3', 'X-Virus-Score: 50', settings)).toBe(true);
    expect(holds('4', 'X-Virus-Score: 99', settings)).toBe(true);
    expect(holds('5', 'X-Virus-Score: 100', settings)).toBe(true);
  });

  it('a scanner hook replaces the header', () => {
    expect(holds('5', 'X-Virus-Scan: clean', { virustest: { probability: () => 1 } })).toBe(true);
    expect(holds('1', undefined, { virustest: { probability: () => 0 } })).toBe(true);
  });

  it('spamtest settings do not leak into virustest', () => {
    expect(holds('1', 'X-Virus-Scan: clean', { spamtest: { header: 'X-Virus-Scan', type: 'score' } })).toBe(true);
  });
});
