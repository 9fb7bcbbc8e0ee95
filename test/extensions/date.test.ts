/**
 * date (RFC 5260 §4-5): the date and currentdate tests and the date parser. Every
 * expected value here was measured with Pigeonhole 0.5.19's sieve-test (date parsing:
 * 38 header forms; date-parts: 4 dates × 4 zones × 13 parts), except the :index case,
 * where mailsift follows the RFC.
 */
import { describe, expect, it } from 'vitest';
import { datePart } from '../../src/extensions/date.js';
import { parseDateTime, parseZoneArg, zoneOffset } from '../../src/extensions/lib/date-time.js';
import { dryRun } from '../../src/runtime/dry-run.js';

const HEADER = [
  'Received: from a.example.net by mail.example.com; Mon, 18 Mar 2024 23:30:00 -0500',
  'Received: from b.example.net by a.example.net; Mon, 18 Mar 2024 22:00:00 -0500',
  'From: Judy <judy@example.org>',
  'Subject: dates',
  'Date: Mon, 18 Mar 2024 21:45:30 -0500',
  'Resent-Date: Tue, 19 Mar 2024 10:00:00 +0900',
  'X-Bad-Date: not a date at all',
  'X-Leap: Sun, 29 Feb 2032 23:59:59 -0130',
];
const MESSAGE = new TextEncoder().encode([...HEADER, '', 'body', ''].join('\r\n'));
const R = 'require ["date", "variables", "fileinto", "relational", "comparator-i;ascii-numeric", "index"];\n';
const NOW = new Date('2024-06-30T22:15:07Z');

function mailboxes(src: string, options: { zone?: string } = {}): string[] {
  const out = dryRun(R + src, MESSAGE, { now: NOW, ...options });
  expect(out.error).toBeUndefined();
  return out.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}

/** The value of one date-part through the date test, or undefined when the test is false. */
function part(header: string, name: string, zone = ':zone "+0000"'): string | undefined {
  const got = mailboxes(`if date ${zone} :matches "${header}" "${name}" "*" { fileinto "[\${1}]"; }`);
  return got.length ? got[0]!.slice(1, -1) : undefined;
}

describe('compile', () => {
  it.each([
    ['if date "date" "year" "2024" { keep; }', 'undeclared-capability', 1],
    ['require "date";\nif date :zone "+0000" :originalzone "date" "year" "2024" { keep; }', 'conflicting-tags', 2],
    ['require "date";\nif date :zone "+0000" :zone "+0100" "date" "year" "2024" { keep; }', 'duplicate-tag', 2],
    ['require "date";\nif currentdate :originalzone "year" "2024" { keep; }', 'unknown-tag', 2],
    ['require "date";\nif date "date" "year" { keep; }', 'missing-argument', 2],
    ['require "date";\nif date ["date", "x"] "year" "2024" { keep; }', 'bad-argument', 2],
    ['require "date";\nif date :zone "date" "year" "2024" { keep; }', 'missing-argument', 2],
    ['require "date";\nif currentdate "year" { keep; }', 'missing-argument', 2],
  ])('%s → %s', (src, code, line) => {
    expect(dryRun(src, MESSAGE).error).toMatchObject({ phase: 'compile', code, line });
  });

  it.each([
    // Pigeonhole only warns about these.
    'require "date"; if date "date" "fortnight" "1" { keep; }',
    'require "date"; if date :zone "bogus" "date" "year" "2024" { keep; }',
    'require "date"; if date "bad name" "year" "2024" { keep; }',
  ])('compiles: %s', (src) => {
    expect(dryRun(src, MESSAGE).status).toBe('ok');
  });
});

