/**
 * spamtest / spamtestplus (RFC 5235). The score tables were measured with
 * Pigeonhole 0.5.19's sieve-test under the reference configuration
 * (sieve_spamtest_status_type = score, header X-Spam-Score, max 10).
 */
import { describe, expect, it } from 'vitest';
import { core } from '../../src/extensions/core.js';
import { Registry } from '../../src/extensions/registry.js';
import { parseDecimal, scoreString, spamtest, spamtestplus, type SpamtestSettings } from '../../src/extensions/spamtest.js';
import { dryRun } from '../../src/runtime/dry-run.js';
import type { Runtime } from '../../src/runtime/runtime.js';

const registry = new Registry().register(core).register(spamtest).register(spamtestplus);
const message = (header?: string) =>
  new TextEncoder().encode(`From: a@example.org\r\nTo: me@example.com\r\nSubject: x\r\n${header === undefined ? '' : header + '\r\n'}\r\nbody\r\n`);
const run = (src: string, header?: string, settings?: Record<string, unknown>) =>
  dryRun(src, message(header), { envelopeFrom: 'a@example.org', envelopeTo: 'me@example.com', compile: { registry }, settings });
/** Does `spamtest [:percent] :is value` hold? */
const holds = (value: string, header?: string, percent = false, settings?: Record<string, unknown>) =>
  run(`require "spamtestplus"; if spamtest ${percent ? ':percent ' : ''}:is "${value}" { discard; }`, header, settings).actions[0]!.type === 'discard';

describe('compile', () => {
  it.each([
    ['require "spamtest"; if spamtest "5" { keep; }'],
    ['require "spamtestplus"; if spamtest :percent "50" { keep; }'],
    ['require ["spamtest", "spamtestplus"]; if spamtest :percent :contains "5" { keep; }'],
  ])('%s', (src) => {
    expect(run(src).error).toBeUndefined();
  });

  it.each([
    ['if spamtest "5" { keep; }', 'undeclared-capability', 4],
    ['require "spamtest"; if spamtest :percent "100" { keep; }', 'undeclared-capability', 33],
    ['require "spamtest"; if spamtest ["10", "3"] { keep; }', 'bad-argument', 33],
    ['require "spamtest"; if spamtest { keep; }', 'missing-argument', 24],
    ['require "spamtest"; if spamtest :comparator "i;nope" "1" { keep; }', 'unknown-comparator', 45],
  ])('%s → %s', (src, code, column) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line: 1, column });
  });
});

describe('values (sieve-test)', () => {
  // [X-Spam-Score header or none, spamtest, spamtest :percent]
  it.each([
    [undefined, '0', '0'],
    ['X-Spam-Score: 0', '1', '0'],
    ['X-Spam-Score: 0.0', '1', '0'],
    ['X-Spam-Score: 0.1', '1', '1'],
    ['X-Spam-Score: 1', '1', '10'],
    ['X-Spam-Score: 1.5', '2', '15'],
    ['X-Spam-Score: 2.9', '3', '29'],
    ['X-Spam-Score: 4.4', '4', '44'],
    ['X-Spam-Score: 4.5', '5', '45'],
    ['X-Spam-Score: 4.6', '5', '46'],
    ['X-Spam-Score: 5.7', '6', '57'],
    ['X-Spam-Score: 9.9', '9', '99'],
    ['X-Spam-Score: 10', '10', '100'],
    ['X-Spam-Score: 11', '10', '100'],
    ['X-Spam-Score: 100', '10', '100'],
    ['X-Spam-Score: 12345', '10', '100'],
    ['X-Spam-Score: 123456', '0', '0'],
    ['X-Spam-Score: 1.23456', '2', '12'],
    ['X-Spam-Score: 1.234567', '0', '0'],
    ['X-Spam-Score: 0.29', '1', '2'],
    ['X-Spam-Score: 0.07', '1', '0'],
    ['X-Spam-Score: -1', '1', '0'],
    ['X-Spam-Score: -0.5', '1', '0'],
    ['X-Spam-Score: +3', '3', '30'],
    ['X-Spam-Score: 3.', '3', '30'],
    ['X-Spam-Score: .5', '1', '5'],
    ['X-Spam-Score: 5,5', '5', '55'],
    ['X-Spam-Score:  7', '7', '70'],
    ['X-Spam-Score: 7 ', '0', '0'],
    ['X-Spam-Score: abc', '0', '0'],
    ['X-Spam-Score: 5abc', '0', '0'],
    ['X-Spam-Score: 1e1', '0', '0'],
    ['X-Spam-Score:', '0', '0'],
    ['X-Spam-Score: 3\r\nX-Spam-Score: 9', '3', '30'],
    ['X-Spam-Score: 3.35', '4', '33'],
    ['X-Spam-Score: 2.25', '3', '22'],
    ['X-Spam-Score: 1.15', '2', '11'],
    ['X-Spam-Score: 0.999', '1', '9'],
    ['X-Spam-Score: 1.005', '1', '10'],
    ['X-Spam-Score: 3.3333', '4', '33'],
  ])('%j → %s / %s%%', (header, value, percent) => {
    expect(holds(value, header)).toBe(true);
    expect(holds(percent, header, true)).toBe(true);
  });

  it('compares as strings by default: "10" is not ge "5" under i;ascii-casemap', () => {
    expect(holds('10', 'X-Spam-Score: 10')).toBe(true);
    expect(run('require "spamtest"; if spamtest :contains "1" { discard; }', 'X-Spam-Score: 10').actions).toEqual([{ type: 'discard' }]);
  });
});

