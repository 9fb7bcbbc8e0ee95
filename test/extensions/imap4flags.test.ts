/**
 * imap4flags (RFC 5232). Expected results were measured with Pigeonhole 0.5.19's
 * sieve-test unless a case says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { addFlags, flagsOf, isValidFlag, normalizeFlags, removeFlags } from '../../src/extensions/lib/flags.js';
import { dryRun } from '../../src/runtime/dry-run.js';
import { fileintoMailboxes } from './helpers.js';

const MESSAGE = new TextEncoder().encode('From: a@example.org\r\nTo: me@example.com\r\nSubject: hi\r\n\r\nbody\r\n');
const run = (src: string) => dryRun(src, MESSAGE);
const R = 'require ["imap4flags", "fileinto", "variables", "relational", "comparator-i;ascii-numeric"];\n';

/** The implicit keep's flags, or the mailboxes filed into when there is no implicit keep. */
function implicitFlags(src: string): readonly string[] | undefined {
  const out = run(src);
  expect(out.status).toBe('ok');
  const keep = out.actions.find((a) => a.type === 'keep' && a.implicit);
  return keep?.type === 'keep' ? keep.flags : undefined;
}

function mailboxes(src: string): string[] {
  return fileintoMailboxes(run(src));
}

describe('compile errors', () => {
  it.each([
    ['setflag "\\\\Seen";', 'undeclared-capability', 1],
    ['require "imap4flags";\nsetflag "myvar" "\\\\Seen";', 'undeclared-capability', 2],
    ['require ["imap4flags", "variables"];\nsetflag "1bad" "\\\\Seen";', 'invalid-value', 2],
    ['require ["imap4flags", "variables"];\naddflag "${x}" "A";', 'invalid-value', 2],
    ['require ["imap4flags", "variables"];\nif hasflag ["ok", "a-b"] "x" { stop; }', 'invalid-value', 2],
    ['require "imap4flags";\nif hasflag "v" "x" { stop; }', 'undeclared-capability', 2],
    ['require "imap4flags";\nsetflag;', 'missing-argument', 2],
    ['require "imap4flags";\nsetflag "a" "b" "c";', 'too-many-arguments', 2],
    ['require ["imap4flags", "variables"];\nsetflag ["a", "b"] "c";', 'bad-argument', 2],
    ['require "imap4flags";\nif hasflag :count "eq" "1" { stop; }', 'undeclared-capability', 2],
    ['require "fileinto";\nfileinto :flags "A" "X";', 'undeclared-capability', 2],
    ['require "imap4flags";\nredirect :flags "A" "a@example.org";', 'unknown-tag', 2],
  ])('%s → %s', (src, code, line) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line });
  });

  it.each([
    'require "imap4flags"; setflag "\\\\Seen"; addflag ["A", "B"]; removeflag "A";',
    'require ["imap4flags", "variables"]; setflag "v" "A"; addflag "v" "B"; removeflag "v" "A"; if hasflag "v" "B" { keep; }',
    'require "imap4flags"; if hasflag :contains "A" { keep; } if hasflag ["a", "b"] { keep; }',
    'require ["imap4flags", "fileinto"]; keep :flags "A"; fileinto :flags ["B", "C"] "X";',
    // Invalid literal flags are only a warning in Pigeonhole.
    'require "imap4flags"; setflag ["\\\\Recent", "a(b"];',
  ])('compiles: %s', (src) => {
    expect(run(src).status).toBe('ok');
  });
});

