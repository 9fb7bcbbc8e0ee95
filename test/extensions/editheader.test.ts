/**
 * editheader (RFC 5293). Expected results measured with Pigeonhole 0.5.19's sieve-test
 * (with -x +editheader) unless a case says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { dryRun } from '../../src/runtime/dry-run.js';
import { fileintoMailboxes } from './helpers.js';

const MESSAGE = new TextEncoder().encode(
  [
    'Received: from mx.example.net by mail.example.com; Tue, 12 Mar 2024 09:15:02 +0100',
    'Auto-Submitted: no',
    'From: a@example.org',
    'To: me@example.com',
    'Subject: edit',
    'X-A: one',
    'X-B: keep',
    'X-A: two',
    'X-A: three',
    'X-A: Two',
    'X-C: =?UTF-8?Q?Caf=C3=A9?=',
    '',
    'body',
    '',
  ].join('\r\n'),
);
const R = 'require ["editheader", "fileinto", "variables", "index", "encoded-character"];\n';
/** Files into "R[...]" with the X-A values in order. */
const SHOW = `
set "r" "";
if header :index 1 :matches "x-a" "*" { set "r" "\${1}"; }
if header :index 2 :matches "x-a" "*" { set "r" "\${r},\${1}"; }
if header :index 3 :matches "x-a" "*" { set "r" "\${r},\${1}"; }
if header :index 4 :matches "x-a" "*" { set "r" "\${r},\${1}"; }
fileinto "R[\${r}]";`;

function mailboxes(src: string): string[] {
  return fileintoMailboxes(dryRun(R + src, MESSAGE));
}

describe('compile', () => {
  it.each([
    ['addheader "X-A" "v";', 'undeclared-capability', 1],
    ['require "editheader";\naddheader "X Foo" "v";', 'invalid-value', 2],
    ['require "editheader";\naddheader "X:Foo" "v";', 'invalid-value', 2],
    ['require "editheader";\naddheader "Tëst" "v";', 'invalid-value', 2],
    ['require "editheader";\ndeleteheader "X Foo";', 'invalid-value', 2],
    ['require ["editheader", "encoded-character"];\naddheader "X-A" "a${hex:00}b";', 'invalid-value', 2],
    ['require "editheader";\naddheader "X-Long" "' + 'x'.repeat(2049) + '";', 'invalid-value', 2],
    ['require "editheader";\naddheader "X-A";', 'missing-argument', 2],
    ['require "editheader";\naddheader :first "X-A" "v";', 'unknown-tag', 2],
    ['require "editheader";\ndeleteheader :index "1" "X-A";', 'missing-argument', 2],
    ['require "editheader";\ndeleteheader :contains;', 'missing-argument', 2],
  ])('%s → %s', (src, code, line) => {
    expect(dryRun(src, MESSAGE).error).toMatchObject({ phase: 'compile', code, line });
  });

  it.each([
    'require "editheader"; addheader "X-Long" "' + 'x'.repeat(2048) + '";',
    // Pigeonhole accepts these: the empty name is a no-op, :index 0 and a lone :last delete all.
    'require "editheader"; addheader "" "v"; deleteheader "";',
    'require "editheader"; deleteheader :index 0 "X-A"; deleteheader :last "X-A";',
    // deleteheader's :index belongs to editheader: no require "index" needed.
    'require "editheader"; deleteheader :index 1 :last "X-A";',
    'require "editheader"; deleteheader "Received";',
  ])('compiles: %s', (src) => {
    expect(dryRun(src, MESSAGE).status).toBe('ok');
  });
});

describe('deleteheader', () => {
  it.each([
    ['deleteheader :index 2 "X-A";', 'R[one,three,Two]'],
    ['deleteheader :index 1 :last "X-A";', 'R[one,two,three]'],
    ['deleteheader :index 2 :last "x-a" ["three", "one"];', 'R[one,two,Two]'],
    ['deleteheader "X-A" "two";', 'R[one,three]'],
    ['deleteheader :index 2 "X-A" "three";', 'R[one,two,three,Two]'],
    ['deleteheader :index 3 "X-A" "three";', 'R[one,two,Two]'],
    ['deleteheader :comparator "i;octet" :matches "X-A" "t*";', 'R[one,Two]'],
    ['deleteheader :contains "X-A" ["ne", "hre"];', 'R[two,Two]'],
    ['deleteheader :index 9 "X-A";', 'R[one,two,three,Two]'],
    ['deleteheader :index 0 "X-A";', 'R[]'],
    ['deleteheader :last "X-A";', 'R[]'],
    ['deleteheader "x-a";', 'R[]'],
    ['set "n" "X-A"; deleteheader "${n}" "one";', 'R[two,three,Two]'],
  ])('%s → %s', (edit, expected) => {
    expect(mailboxes(edit + SHOW)).toEqual([expected]);
  });

  it('compares decoded values and sets the match variables', () => {
    expect(mailboxes('deleteheader :contains "X-C" "Café"; if not exists "x-c" { fileinto "Gone"; }')).toEqual(['Gone']);
    expect(mailboxes('deleteheader :matches "X-B" "k*"; fileinto "Cap-${1}";')).toEqual(['Cap-eep']);
  });

  it('never deletes Received or Auto-Submitted (silently)', () => {
    expect(mailboxes('deleteheader "Received"; deleteheader "auto-submitted"; if allof (exists "received", exists "auto-submitted") { fileinto "Kept"; }')).toEqual(['Kept']);
    expect(mailboxes('set "n" "received"; deleteheader "${n}"; if exists "received" { fileinto "Kept"; }')).toEqual(['Kept']);
  });

  it('an invalid name from a variable is a runtime error', () => {
    expect(dryRun(R + 'set "n" "X Bad"; deleteheader "${n}";', MESSAGE).error).toMatchObject({ phase: 'runtime', code: 'invalid-header', line: 2 });
  });
});

