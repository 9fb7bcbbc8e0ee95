/**
 * ereject (RFC 5429 §2.1). Pigeonhole 0.5.19 does not implement it ("unknown Sieve
 * capability"), so this follows the RFC: same syntax and conflicts as reject.
 */
import { describe, expect, it } from 'vitest';
import { core } from '../../src/extensions/core.js';
import { ereject } from '../../src/extensions/ereject.js';
import { fileinto } from '../../src/extensions/fileinto.js';
import { reject } from '../../src/extensions/reject.js';
import { Registry } from '../../src/extensions/registry.js';
import { vacation } from '../../src/extensions/vacation.js';
import { dryRun } from '../../src/runtime/dry-run.js';

const registry = new Registry().register(core).register(fileinto).register(vacation).register(reject).register(ereject);
const MESSAGE = new TextEncoder().encode('From: alice@example.org\r\nSubject: Hello\r\n\r\nBody.\r\n');
const run = (src: string) => dryRun(src, MESSAGE, { envelopeFrom: 'alice@example.org', envelopeTo: 'me@example.com', compile: { registry } });

describe('compile', () => {
  it.each([
    ['require "ereject"; ereject "no";'],
    ['require ["reject", "ereject"]; if true { reject "a"; } else { ereject "b"; }'],
  ])('%s', (src) => {
    expect(run(src).error).toBeUndefined();
  });

  it.each([
    ['ereject "no";', 'undeclared-capability', 1, 1],
    ['require "reject"; ereject "no";', 'undeclared-capability', 1, 19],
    ['require "ereject"; ereject;', 'missing-argument', 1, 20],
    ['require "ereject"; ereject ["a"];', 'bad-argument', 1, 28],
  ])('%s → %s', (src, code, line, column) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line, column });
  });
});

describe('actions', () => {
  it('ereject cancels the implicit keep', () => {
    expect(run('require "ereject"; ereject "later";').actions).toEqual([{ type: 'ereject', reason: 'later' }]);
  });

  it('combines with discard', () => {
    expect(run('require "ereject"; ereject "x"; discard;').actions).toEqual([{ type: 'ereject', reason: 'x' }, { type: 'discard' }]);
  });

  it.each([
    ['reject + ereject', 'require ["reject", "ereject"]; reject "a"; ereject "b";'],
    ['ereject + ereject', 'require "ereject"; ereject "a"; ereject "b";'],
    ['keep + ereject', 'require "ereject"; keep; ereject "b";'],
    ['ereject + fileinto', 'require ["ereject", "fileinto"]; ereject "b"; fileinto "X";'],
    ['ereject + redirect', 'require "ereject"; ereject "b"; redirect "x@example.com";'],
    ['vacation + ereject', 'require ["ereject", "vacation"]; vacation "v"; ereject "b";'],
  ])('%s → runtime error', (_name, src) => {
    const r = run(src);
    expect(r.error).toMatchObject({ phase: 'runtime', code: 'action-conflict' });
    expect(r.actions).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
  });
});