describe('the internal variable', () => {
  it.each([
    ['setflag "\\\\Seen";', ['\\Seen']],
    ['addflag ["\\\\Flagged", "Work", "Urgent"]; removeflag "Urgent";', ['\\Flagged', 'Work']],
    ['setflag "A  B \\\\Draft";', ['A', 'B', '\\Draft']],
    // Case-insensitive, the first spelling stays; system flags in canonical case.
    ['addflag "Foo"; addflag "foo"; addflag "FOO";', ['Foo']],
    ['addflag "\\\\SEEN"; addflag "\\\\seen"; removeflag "\\\\Seen"; addflag "\\\\ANSWERED";', ['\\Answered']],
    ['setflag ["X", "Y"]; removeflag ["x", "Y"];', []],
    ['setflag "A"; setflag "B";', ['B']],
    // Invalid flags are dropped: \Recent cannot be set, unknown system flags, atom-specials, non-ASCII.
    ['setflag ["Good", "bad(paren", "\\\\Unknown", "\\\\Recent", "ü", "a]b", "a%b", "a*b", "a{b", "a\\"b"];', ['Good']],
    ['addflag ["a[b", "x\\ty"];', ['a[b', 'xty']],
    // From a variable at run time, the same checks apply.
    ['set "v" "\\\\Bogus a(b \\\\Recent \\\\Seen"; addflag "${v}";', ['\\Seen']],
  ])('%s → %j', (script, flags) => {
    expect(implicitFlags(R + script)).toEqual(flags);
  });

  it('an explicit keep or fileinto takes the flags current when it runs', () => {
    expect(run(R + 'addflag "First"; fileinto "One"; addflag "Second"; fileinto "Two";').actions).toEqual([
      { type: 'fileinto', mailbox: 'One', flags: ['First'], copy: false, create: false },
      { type: 'fileinto', mailbox: 'Two', flags: ['First', 'Second'], copy: false, create: false },
    ]);
    expect(run(R + 'keep; setflag "Late";').actions).toEqual([{ type: 'keep', implicit: false, flags: [] }]);
  });
});

describe('named flag variables', () => {
  it.each([
    // setflag normalises: invalid dropped, case-insensitive duplicates dropped, spelling kept.
    ['setflag "fl" "A a b(c  B \\\\SEEN \\\\Bogus";', 'fl', 'A B \\SEEN'],
    // addflag appends to whatever the variable holds, untouched.
    ['set "h" "  A  b(c  B "; addflag "h" "C";', 'h', '  A  b(c  B  C'],
    ['set "h" "x"; addflag "h" ["X", "y"];', 'h', 'x y'],
    // removeflag cuts each occurrence with the space after it (before it at the end).
    ['set "g" "A a  b(c B"; removeflag "g" "a";', 'g', ' b(c B'],
    ['set "g" "x  a"; removeflag "g" "a";', 'g', 'x '],
    ['set "g" "a b c"; removeflag "g" "B";', 'g', 'a c'],
    ['set "g" "a"; removeflag "g" "a";', 'g', ''],
    ['set "g" "a(b x"; removeflag "g" "a(b";', 'g', 'x'],
    ['addflag "new" "N";', 'new', 'N'],
  ])('%s → ${%s} = %j', (script, name, value) => {
    expect(mailboxes(R + script + ` fileinto "[\${${name}}]";`)).toEqual([`[${value}]`]);
  });

  it('leaves the internal variable alone', () => {
    expect(implicitFlags(R + 'setflag "v" "A"; addflag "B";')).toEqual(['B']);
  });

  it('feeds :flags through a variable', () => {
    expect(run(R + 'set "myflags" ""; addflag "myflags" ["A", "B"]; removeflag "myflags" "A"; fileinto :flags "${myflags}" "Work";').actions).toEqual([
      { type: 'fileinto', mailbox: 'Work', flags: ['B'], copy: false, create: false },
    ]);
  });
});

