/**
 * duplicate (RFC 7352): the host query, the recorded ids, and Pigeonhole 0.5.19's
 * choices (default id, missing ids, the repeated-check runtime error), each run
 * through sieve-test first.
 */
import { describe, expect, it } from 'vitest';
import { duplicate } from '../../src/extensions/duplicate.js';
import { defaultRegistry } from '../../src/extensions/index.js';
import { dryRun, type DryRunOptions } from '../../src/runtime/dry-run.js';
import { evaluateSync } from '../../src/runtime/evaluate.js';
import { messageIdOf } from '../../src/runtime/message/message-id.js';
import { compile } from '../../src/dsl/compile.js';
import type { HostQuery } from '../../src/runtime/host.js';
import { parseMessage } from '../../src/runtime/message/parse.js';


const bytes = (s: string) => new TextEncoder().encode(s.replace(/\n/g, '\r\n'));
const WITH_ID = 'From: a@example.org\nSubject: Hi\nMessage-ID: <abc@example.org>\n\nbody\n';
const run = (src: string, message = WITH_ID, options: DryRunOptions = {}) =>
  dryRun(src, bytes(message), { envelopeFrom: 'a@example.org', envelopeTo: 'me@example.com', compile: { registry: defaultRegistry }, ...options });
const D = 'require "duplicate"; ';

/** Run with a recording host; returns the queries and the result. */
function queries(src: string, message = WITH_ID, answer: (q: HostQuery) => boolean = () => false) {
  const c = compile(src, { registry: defaultRegistry });
  if (!c.ok) throw new Error(JSON.stringify(c.diagnostics));
  const seen: HostQuery[] = [];
  const result = evaluateSync(c.plan, parseMessage(bytes(message)), {}, (q) => {
    seen.push(q);
    return answer(q);
  });
  return { seen, result };
}

describe('compile', () => {
  it.each([
    'if duplicate { discard; }',
    'if duplicate :handle "h" :seconds 100 :last { discard; }',
    'if duplicate :header "subject" { discard; }',
    'if duplicate :uniqueid "x" { discard; }',
    'if duplicate :header "bad name" { discard; }', // Pigeonhole: only a warning
  ])('%s', (src) => {
    expect(run(D + src).error).toBeUndefined();
  });

  it.each([
    ['if duplicate :header "subject" :uniqueid "x" { discard; }', 'conflicting-tags', 53],
    ['if duplicate :seconds "1" { discard; }', 'missing-argument', 44],
    ['if duplicate "x" { discard; }', 'too-many-arguments', 35],
    ['if duplicate :last :last { discard; }', 'duplicate-tag', 41],
  ])('%s → %s', (src, code, column) => {
    expect(run(D + src).error).toMatchObject({ phase: 'compile', code, line: 1, column });
  });

  it('needs require "duplicate"', () => {
    expect(run('if duplicate { discard; }').error).toMatchObject({ code: 'undeclared-capability' });
  });
});

