/**
 * vacation (RFC 5230): syntax, periods, handles and address checks, as Pigeonhole
 * 0.5.19's sieve-test reports them. :seconds is in vacation-seconds.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/extensions/index.js';
import { vacation } from '../../src/extensions/vacation.js';
import { dryRun, type DryRunOptions } from '../../src/runtime/dry-run.js';


const MESSAGE = new TextEncoder().encode('From: alice@example.org\r\nTo: me@example.com\r\nSubject: Hello\r\n\r\nBody.\r\n');
const run = (src: string, options: DryRunOptions = {}) =>
  dryRun(src, MESSAGE, { envelopeFrom: 'alice@example.org', envelopeTo: 'me@example.com', compile: { registry: defaultRegistry }, ...options });
const DAY = 86400;

/** The vacation action of a run that must succeed. */
function vacationOf(src: string, options?: DryRunOptions) {
  const r = run(src, options);
  expect(r.error).toBeUndefined();
  const v = r.actions.filter((a) => a.type === 'vacation');
  expect(v).toHaveLength(1);
  return v[0]!;
}

describe('compile errors', () => {
  it.each([
    ['vacation "r";', 'undeclared-capability', 1, 1],
    ['require "vacation"; vacation :days 1 :days 2 "r";', 'duplicate-tag', 1, 38],
    ['require "vacation"; vacation :days "3" "r";', 'missing-argument', 1, 36],
    ['require "vacation"; vacation;', 'missing-argument', 1, 21],
    ['require "vacation"; vacation ["a", "b"];', 'bad-argument', 1, 30],
    ['require "vacation";\nvacation :from "not an address" "r";', 'invalid-value', 2, 16],
    ['require "vacation"; vacation :from "" "r";', 'invalid-value', 1, 36],
    ['require "vacation"; vacation :from "a@example..com" "r";', 'invalid-value', 1, 36],
    ['require "vacation"; vacation :from "a@example.com, b@example.com" "r";', 'invalid-value', 1, 36],
    ['require "vacation"; vacation :addresses "a@example.com" :addresses "b@example.com" "r";', 'duplicate-tag', 1, 57],
  ])('%s → %s', (src, code, line, column) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line, column });
  });

  it.each([
    // Pigeonhole accepts all of these :from values.
    'Name <x@example.com>', '<a@example.com>', 'a..b@example.com', '.a@example.com', 'a@b', '"a b"@example.com', 'a@-example.com', 'a@[1.2.3.4]',
  ])(':from "%s" is accepted', (from) => {
    expect(vacationOf(`require "vacation"; vacation :from ${JSON.stringify(from)} "r";`).from).toBe(from);
  });
});

describe('period (sieve-test "=> seconds")', () => {
  it.each([
    ['require "vacation"; vacation "r";', 7 * DAY, undefined],
    ['require "vacation"; vacation :days 0 "r";', DAY, 0],
    ['require "vacation"; vacation :days 1 "r";', DAY, 1],
    ['require "vacation"; vacation :days 60 "r";', 60 * DAY, 60],
    ['require "vacation"; vacation :days 100 "r";', 100 * DAY, 100],
    ['require "vacation"; vacation :days 100000 "r";', 100000 * DAY, 100000],
  ])('%s → %d s', (src, seconds, days) => {
    const v = vacationOf(src);
    expect(v.seconds).toBe(seconds);
    expect(v.days).toBe(days);
  });

  it('host settings move the default, minimum and maximum', () => {
    const settings = { vacation: { defaultPeriod: 3 * DAY, minPeriod: 0, maxPeriod: 30 * DAY } };
    expect(vacationOf('require "vacation"; vacation "r";', { settings }).seconds).toBe(3 * DAY);
    expect(vacationOf('require "vacation"; vacation :days 0 "r";', { settings }).seconds).toBe(0);
    expect(vacationOf('require "vacation"; vacation :days 100 "r";', { settings }).seconds).toBe(30 * DAY);
  });
});

describe('the action', () => {
  it('carries every argument', () => {
    const r = run('require "vacation"; vacation :days 3 :subject "Away" :from "me@example.com" :addresses ["me@example.com", "Me <me2@example.com>"] :mime :handle "h1" "I am away";');
    expect(r.actions).toEqual([
      {
        type: 'vacation', reason: 'I am away', subject: 'Away', from: 'me@example.com', addresses: ['me@example.com', 'me2@example.com'],
        mime: true, handle: 'h1', days: 3, seconds: 3 * DAY,
      },
      { type: 'keep', implicit: true, flags: [] },
    ]);
  });

  it.each([
    // Pigeonhole's default handle: reason, subject, from and mime as written.
    ['require "vacation"; vacation "r";', 'r<default-subject><default-from><NO-MIME>'],
    ['require "vacation"; vacation :subject "S" "r";', 'rS<default-from><NO-MIME>'],
    ['require "vacation"; vacation :from "x@example.com" :mime "r";', 'r<default-subject>x@example.com<MIME>'],
    ['require "vacation"; vacation "";', '<default-subject><default-from><NO-MIME>'],
    ['require "vacation"; vacation :handle "" "r";', ''],
    ['require ["vacation", "variables"]; set "x" "foo"; vacation :subject "${x}s" "${x}";', '${x}${x}s<default-from><NO-MIME>'],
    ['require ["vacation", "variables"]; set "x" "foo"; vacation :handle "h-${x}" "r";', 'h-foo'],
  ])('%s → handle %j', (src, handle) => {
    expect(vacationOf(src).handle).toBe(handle);
  });

  it('expands variables in reason, subject and from', () => {
    const v = vacationOf('require ["vacation", "variables"]; set "who" "me@example.com"; set "x" "foo"; vacation :subject "Re: ${x}" :from "${who}" "Away (${x})";');
    expect(v).toMatchObject({ reason: 'Away (foo)', subject: 'Re: foo', from: 'me@example.com' });
  });

  it('an invalid :from from a variable is dropped, not an error (Pigeonhole falls back to the default sender)', () => {
    const v = vacationOf('require ["vacation", "variables"]; set "x" "bad"; vacation :from "${x}" "r";');
    expect(v.from).toBeUndefined();
  });

  it('invalid :addresses entries are ignored, constant or not', () => {
    expect(vacationOf('require "vacation"; vacation :addresses ["bad address", "ok@example.com"] "r";').addresses).toEqual(['ok@example.com']);
    expect(vacationOf('require ["vacation", "variables"]; set "x" "bad"; vacation :addresses "${x}" "r";').addresses).toEqual([]);
  });

  it('does not cancel the implicit keep and combines with discard', () => {
    expect(run('require "vacation"; vacation "r"; discard;').actions.map((a) => a.type)).toEqual(['vacation', 'discard']);
  });

  it('runs only where the script reaches it', () => {
    expect(run('require "vacation"; if false { vacation "r"; }').actions).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
  });

  it('a second vacation is a runtime error (Pigeonhole: "duplicate vacation action not allowed")', () => {
    const r = run('require "vacation"; vacation "r";\nvacation "s";');
    expect(r.error).toMatchObject({ phase: 'runtime', code: 'action-conflict', line: 2 });
    expect(r.actions).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
  });
});