describe('hasflag', () => {
  it.each([
    ['addflag "Important";', 'hasflag "important"', true],
    ['addflag "Important";', 'hasflag :contains "Impo"', true],
    ['setflag "\\\\Flagged";', 'hasflag :matches "\\\\\\\\*"', true],
    ['setflag "\\\\Flagged";', 'hasflag :is "\\\\FLAGGED"', true],
    ['setflag "A";', 'hasflag :comparator "i;octet" "a"', false],
    // :is and :contains split keys into flags; :matches and :count do not.
    ['setflag "A";', 'hasflag "A C"', true],
    ['setflag "A";', 'hasflag :contains "A C"', true],
    ['setflag "A B";', 'hasflag :matches "A *"', false],
    ['setflag "A";', 'hasflag :count "eq" "1 5"', false],
    ['setflag "A";', 'hasflag "b(c"', false],
    ['setflag ["A", "B", "\\\\Seen"];', 'hasflag :count "eq" :comparator "i;ascii-numeric" "3"', true],
    ['', 'hasflag :count "eq" "0"', true],
    ['', 'hasflag :contains ""', false],
    // A variable list: each variable is normalised on its own.
    ['set "a" "one two"; set "b" "three";', 'hasflag ["a", "b"] "two"', true],
    ['set "a" "one two"; set "b" "three";', 'hasflag ["a", "b"] "three"', true],
    ['set "a" "one two"; set "b" "three";', 'hasflag "a" "three"', false],
    ['set "fl" "\\\\seen \\\\SEEN x X";', 'hasflag :count "eq" "fl" "2"', true],
    ['set "fl" "\\\\seen \\\\SEEN x X";', 'hasflag :comparator "i;octet" "fl" "x"', true],
    ['set "fl" "\\\\seen \\\\SEEN x X";', 'hasflag :comparator "i;octet" "fl" "X"', false],
    ['set "fl" "b(c a B";', 'hasflag :comparator "i;octet" "fl" "b(c"', false],
    ['', 'hasflag :count "eq" "nonexist" "0"', true],
  ])('%s %s → %s', (setup, test, expected) => {
    expect(mailboxes(R + setup + ` if ${test} { fileinto "Yes"; }`)).toEqual(expected ? ['Yes'] : []);
  });
});

describe(':flags on keep and fileinto', () => {
  it('replaces the internal flags for that action only', () => {
    expect(run(R + 'setflag "\\\\Seen"; fileinto :flags "\\\\Flagged" "Work";').actions).toEqual([
      { type: 'fileinto', mailbox: 'Work', flags: ['\\Flagged'], copy: false, create: false },
    ]);
    expect(run(R + 'setflag "\\\\Seen"; keep :flags "";').actions).toEqual([{ type: 'keep', implicit: false, flags: [] }]);
    expect(run(R + 'keep :flags ["\\\\Answered", "Done"];').actions).toEqual([{ type: 'keep', implicit: false, flags: ['\\Answered', 'Done'] }]);
  });

  it('keeps keyword spellings but not system flag repeats (measured: "foo Foo" stores both)', () => {
    expect(run(R + 'fileinto :flags ["\\\\Seen \\\\SEEN foo Foo", "foo"] "Work";').actions).toEqual([
      { type: 'fileinto', mailbox: 'Work', flags: ['\\Seen', 'foo', 'Foo'], copy: false, create: false },
    ]);
  });

  it('drops invalid flags (Pigeonhole prints invalid keywords, Dovecot drops them when storing)', () => {
    expect(run(R + 'fileinto :flags ["a(b", "ok", "\\\\Bogus"] "X";').actions).toEqual([
      { type: 'fileinto', mailbox: 'X', flags: ['ok'], copy: false, create: false },
    ]);
  });

  it('merged stores take the flags of the last one', () => {
    expect(run(R + 'fileinto :flags "X" "Work"; fileinto :flags "Y" "Work";').actions).toEqual([
      { type: 'fileinto', mailbox: 'Work', flags: ['Y'], copy: false, create: false },
    ]);
  });
});

describe('lib/flags', () => {
  it.each([
    ['\\Seen', true], ['\\seen', true], ['\\Recent', false], ['\\Bogus', false], ['Foo', true], ['$Junk', true],
    ['a[b', true], ['a]b', false], ['a(b', false], ['', false], ['a b', false], ['ü', false], ['a\tb', false],
  ])('isValidFlag(%j) = %s', (flag, valid) => {
    expect(isValidFlag(flag)).toBe(valid);
  });

  it('add, remove and normalise', () => {
    expect(addFlags('', 'b a B \\seen \\SEEN')).toBe('b a \\seen');
    expect(removeFlags('a b a', 'A')).toBe('b');
    expect(flagsOf('  x  y(z X ')).toEqual(['x']);
    expect(normalizeFlags(['\\seen foo', '\\SEEN Foo foo'])).toEqual(['\\Seen', 'foo', 'Foo']);
  });
});