describe('settings', () => {
  it('another header, a pattern and another maximum', () => {
    const settings = { spamtest: { header: 'X-Spam-Status', pattern: 'score=(-?[0-9.]+)', maxValue: 5 } satisfies SpamtestSettings };
    expect(holds('50', 'X-Spam-Status: Yes, score=2.5 required=5.0', true, settings)).toBe(true);
    expect(holds('0', 'X-Spam-Status: No', true, settings)).toBe(true);
  });

  it('the maximum from a header', () => {
    const settings = { spamtest: { maxHeader: 'X-Spam-Max' } };
    const r = dryRun('require "spamtestplus"; if spamtest :percent "25" { discard; }',
      new TextEncoder().encode('X-Spam-Score: 5\r\nX-Spam-Max: 20\r\n\r\nb\r\n'), { compile: { registry }, settings });
    expect(r.actions).toEqual([{ type: 'discard' }]);
  });

  it('strlen status ("*****")', () => {
    const settings = { spamtest: { header: 'X-Spam-Level', type: 'strlen' } };
    expect(holds('50', 'X-Spam-Level: *****', true, settings)).toBe(true);
    expect(holds('0', 'X-Spam-Level: **+', true, settings)).toBe(true);
  });

  it('text status', () => {
    const settings = { spamtest: { header: 'X-Spam', type: 'text', textValues: { 0: 'no', 10: 'yes' } } };
    expect(holds('1', 'X-Spam: no', false, settings)).toBe(true);
    expect(holds('10', 'X-Spam: yes', false, settings)).toBe(true);
    expect(holds('0', 'X-Spam: maybe', false, settings)).toBe(true);
  });

  it('a classifier hook replaces the header and is asked once per message', () => {
    let calls = 0;
    const probability = (_rt: Runtime) => (calls++, 0.73);
    const settings = { spamtest: { probability } };
    const r = run('require "spamtestplus"; if allof (spamtest :percent "73", spamtest "7") { discard; }', 'X-Spam-Score: 0', settings);
    expect(r.actions).toEqual([{ type: 'discard' }]);
    expect(calls).toBe(1);
  });

  it('a hook returning undefined falls back to the header', () => {
    expect(holds('40', 'X-Spam-Score: 4', true, { spamtest: { probability: () => undefined } })).toBe(true);
  });
});

describe('the mapping itself', () => {
  it.each([
    [-1, 10, false, '0'], [0, 10, false, '1'], [0, 10, true, '0'], [1, 10, false, '10'], [1, 10, true, '100'],
    [0.5, 10, false, '5'], [0.5, 5, false, '3'], [0.2, 5, false, '1'], [2, 10, true, '100'],
  ])('scoreString(%d, %d, %s) = %s', (ratio, top, percent, out) => {
    expect(scoreString(ratio, top, percent)).toBe(out);
  });

  it.each([['10', 10], ['-2.5', -2.5], ['1,5', 1.5], ['', undefined], [' 1', undefined], ['1 ', undefined], ['123456', undefined], ['+', 0]])('parseDecimal(%j)', (s, v) => {
    const got = parseDecimal(s);
    if (v === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(v, 5);
  });
});
