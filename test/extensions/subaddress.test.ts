/**
 * subaddress (RFC 5233): :user and :detail with "+" as separator. Expected
 * results measured with Pigeonhole 0.5.19's sieve-test.
 */
import { describe, expect, it } from 'vitest';
import { dryRun } from '../../src/runtime/dry-run.js';

const MESSAGE = new TextEncoder().encode(
  [
    'From: +foo@example.org',
    'To: a+b+c@example.com',
    'Cc: "x+y" <plain@example.com>',
    'Bcc: eve+@example.com',
    'Reply-To: bob+lists@example.com',
    'Subject: s',
    '',
    'body',
    '',
  ].join('\r\n'),
);
const R = 'require ["subaddress", "envelope", "variables", "fileinto", "relational", "comparator-i;ascii-numeric"];\n';

function run(src: string, envelopeTo = 'me+tag@example.com') {
  return dryRun(R + src, MESSAGE, { envelopeFrom: 'a@example.org', envelopeTo });
}

function mailboxes(src: string, envelopeTo?: string): string[] {
  const out = run(src, envelopeTo);
  expect(out.error).toBeUndefined();
  return out.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}

describe('address parts', () => {
  it.each([
    ['user up to the first "+"', 'if address :user :matches "to" "*" { fileinto "[${1}]"; }', ['[a]']],
    ['detail is the rest, "+" included', 'if address :detail :matches "to" "*" { fileinto "[${1}]"; }', ['[b+c]']],
    ['detail "b+c" with :is', 'if address :detail :is "to" "b+c" { fileinto "A"; } if address :user :is "to" "a+b" { fileinto "B"; }', ['A']],
    ['leading "+": empty user', 'if address :user :matches "from" "*" { fileinto "u[${1}]"; } if address :detail :matches "from" "*" { fileinto "d[${1}]"; }', ['u[]', 'd[foo]']],
    ['no "+": user is the local part', 'if address :user :is "cc" "plain" { fileinto "A"; }', ['A']],
    ['no "+": :detail never matches, not even "*"', 'if address :detail :matches "cc" "*" { fileinto "A"; }', []],
    ['the display name does not count', 'if address :detail :contains "cc" "y" { fileinto "A"; }', []],
    ['"u+@d": empty detail', 'if address :detail :is "bcc" "" { fileinto "A"; } if address :user :is "bcc" "eve" { fileinto "B"; }', ['A', 'B']],
    ['case-insensitive by default', 'if address :detail "reply-to" "LISTS" { fileinto "A"; }', ['A']],
    ['envelope :user', 'if envelope :user "to" "me" { fileinto "A"; }', ['A']],
    ['envelope :detail', 'if envelope :detail :matches "to" "*" { fileinto "D-${1}"; }', ['D-tag']],
    ['envelope without "+"', 'if envelope :detail :matches "from" "*" { fileinto "A"; } else { fileinto "none"; }', ['none']],
    [':count with details everywhere', 'if address :detail :count "eq" :comparator "i;ascii-numeric" ["to", "bcc"] "2" { fileinto "two"; }', ['two']],
  ])('%s', (_name, src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });

  // Pigeonhole counts every address with :count, a detail or not (3 here, not 2).
  it(':count also counts addresses without a detail (Pigeonhole)', () => {
    expect(mailboxes('if address :detail :count "eq" :comparator "i;ascii-numeric" ["to", "cc", "bcc"] "3" { fileinto "three"; }')).toEqual(['three']);
  });
});

describe('compile errors', () => {
  it('needs require "subaddress"', () => {
    const out = dryRun('if address :user "to" "bob" { discard; }', MESSAGE);
    expect(out.error).toMatchObject({ phase: 'compile', code: 'undeclared-capability', line: 1 });
  });

  it.each([
    ['if address :user :detail "to" "x" { stop; }', 'conflicting-tags'],
    ['if address :all :user "to" "x" { stop; }', 'conflicting-tags'],
    ['if header :user "to" "x" { stop; }', 'unknown-tag'],
  ])('%s → %s', (src, code) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line: 2 });
  });
});
