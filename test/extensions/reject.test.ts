/**
 * reject (RFC 5429 §2.2): syntax, and the conflict rules of src/runtime/result.ts,
 * each checked against Pigeonhole 0.5.19's sieve-test.
 */
import { describe, expect, it } from 'vitest';
import { copy } from '../../src/extensions/copy.js';
import { fileinto } from '../../src/extensions/fileinto.js';
import { reject } from '../../src/extensions/reject.js';
import { defaultRegistry } from '../../src/extensions/index.js';
import { vacation } from '../../src/extensions/vacation.js';
import { dryRun } from '../../src/runtime/dry-run.js';


const MESSAGE = new TextEncoder().encode('From: alice@example.org\r\nTo: me@example.com\r\nSubject: Hello\r\n\r\nBody.\r\n');
const run = (src: string) => dryRun(src, MESSAGE, { envelopeFrom: 'alice@example.org', envelopeTo: 'me@example.com', compile: { registry: defaultRegistry } });

describe('compile', () => {
  it.each([
    ['require "reject"; reject "no";'],
    ['require "reject"; reject text:\nNot here.\n.\n;'],
  ])('%s', (src) => {
    expect(run(src).error).toBeUndefined();
  });

  it.each([
    ['reject "no";', 'undeclared-capability', 1, 1],
    ['require "reject"; reject;', 'missing-argument', 1, 19],
    ['require "reject"; reject ["a", "b"];', 'bad-argument', 1, 26],
    ['require "reject"; reject "a" "b";', 'too-many-arguments', 1, 30],
    ['require "reject";\nreject :copy "a";', 'unknown-tag', 2, 8],
  ])('%s → %s', (src, code, line, column) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line, column });
  });
});

describe('actions (each verified with sieve-test)', () => {
  it.each([
    ['reject cancels the implicit keep', 'require "reject"; reject "no";', [{ type: 'reject', reason: 'no' }]],
    ['empty reason', 'require "reject"; reject "";', [{ type: 'reject', reason: '' }]],
    ['multi-line reason keeps CRLF', 'require "reject"; reject text:\nline 1\nline 2\n.\n;', [{ type: 'reject', reason: 'line 1\r\nline 2\r\n' }]],
    ['reject + discard', 'require "reject"; reject "a"; discard;', [{ type: 'reject', reason: 'a' }, { type: 'discard' }]],
    ['discard + reject', 'require "reject"; discard; reject "a";', [{ type: 'discard' }, { type: 'reject', reason: 'a' }]],
    ['reject + notify', 'require ["reject", "enotify"]; reject "b"; notify "mailto:x@example.com";', [
      { type: 'reject', reason: 'b' },
      { type: 'notify', method: 'mailto:x@example.com', importance: 2, options: [] },
    ]],
  ])('%s', (_name, src, actions) => {
    const r = run(src);
    expect(r.status).toBe('ok');
    expect(r.actions).toEqual(actions);
  });

  // Pigeonhole: "reject/ereject action conflicts with other action" → runtime error, implicit keep.
  it.each([
    ['two rejects', 'require "reject"; reject "a"; reject "b";', 1],
    ['keep then reject', 'require "reject"; keep; reject "b";', 1],
    ['reject then keep', 'require "reject"; reject "b";\nkeep;', 2],
    ['fileinto :copy then reject', 'require ["reject", "fileinto", "copy"]; fileinto :copy "X"; reject "b";', 1],
    ['reject then fileinto "INBOX"', 'require ["reject", "fileinto"]; reject "b"; fileinto "INBOX";', 1],
    ['redirect :copy then reject', 'require ["reject", "copy"]; redirect :copy "x@example.com"; reject "b";', 1],
    ['reject then redirect', 'require "reject"; reject "b"; redirect "x@example.com";', 1],
    ['vacation then reject', 'require ["reject", "vacation"]; vacation "x"; reject "b";', 1],
    ['reject then vacation', 'require ["reject", "vacation"];\nreject "b";\nvacation "x";', 3],
  ])('%s → runtime error', (_name, src, line) => {
    const r = run(src);
    expect(r.status).toBe('error');
    expect(r.error).toMatchObject({ phase: 'runtime', code: 'action-conflict', line });
    expect(r.actions).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
  });

  it('a reject that never runs conflicts with nothing', () => {
    const r = run('require ["reject", "fileinto"]; if false { reject "no"; } fileinto "X";');
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'X', flags: [], copy: false, create: false }]);
  });
});
