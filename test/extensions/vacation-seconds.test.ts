/** vacation-seconds (RFC 6131): `:seconds`, measured against Pigeonhole 0.5.19's sieve-test. */
import { describe, expect, it } from 'vitest';
import { core } from '../../src/extensions/core.js';
import { Registry } from '../../src/extensions/registry.js';
import { vacationSeconds } from '../../src/extensions/vacation-seconds.js';
import { vacation } from '../../src/extensions/vacation.js';
import type { VacationAction } from '../../src/runtime/actions.js';
import { dryRun, type DryRunOptions } from '../../src/runtime/dry-run.js';

const registry = new Registry().register(core).register(vacation).register(vacationSeconds);
const MESSAGE = new TextEncoder().encode('From: alice@example.org\r\nSubject: Hello\r\n\r\nBody.\r\n');
const run = (src: string, options: DryRunOptions = {}) =>
  dryRun(src, MESSAGE, { envelopeFrom: 'alice@example.org', envelopeTo: 'me@example.com', compile: { registry }, ...options });
const DAY = 86400;
const vacationOf = (src: string, options?: DryRunOptions) => run(src, options).actions.find((a): a is VacationAction => a.type === 'vacation');

describe('compile', () => {
  it.each([
    ['require "vacation"; vacation :seconds 10 "r";', 'undeclared-capability', 30],
    ['require "vacation-seconds"; vacation :days 3 :seconds 10 "r";', 'conflicting-tags', 46],
    ['require "vacation-seconds"; vacation :seconds 10 :days 3 "r";', 'conflicting-tags', 50],
    ['require "vacation-seconds"; vacation :seconds "10" "r";', 'missing-argument', 47],
    ['require "vacation-seconds"; vacation :seconds 1 :seconds 2 "r";', 'duplicate-tag', 49],
  ])('%s → %s', (src, code, column) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line: 1, column });
  });

  it('vacation-seconds alone enables vacation', () => {
    expect(run('require "vacation-seconds"; vacation "r";').error).toBeUndefined();
  });
});

describe('period (sieve-test "=> seconds")', () => {
  it.each([
    ['vacation :seconds 0 "r";', DAY],
    ['vacation :seconds 10 "r";', DAY],
    ['vacation :seconds 86400 "r";', DAY],
    ['vacation :seconds 90000 "r";', 90000],
    ['vacation :seconds 100000000 "r";', 100000000],
    ['vacation :days 2 "r";', 2 * DAY],
    ['vacation "r";', 7 * DAY],
  ])('%s → %d', (src, seconds) => {
    const v = vacationOf('require "vacation-seconds"; ' + src)!;
    expect(v.seconds).toBe(seconds);
  });

  it(':seconds reports no days', () => {
    expect(vacationOf('require "vacation-seconds"; vacation :seconds 90000 "r";')).not.toHaveProperty('days');
  });

  it('a host may allow :seconds 0 (RFC 6131: reply to every message) and cap the period', () => {
    const settings = { vacation: { minPeriod: 0, maxPeriod: 3600 } };
    expect(vacationOf('require "vacation-seconds"; vacation :seconds 0 "r";', { settings })!.seconds).toBe(0);
    expect(vacationOf('require "vacation-seconds"; vacation :seconds 7200 "r";', { settings })!.seconds).toBe(3600);
  });
});