describe('the query', () => {
  it.each([
    ['if duplicate { keep; }', { id: '<abc@example.org>', handle: '', seconds: 43200, last: false }],
    ['if duplicate :handle "h" :seconds 100 :last { keep; }', { id: '<abc@example.org>', handle: 'h', seconds: 100, last: true }],
    ['if duplicate :header "subject" { keep; }', { id: 'Hi', handle: '', seconds: 43200, last: false }],
    ['if duplicate :uniqueid "x" :seconds 0 { keep; }', { id: 'x', handle: '', seconds: 0, last: false }],
    ['if duplicate :seconds 999999 { keep; }', { id: '<abc@example.org>', handle: '', seconds: 172800, last: false }], // Pigeonhole's maximum: 2 days
  ])('%s', (src, q) => {
    expect(queries(D + src).seen).toEqual([{ kind: 'duplicate', ...q }]);
  });

  it('expands variables in :uniqueid, :handle and :header', () => {
    const { seen } = queries('require ["duplicate", "variables"]; set "h" "subject"; if duplicate :handle "by-${h}" :header "${h}" { keep; }');
    expect(seen).toMatchObject([{ id: 'Hi', handle: 'by-subject' }]);
  });

  it('settings change the default and the maximum period', () => {
    const settings = { duplicate: { defaultPeriod: 60, maxPeriod: 0 } };
    const c = compile(D + 'if duplicate { keep; } if duplicate :uniqueid "u" :seconds 999999 { keep; }', { registry: defaultRegistry });
    if (!c.ok) throw new Error('compile');
    const seen: HostQuery[] = [];
    evaluateSync(c.plan, parseMessage(bytes(WITH_ID)), { settings }, (q) => (seen.push(q), false));
    expect(seen.map((q) => (q.kind === 'duplicate' ? q.seconds : 0))).toEqual([60, 999999]);
  });

  it.each([
    ['From: a@example.org\n\nbody\n'],
    ['From: a@example.org\nMessage-ID: garbage\n\nbody\n'],
    ['From: a@example.org\nMessage-ID: <no-at-sign>\n\nbody\n'],
    ['From: a@example.org\nMessage-ID:\n\nbody\n'],
  ])('no usable Message-ID: false, no query, nothing recorded (%j)', (message) => {
    const { seen, result } = queries(D + 'if not duplicate { discard; }', message);
    expect(seen).toEqual([]);
    expect(result.actions).toEqual([{ type: 'discard' }]);
    expect(result.duplicates).toEqual([]);
  });

  it('a missing :header field makes the test false without a query', () => {
    expect(queries(D + 'if duplicate :header "x-none" { discard; }').seen).toEqual([]);
  });

  it.each([
    ['<abc@example.org>', '<abc@example.org>'],
    ['(comment) <a@b> junk', '<a@b>'],
    ['x <a@b> <c@d>', '<a@b>'],
    ['<a b@c>', '<ab@c>'],
    ['<garbage> <real@id>', '<real@id>'],
    ['garbage', undefined],
  ])('messageIdOf(%j) = %j', (value, id) => {
    expect(messageIdOf(value)).toBe(id);
  });
});

describe('results and recorded ids', () => {
  it('not seen: false, and the id is recorded for the host', () => {
    const r = run(D + 'if duplicate :handle "h" { discard; }');
    expect(r.actions).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
    expect(r.result?.duplicates).toEqual([{ id: '<abc@example.org>', handle: 'h', seconds: 43200 }]);
  });

  it('seen: true, and (without :last) not recorded again', () => {
    const r = run(D + 'if duplicate { discard; }', WITH_ID, { seenIds: ['<abc@example.org>'] });
    expect(r.actions).toEqual([{ type: 'discard' }]);
    expect(r.result?.duplicates).toEqual([]);
  });

  it('seen with :last: true, and recorded again (the period restarts)', () => {
    const r = run(D + 'if duplicate :last :uniqueid "u" { discard; }', WITH_ID, { seenIds: ['u'] });
    expect(r.actions).toEqual([{ type: 'discard' }]);
    expect(r.result?.duplicates).toEqual([{ id: 'u', handle: '', seconds: 43200 }]);
  });

  it('different handles, or :last, or an explicit empty handle make different checks', () => {
    for (const src of [
      'if duplicate :handle "a" { discard; } if duplicate :handle "b" { discard; }',
      'if duplicate :uniqueid "x" { discard; } if duplicate :uniqueid "y" { discard; }',
      'if duplicate :uniqueid "x" { discard; } if duplicate :uniqueid "x" :last { discard; }',
      'if duplicate :uniqueid "x" { discard; } if duplicate :uniqueid "x" :handle "" { discard; }',
    ]) {
      const r = run(D + src);
      expect(r.status).toBe('ok');
      expect(r.result?.duplicates).toHaveLength(2);
    }
  });

  it.each([
    ['if duplicate :uniqueid "x" { discard; }\nif duplicate :uniqueid "x" { discard; }'],
    ['if duplicate { discard; }\nif duplicate { discard; }'],
    ['if duplicate { discard; }\nif duplicate :uniqueid "<abc@example.org>" { discard; }'],
  ])('the same check twice is a runtime error, as in Pigeonhole 0.5.19: %s', (src) => {
    const r = run(D + src);
    expect(r.error).toMatchObject({ phase: 'runtime', code: 'duplicate-conflict', line: 2 });
    expect(r.actions).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
    expect(r.result?.duplicates).toEqual([]);
  });

  it('the same check twice through a variable is an error too', () => {
    expect(run('require ["duplicate", "variables"]; set "a" "x"; if duplicate :uniqueid "${a}" { discard; } if duplicate :uniqueid "x" { discard; }').error)
      .toMatchObject({ code: 'duplicate-conflict' });
  });

  it('two checks of a message without Message-ID are no conflict', () => {
    expect(run(D + 'if duplicate { discard; } if duplicate { discard; }', 'From: a@example.org\n\nbody\n').status).toBe('ok');
  });
});