describe('date', () => {
  it.each([
    ['if date :is "date" "year" "2024" { fileinto "Y"; }', ['Y']],
    // Zones: the date is 2024-03-19 02:45:30 UTC.
    ['if date :zone "+0000" :matches "date" "hour" "*" { fileinto "${1}"; }', ['02']],
    ['if date :zone "-0500" :matches "date" "hour" "*" { fileinto "${1}"; }', ['21']],
    ['if date :zone "+0530" :matches "date" "time" "*" { fileinto "${1}"; }', ['08:15:30']],
    ['if date :originalzone :matches "date" "zone" "*" { fileinto "${1}"; }', ['-0500']],
    ['if date :originalzone :matches "date" "date" "*" { fileinto "${1}"; }', ['2024-03-18']],
    ['if date :zone "+0000" :value "ge" "date" "date" "2024-03-19" { fileinto "After"; }', ['After']],
    ['if date :originalzone :value "lt" "date" "date" "2024-03-19" { fileinto "Before"; }', ['Before']],
    ['if date :originalzone :matches "resent-date" "hour" "*" { fileinto "${1}"; }', ['10']],
    // Received: the date after the last ";"; without :index, the first field.
    ['if date :originalzone :matches "received" "minute" "*" { fileinto "${1}"; }', ['30']],
    ['if date :originalzone :matches "received" "hour" "*" { fileinto "${1}"; }', ['23']],
    // RFC 5260 §6, not Pigeonhole 0.5.19 (which would say 23).
    ['if date :index 2 :originalzone :matches "received" "hour" "*" { fileinto "${1}"; }', ['22']],
    // No date, no field: false, and :count sees nothing.
    ['if date :matches "x-bad-date" "year" "*" { fileinto "Parsed"; }', []],
    ['if date :matches "x-missing" "year" "*" { fileinto "Missing"; }', []],
    ['if date :count "eq" "x-missing" "year" "0" { fileinto "MissingCountZero"; }', ['MissingCountZero']],
    ['if date :zone "+0000" :count "eq" "date" "year" "1" { fileinto "CountOne"; }', ['CountOne']],
    // An unknown date-part is false whatever the match type.
    ['if date :matches "date" "fortnight" "*" { fileinto "Part"; }', []],
    ['if date :count "eq" "date" "fortnight" "0" { fileinto "CountZero"; }', []],
    ['if date "bad name" "year" "2024" { fileinto "BadName"; }', []],
    // Variables in every argument; date-part names are case-insensitive.
    ['set "z" "+0100"; if date :zone "${z}" :matches "date" "zone" "*" { fileinto "${1}"; }', ['+0100']],
    ['set "p" "YEAR"; set "h" "Date"; if date :zone "+0000" :matches "${h}" "${p}" "*" { fileinto "${1}"; }', ['2024']],
  ])('%s → %j', (src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });

  it('an invalid :zone means the local zone', () => {
    expect(part('date', 'zone', ':zone "bogus"')).toBe('+0000');
    expect(mailboxes('set "z" "0100"; if date :zone "${z}" :matches "date" "zone" "*" { fileinto "${1}"; }', { zone: '+0200' })).toEqual(['+0200']);
  });

  it('without :zone, the local zone of the run options', () => {
    expect(mailboxes('if date :matches "date" "iso8601" "*" { fileinto "${1}"; }', { zone: '+0100' })).toEqual(['2024-03-19T03:45:30+01:00']);
    expect(mailboxes('if date :matches "date" "iso8601" "*" { fileinto "${1}"; }')).toEqual(['2024-03-19T02:45:30Z']);
  });

  it.each([
    ['year', '2032'], ['month', '03'], ['day', '01'], ['date', '2032-03-01'], ['julian', '63292'], ['hour', '01'],
    ['minute', '29'], ['second', '59'], ['time', '01:29:59'], ['iso8601', '2032-03-01T01:29:59Z'],
    ['std11', 'Mon, 01 Mar 2032 01:29:59 +0000'], ['zone', '+0000'], ['weekday', '1'],
  ])('date-part %s of a leap-day date at -0130, in UTC: %s', (name, value) => {
    expect(part('x-leap', name)).toBe(value);
  });

  it.each([
    ['+1345', 'iso8601', '2032-03-01T15:14:59+13:45'],
    ['-0959', 'std11', 'Sun, 29 Feb 2032 15:30:59 -0959'],
    ['-0959', 'weekday', '0'],
    ['-0959', 'julian', '63291'],
  ])('date-parts in zone %s: %s = %s', (zone, name, value) => {
    expect(part('x-leap', name, `:zone "${zone}"`)).toBe(value);
  });
});

describe('currentdate', () => {
  it.each([
    ['if currentdate :zone "+0000" :value "ge" :comparator "i;ascii-numeric" "year" "2024" { fileinto "Recent"; }', ['Recent']],
    ['if currentdate :zone "+0000" :value "gt" :comparator "i;ascii-numeric" "year" "9000" { fileinto "Future"; }', []],
    ['if currentdate :zone "+0200" :matches "zone" "*" { fileinto "${1}"; }', ['+0200']],
    ['if currentdate :zone "-0730" :matches "zone" "*" { fileinto "${1}"; }', ['-0730']],
    ['if currentdate :zone "bogus" :matches "zone" "*" { fileinto "${1}"; }', ['+0000']],
    ['if currentdate :zone "+0200" :matches "iso8601" "*" { fileinto "${1}"; }', ['2024-07-01T00:15:07+02:00']],
    ['if currentdate :matches "std11" "*" { fileinto "${1}"; }', ['Sun, 30 Jun 2024 22:15:07 +0000']],
    ['if currentdate :matches "fortnight" "*" { fileinto "Unknown"; }', []],
  ])('%s → %j', (src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });

  it('uses the local zone of the run options', () => {
    expect(mailboxes('if currentdate :matches "time" "*" { fileinto "${1}"; }', { zone: '-0100' })).toEqual(['21:15:07']);
  });
});

