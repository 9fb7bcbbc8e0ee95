/**
 * index (RFC 5260 §6): :index/:last on header, address and date. Expected results
 * measured with Pigeonhole 0.5.19's sieve-test, except for the date test, where
 * mailsift follows the RFC (see date.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { dryRun } from '../../src/runtime/dry-run.js';
import { fileintoMailboxes } from './helpers.js';

const MESSAGE = new TextEncoder().encode(
  [
    'Received: from mx2.example.net by mail.example.com; Tue, 12 Mar 2024 09:15:02 +0100',
    'Received: from laptop.example.org by mx2.example.net; Tue, 12 Mar 2024 08:14:58 +0000',
    'Received: from phone.example.org by laptop.example.org; Tue, 12 Mar 2024 07:00:00 +0000',
    'From: Alice <alice@example.org>',
    'To: Bob <bob@example.com>, dave@example.net',
    'To: carol@example.org',
    'Subject: index',
    '',
    'body',
    '',
  ].join('\r\n'),
);
const R = 'require ["index", "fileinto", "variables", "relational", "comparator-i;ascii-numeric", "date"];\n';

function mailboxes(src: string): string[] {
  return fileintoMailboxes(dryRun(R + src, MESSAGE));
}

describe('compile', () => {
  it.each([
    ['if header :index 1 "received" "x" { keep; }', 'undeclared-capability', 1],
    ['require "index";\nif header :last :contains "received" "x" { keep; }', 'bad-argument', 2],
    ['require "index";\nif header :index 0 "received" "x" { keep; }', 'invalid-value', 2],
    ['require "index";\nif header :index "1" "received" "x" { keep; }', 'missing-argument', 2],
    ['require "index";\nif header :index 1 :index 2 "received" "x" { keep; }', 'duplicate-tag', 2],
    ['require "index";\nif exists :index 1 "received" { keep; }', 'unknown-tag', 2],
    ['require "index";\nif size :index 1 :over 1 { keep; }', 'unknown-tag', 2],
    ['require ["index", "date"];\nif date :last "date" "year" "2024" { keep; }', 'bad-argument', 2],
  ])('%s → %s', (src, code, line) => {
    expect(dryRun(src, MESSAGE).error).toMatchObject({ phase: 'compile', code, line });
  });
});

describe('header', () => {
  it.each([
    ['if header :index 2 :matches "received" "from *.example.org *" { fileinto "${1}"; }', ['laptop']],
    ['if header :index 1 :last :contains "received" "phone" { fileinto "LastIsPhone"; }', ['LastIsPhone']],
    ['if header :index 1 :contains "received" "phone" { fileinto "FirstIsPhone"; }', []],
    ['if header :index 2 :last :contains "received" "laptop.example.org by mx2" { fileinto "SecondFromLast"; }', ['SecondFromLast']],
    ['if header :index 4 :contains "received" "" { fileinto "Four"; }', []],
    ['if header :index 4 :last :contains "received" "" { fileinto "FourFromLast"; }', []],
    // :count counts the indexed field only.
    ['if header :index 2 :count "eq" :comparator "i;ascii-numeric" "received" "1" { fileinto "One"; }', ['One']],
    // Several names: the index applies to each name.
    ['if header :index 2 :matches ["to", "received"] "*" { fileinto "${1}"; }', ['carol@example.org']],
  ])('%s → %j', (src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });
});

describe('address', () => {
  it.each([
    // :index counts fields, not addresses: the first To field holds two addresses.
    ['if address :index 1 :is "to" "dave@example.net" { fileinto "SameField"; }', ['SameField']],
    ['if address :index 2 :is "to" "dave@example.net" { fileinto "IndexTwo"; }', []],
    ['if address :index 1 :last :is "to" "carol@example.org" { fileinto "Last"; }', ['Last']],
    ['if address :index 1 :last :localpart :is "to" "bob" { fileinto "LastBob"; }', []],
  ])('%s → %j', (src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });
});

describe('date (the RFC, not Pigeonhole 0.5.19, which ignores :index there)', () => {
  it.each([
    ['if date :index 2 :originalzone :matches "received" "hour" "*" { fileinto "H${1}"; }', ['H08']],
    ['if date :index 1 :last :originalzone :matches "received" "hour" "*" { fileinto "H${1}"; }', ['H07']],
    ['if date :originalzone :matches "received" "hour" "*" { fileinto "H${1}"; }', ['H09']],
    ['if date :index 9 :matches "received" "hour" "*" { fileinto "Beyond"; }', []],
  ])('%s → %j', (src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });
});
