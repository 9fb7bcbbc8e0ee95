/**
 * mailbox (RFC 5490): mailboxexists as a host query, :create on fileinto.
 * Expected results measured with Pigeonhole 0.5.19's sieve-test (mailboxes created in
 * a private Maildir store) unless a case says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/dsl/compile.js';
import { evaluate } from '../../src/runtime/evaluate.js';
import { dryRun } from '../../src/runtime/dry-run.js';
import type { HostQuery } from '../../src/runtime/host.js';
import { parseMessage } from '../../src/runtime/message/index.js';

const MESSAGE = new TextEncoder().encode('From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n');
const R = 'require ["mailbox", "fileinto", "variables", "copy", "imap4flags"];\n';

function mailboxes(src: string, existing: string[] = ['Work']): string[] {
  const out = dryRun(R + src, MESSAGE, { mailboxes: existing });
  expect(out.error).toBeUndefined();
  return out.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}

describe('compile', () => {
  it.each([
    ['if mailboxexists "Work" { keep; }', 'undeclared-capability', 1],
    ['require "fileinto";\nfileinto :create "X";', 'undeclared-capability', 2],
    ['require "mailbox";\nif mailboxexists "x" "y" { keep; }', 'too-many-arguments', 2],
    ['require "mailbox";\nif mailboxexists { keep; }', 'missing-argument', 2],
    ['require ["mailbox", "fileinto"];\nfileinto :create :create "X";', 'duplicate-tag', 2],
    ['require "mailbox";\nkeep :create;', 'unknown-tag', 2],
  ])('%s → %s', (src, code, line) => {
    expect(dryRun(src, MESSAGE).error).toMatchObject({ phase: 'compile', code, line });
  });
});

describe('mailboxexists', () => {
  it.each([
    ['if mailboxexists "Work" { fileinto "Yes"; }', ['Yes']],
    ['if mailboxexists "Nope" { fileinto "Yes"; }', []],
    // INBOX always exists and is case-insensitive; other names are case-sensitive.
    ['if mailboxexists "INBOX" { fileinto "Yes"; }', ['Yes']],
    ['if mailboxexists "Inbox" { fileinto "Yes"; }', ['Yes']],
    ['if mailboxexists "work" { fileinto "Yes"; }', []],
    ['if mailboxexists "Work/" { fileinto "Yes"; }', []],
    // All must exist (RFC 5490 §3.1).
    ['if mailboxexists ["Work", "INBOX"] { fileinto "Yes"; }', ['Yes']],
    ['if mailboxexists ["Work", "Gone"] { fileinto "Yes"; }', []],
    ['set "m" "Work"; if mailboxexists "${m}" { fileinto "Yes"; }', ['Yes']],
    // Intended difference: Dovecot reports "" as existing (the namespace root).
    ['if mailboxexists "" { fileinto "Yes"; }', []],
  ])('%s → %j', (src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });

  it('nested names are passed as written', () => {
    expect(mailboxes('if mailboxexists "Lists/Dev" { fileinto "A"; } if mailboxexists "Lists.Dev" { fileinto "B"; }', ['Lists', 'Lists/Dev'])).toEqual(['A']);
  });

  it('asks the host one query with the expanded names, and uses its answer', () => {
    const compiled = compile('require ["mailbox", "variables"]; set "x" "B"; if mailboxexists ["A", "${x}"] { discard; }');
    if (!compiled.ok) throw new Error('compile failed');
    const gen = evaluate(compiled.plan, parseMessage(MESSAGE));
    const first = gen.next();
    expect(first.done).toBe(false);
    expect(first.value as HostQuery).toEqual({ kind: 'mailbox-exists', mailboxes: ['A', 'B'] });
    const done = gen.next(true);
    expect(done.done).toBe(true);
    expect(done.value).toMatchObject({ status: 'ok', actions: [{ type: 'discard' }] });
  });
});

describe('fileinto :create', () => {
  it('marks the action', () => {
    expect(dryRun(R + 'fileinto :create "Brand/New";', MESSAGE).actions).toEqual([
      { type: 'fileinto', mailbox: 'Brand/New', flags: [], copy: false, create: true },
    ]);
  });

  it('combines with :copy and :flags', () => {
    expect(dryRun(R + 'fileinto :create :copy :flags "\\\\Seen" "Archive";', MESSAGE).actions).toEqual([
      { type: 'fileinto', mailbox: 'Archive', flags: ['\\Seen'], copy: true, create: true },
      { type: 'keep', implicit: true, flags: [] },
    ]);
  });

  it('without :create a missing mailbox is still a plain fileinto (the host decides)', () => {
    expect(dryRun(R + 'fileinto "DoesNotExist";', MESSAGE, { mailboxes: ['Work'] }).actions).toEqual([
      { type: 'fileinto', mailbox: 'DoesNotExist', flags: [], copy: false, create: false },
    ]);
  });
});