describe('addheader', () => {
  it.each([
    ['addheader "X-A" "top"; addheader :last "X-A" "bottom";', 'R[top,one,two,three]'],
    ['addheader "X-A" "top"; deleteheader :index 1 "X-A";', 'R[one,two,three,Two]'],
    ['deleteheader "X-A"; addheader :last "X-A" "new";', 'R[new]'],
  ])('%s → %s', (edit, expected) => {
    expect(mailboxes(edit + SHOW)).toEqual([expected]);
  });

  it('later tests see the new field, decoded', () => {
    expect(mailboxes('addheader "X-D" "Jörg Müller"; if header :is "x-d" "Jörg Müller" { fileinto "Decoded"; }')).toEqual(['Decoded']);
    expect(mailboxes('addheader "Received" "x"; if header :is "received" "x" { fileinto "Added"; }')).toEqual(['Added']);
    expect(mailboxes('addheader "X-G" ""; if header :is "x-g" "" { fileinto "Empty"; }')).toEqual(['Empty']);
    expect(mailboxes('addheader :last "Reply-To" "r@example.net"; if address :is "reply-to" "r@example.net" { fileinto "Addr"; }')).toEqual(['Addr']);
  });

  it.each([
    // CR dropped, a fold keeps its space or tab, any other line break ends the value.
    ['a${hex:0d 0a}b', 1],
    ['a${hex:0d 0a 20}b', 3],
    ['a${hex:0a}b', 1],
    ['a${hex:0d}b', 2],
    ['a${hex:09}b', 3],
    ['${hex:0d 0a}b', 0],
    ['a${hex:0a 09 09}b', 4],
    ['a${hex:0d 0a 20 20}b${hex:0a 20}c', 6],
  ])('value %j is read back with %i characters', (value, length) => {
    expect(mailboxes(`addheader "X-V" "${value}"; if header :matches "x-v" "*" { set :length "n" "\${1}"; fileinto "len\${n}"; }`)).toEqual([`len${length}`]);
  });

  it('the empty name does nothing', () => {
    expect(dryRun(R + 'set "n" ""; addheader "${n}" "v"; addheader "" "v";', MESSAGE)).toMatchObject({ status: 'ok', result: { edited: false } });
  });

  it.each([
    ['set "n" "X Bad"; addheader "${n}" "v";'],
    ['set "v" "a${hex:00}b"; addheader "X-N" "${v}";'],
    ['set "v" "' + 'x'.repeat(3000) + '"; addheader "X-Long" "${v}";'],
  ])('runtime error: %s', (src) => {
    expect(dryRun(R + src, MESSAGE).error).toMatchObject({ phase: 'runtime', code: 'invalid-header' });
  });

  it('limits the bytes all addheader calls may add (mailsift limit)', () => {
    const out = dryRun(R + 'addheader "X-1" "12345678"; addheader "X-2" "12345678";', MESSAGE, { limits: { maxAddedHeaderBytes: 20 } });
    expect(out.error).toMatchObject({ phase: 'runtime', code: 'invalid-header', line: 2 });
    expect(dryRun(R + 'addheader "X-1" "12345678";', MESSAGE, { limits: { maxAddedHeaderBytes: 20 } }).status).toBe('ok');
  });

  it('the delivered message carries the edits; size sees them', () => {
    // +28 bytes ("X-Tag: spam-spam-spam-spam" CRLF), -11 ("X-B: keep" CRLF).
    const out = dryRun(R + 'addheader "X-Tag" "spam-spam-spam-spam"; deleteheader "X-B"; if size :over ' + (MESSAGE.length + 16) + ' { fileinto "Bigger"; }', MESSAGE);
    expect(out.actions.map((a) => a.type === 'fileinto' && a.mailbox)).toEqual(['Bigger']);
    const text = new TextDecoder().decode(out.result!.message.raw);
    expect(text.startsWith('X-Tag: spam-spam-spam-spam\r\nReceived:')).toBe(true);
    expect(text.length).toBe(MESSAGE.length + 17);
    expect(text).not.toContain('X-B:');
    expect(out.result!.edited).toBe(true);
  });
});
