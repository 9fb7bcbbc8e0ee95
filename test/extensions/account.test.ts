/** vnd.mailsift.account: `fileinto :account`. mailsift's own; Pigeonhole has no equivalent. */
import { describe, expect, it } from 'vitest';
import { account } from '../../src/extensions/account.js';
import { copy } from '../../src/extensions/copy.js';
import { core } from '../../src/extensions/core.js';
import { fileinto } from '../../src/extensions/fileinto.js';
import { Registry } from '../../src/extensions/registry.js';
import { dryRun } from '../../src/runtime/dry-run.js';

const registry = new Registry().register(core).register(fileinto).register(copy).register(account);
const MESSAGE = new TextEncoder().encode('From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n');
const run = (src: string) => dryRun(src, MESSAGE, { compile: { registry } });
const R = 'require ["fileinto", "vnd.mailsift.account"]; ';
const KEEP = { type: 'keep', implicit: true, flags: [] };

describe('compile', () => {
  it.each([
    ['require "fileinto"; fileinto :account "work" "X";', 'undeclared-capability', 30],
    [R + 'fileinto :account "X";', 'missing-argument', 47],
    [R + 'fileinto :account ["a", "b"] "X";', 'missing-argument', 65],
    [R + 'fileinto :account "a" :account "b" "X";', 'duplicate-tag', 69],
    [R + 'keep :account "work";', 'unknown-tag', 52],
    [R + 'redirect :account "work" "a@example.com";', 'unknown-tag', 56],
  ])('%s → %s', (src, code, column) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line: 1, column });
  });
});

describe('actions', () => {
  it('sets the account on the fileinto action', () => {
    expect(run(R + 'fileinto :account "work" "Archive";').actions).toEqual([
      { type: 'fileinto', mailbox: 'Archive', flags: [], copy: false, create: false, account: 'work' },
    ]);
  });

  it('an empty account name means the message\'s own account', () => {
    expect(run(R + 'fileinto :account "" "Archive";').actions).toEqual([
      { type: 'fileinto', mailbox: 'Archive', flags: [], copy: false, create: false },
    ]);
  });

  it('combines with :copy', () => {
    expect(run('require ["fileinto", "copy", "vnd.mailsift.account"]; fileinto :copy :account "work" "A";').actions).toEqual([
      { type: 'fileinto', mailbox: 'A', flags: [], copy: true, create: false, account: 'work' },
      KEEP,
    ]);
  });

  it('the same mailbox in two accounts is two stores', () => {
    expect(run(R + 'fileinto :account "work" "A"; fileinto "A"; fileinto :account "home" "A"; fileinto :account "work" "A";').actions.map((a) => a.type === 'fileinto' && a.account)).toEqual([
      'work', undefined, 'home',
    ]);
  });

  it("another account's INBOX does not replace the implicit keep", () => {
    expect(run(R + 'fileinto :copy :account "work" "INBOX";').status).toBe('error'); // :copy needs require "copy"
    expect(run('require ["fileinto", "copy", "vnd.mailsift.account"]; fileinto :copy :account "work" "INBOX";').actions).toEqual([
      { type: 'fileinto', mailbox: 'INBOX', flags: [], copy: true, create: false, account: 'work' },
      KEEP,
    ]);
  });
});