describe('date parsing (Dovecot message_date_parse)', () => {
  const iso = (text: string, zone?: number): string | undefined => {
    const d = parseDateTime(text);
    return d && datePart('iso8601', d.time, zone ?? d.zone);
  };

  it.each([
    ['Mon, 18 Mar 2024 21:45:30 EST', '2024-03-18T21:45:30-05:00'],
    ['18 Mar 2024 21:45 GMT', '2024-03-18T21:45:00Z'],
    ['Mon, 18 Mar 24 21:45:30 UT', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 99 21:45:30 +0000', '1999-03-18T21:45:30Z'],
    ['Mon, 18 Mar 50 21:45:30 +0000', '2050-03-18T21:45:30Z'],
    ['Mon, 18 Mar 49 21:45:30 +0000', '2049-03-18T21:45:30Z'],
    ['Mon, 18 mar 2024 21:45:30 PDT', '2024-03-18T21:45:30-07:00'],
    ['Mon, 18 Mar 2024 21:45:30 Z', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 2024 21:45:30 A', '2024-03-18T21:45:30+01:00'],
    ['Mon, 18 Mar 2024 21:45:30 m', '2024-03-18T21:45:30+44:00'],
    ['Mon, 18 Mar 2024 21:45:30 -0000', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 2024 21:45:30 +0000 (UTC)', '2024-03-18T21:45:30Z'],
    ['Mon,  18  Mar  2024  21:45:30  +0130', '2024-03-18T21:45:30+01:30'],
    ['Fri, 18 Mar 2024 21:45:30 +0000', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 2024 21:45:60 +0000', '2024-03-18T21:45:59Z'],
    ['Mon, 18 Mar 2024 21:45:30', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 2024 21:45:30 XYZ', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 2024 21:45:30 cet', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 2024 21:45:30 edt', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 2024 21:45:30 +9999', '2024-03-18T21:45:30+100:39'],
    ['Mon, 18 Mar 2024 21:45:30 +0060', '2024-03-18T21:45:30+01:00'],
    ['Mon, 18 Mar 2024 21:45:30 0100', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 2024 21:45:30 +00000', '2024-03-18T21:45:30Z'],
    ['Mon,18 Mar 2024 21:45:30 +0000', '2024-03-18T21:45:30Z'],
    ['Mon, 18 March 2024 21:45:30 +0000', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 2024 21:45:30 +0000 trailing junk', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 1900 21:45:30 +0000', '1900-03-18T21:45:30Z'],
    ['Mon, 8 Mar 2024 21:45:30 +0000', '2024-03-08T21:45:30Z'],
    ['Mon, 18 Mar 2024 21 : 45 : 30 +0000', '2024-03-18T21:45:30Z'],
    ['Mon, 18 Mar 2024 21.45.30 +0000', '2024-03-18T21:45:30Z'],
    [' (comment) 18 (x) Mar 2024 21:45 -0100', '2024-03-18T21:45:00-01:00'],
  ])('%s → %s', (text, expected) => {
    expect(iso(text)).toBe(expected);
  });

  it.each([
    'Mon, 32 Mar 2024 21:45:30 +0000',
    'Mon, 18 Mar 2024 24:45:30 +0000',
    '2024-03-18T21:45:30Z',
    'Mon, 30 Feb 2024 21:45:30 +0000',
    'Mon, 18 Mar 149 21:45:30 +0000',
    '18 Mar 2024 9:5:3 +0000',
    'Mon, 18 Mar 0001 21:45:30 +0000',
    'Mon, 18 Mar 2024 21:45:30+0000',
    'Mon 18 Mar 2024 21:45:30 +0000',
    'Mon, 18 Mar 2024 21:60 +0000',
    'Mon, 18 Xyz 2024 21:45 +0000',
    '(unterminated 18 Mar 2024 21:45',
    'not a date at all',
    '',
  ])('%j is not a date', (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });

  it('zones', () => {
    expect([zoneOffset('EDT'), zoneOffset('CST'), zoneOffset('MDT'), zoneOffset('N'), zoneOffset('Y'), zoneOffset('K')]).toEqual([-240, -360, -360, -60, -720, 600]);
    expect([parseZoneArg('+0130'), parseZoneArg('-0000'), parseZoneArg('+130'), parseZoneArg('UTC'), parseZoneArg('+01:30')]).toEqual([90, -0, undefined, undefined, undefined]);
  });
});
