/**
 * variables (RFC 5229): set and its modifiers, the string test, references and
 * match variables. Expected results measured with Pigeonhole 0.5.19's sieve-test
 * unless marked as an intended difference.
 */
import { describe, expect, it } from 'vitest';
import { dryRun, type DryRunOptions } from '../../src/runtime/dry-run.js';

const MESSAGE = new TextEncoder().encode(
  [
    'From: Alice Example <alice@example.org>',
    'To: bob@example.com',
    'Subject: Meeting tomorrow about the 2024 budget',
    'X-Location: München',
    `X-Long: ${'x'.repeat(5000)}`,
    '',
    'body',
    '',
  ].join('\r\n'),
);
const R = 'require ["variables", "fileinto", "relational", "comparator-i;ascii-numeric"];\n';

function run(src: string, options: DryRunOptions = {}) {
  return dryRun(R + src, MESSAGE, { envelopeFrom: 'a@example.org', envelopeTo: 'me@example.com', ...options });
}

function mailboxes(src: string, options?: DryRunOptions): string[] {
  const out = run(src, options);
  expect(out.error).toBeUndefined();
  return out.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}

describe('compile errors', () => {
  it.each([
    ['set :lower :upper "a" "x";', 'conflicting-tags', 2],
    ['set :lowerfirst :upperfirst "a" "x";', 'conflicting-tags', 2],
    ['set :upper :upper "a" "x";', 'duplicate-tag', 2],
    ['set "1abc" "x";', 'invalid-value', 2],
    ['set "a-b" "x";', 'invalid-value', 2],
    ['set "a b" "x";', 'invalid-value', 2],
    ['set "" "x";', 'invalid-value', 2],
    ['set "1" "x";', 'invalid-value', 2], // a match variable
    ['set "a.b" "x";', 'invalid-value', 2], // namespaces are not supported
    ['set "${x}" "x";', 'not-constant', 2],
    ['set "a";', 'missing-argument', 2],
    ['\nset :quoteregex "a" "x";', 'undeclared-capability', 3], // needs require "regex"
    ['if string :contains :comparator "i;ascii-numeric" "a" "b" { stop; }', 'unsupported-match', 2],
  ])('%s → %s', (src, code, line) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line });
  });

  it('set and string need require "variables"', () => {
    expect(dryRun('set "a" "b";', MESSAGE).error).toMatchObject({ code: 'undeclared-capability', line: 1 });
    expect(dryRun('if string "a" "b" { stop; }', MESSAGE).error).toMatchObject({ code: 'undeclared-capability', line: 1 });
  });

  it.each([['_'], ['_1'], ['A_b9']])('valid name %s', (name) => {
    expect(mailboxes(`set "${name}" "v"; fileinto "\${${name}}";`)).toEqual(['v']);
  });

  it('at most maxVariables distinct names (Pigeonhole: 255)', () => {
    const sets = (n: number) => Array.from({ length: n }, (_, i) => `set "v${i}" "x";`).join('\n');
    expect(run(sets(255)).error).toBeUndefined();
    expect(run(sets(256)).error).toMatchObject({ phase: 'compile', code: 'too-many-variables', line: 257 });
    // Setting the same name again (in any case) does not count twice.
    expect(run(sets(255) + '\nset "V0" "y";').error).toBeUndefined();
    expect(run(sets(3), { compile: { limits: { maxVariables: 2 } } }).error).toMatchObject({ code: 'too-many-variables', line: 4 });
  });
});

describe('set and its modifiers', () => {
  it.each([
    ['plain', 'set "f" "Projects"; fileinto "${f}/Alpha";', 'Projects/Alpha'],
    [':lower', 'set :lower "f" "MiXeD Case"; fileinto "${f}";', 'mixed case'],
    [':upper', 'set :upper "f" "MiXeD Case"; fileinto "${f}";', 'MIXED CASE'],
    [':lowerfirst', 'set :lowerfirst "f" "MIXED"; fileinto "${f}";', 'mIXED'],
    [':upperfirst', 'set :upperfirst "f" "mixed case"; fileinto "${f}";', 'Mixed case'],
    [':quotewildcard', 'set :quotewildcard "f" "a*b?c\\\\d"; fileinto "${f}";', 'a\\*b\\?c\\\\d'],
    [':length', 'set :length "f" "hello"; fileinto "len-${f}";', 'len-5'],
    [':length counts characters, not bytes', 'set :length "f" "ĀāĂă😀"; fileinto "${f}";', '5'],
    ['precedence 40 before 30', 'set :upperfirst :lower "a" "hELLO wORLD"; fileinto "${a}";', 'Hello world'],
    ['precedence 40 before 10', 'set :length :upper "b" "abc"; fileinto "${b}";', '3'],
    [':upper then :upperfirst', 'set :upperfirst :upper "e" "ab"; fileinto "${e}";', 'AB'],
    ['precedence 20 before 10', 'set :quotewildcard :length "h" "a*"; fileinto "${h}";', '3'],
    ['case maps ASCII only', 'set :upper "c" "straße"; set :lower "d" "ÀB"; fileinto "${c}|${d}";', 'STRAßE|Àb'],
    ['first-letter maps ASCII only', 'set :upperfirst "a" "élan"; set :lowerfirst "b" "Élan"; fileinto "${a}|${b}";', 'élan|Élan'],
    [':upper on a header value', 'if header :matches "x-location" "*" { set :upper "u" "${1}"; } fileinto "${u}";', 'MüNCHEN'],
    [':length of a header value', 'if header :matches "x-location" "*" { set :length "n" "${1}"; } fileinto "len-${n}";', 'len-7'],
    ['modifier on a match variable', 'if header :matches "from" "* <*>" { set :upper "n" "${1}"; } fileinto "${n}";', 'ALICE EXAMPLE'],
    ['set overwrites', 'set "a" "1"; set "a" "2"; fileinto "${a}";', '2'],
    ['value may use other variables', 'set "a" "x"; set "b" "${a}${a}"; fileinto "${b}";', 'xx'],
  ])('%s', (_name, src, mailbox) => {
    expect(mailboxes(src)).toEqual([mailbox]);
  });

  it('values are cut at maxVariableSize bytes without splitting a character', () => {
    const e = 'é'.repeat(2100); // 4201 bytes with the leading "a"
    expect(mailboxes(`set "x" "a${e}"; set :length "n" "\${x}"; fileinto "\${n}";`)).toEqual(['2048']);
    const ascii = 'abcdefgh'.repeat(600);
    // The expanded value is cut before the modifiers: :length sees 4096 bytes.
    expect(mailboxes(`set "x" "${ascii}"; set :length "m" "\${x}\${x}"; fileinto "\${m}";`)).toEqual(['4096']);
    expect(mailboxes('set "x" "abcdef"; set :length "n" "${x}"; fileinto "${n}";', { limits: { maxVariableSize: 4 } })).toEqual(['4']);
  });

  it('match variables are cut too', () => {
    expect(mailboxes('if header :matches "x-long" "*" { if header :is "x-long" "${1}" { fileinto "full1"; } if header :is "x-long" "${0}" { fileinto "full0"; } }')).toEqual([]);
    expect(mailboxes('if header :matches "x-long" "*" { set :length "n" "${1}"; } fileinto "${n}";')).toEqual(['4096']);
  });

  it('a run-time cap on the number of variables', () => {
    const out = run('set "a" "1"; set "b" "2"; set "c" "3";', { limits: { maxVariables: 2 } });
    expect(out.error).toMatchObject({ phase: 'runtime', code: 'too-many-variables', line: 2 });
  });
});

describe('references', () => {
  it.each([
    ['unknown variables are empty', 'fileinto "A${undefined}B";', 'AB'],
    ['names are case-insensitive', 'set "Folder" "Mixed"; fileinto "${FOLDER}-${folder}";', 'Mixed-Mixed'],
    ['no recursive expansion', 'set "a" "b"; set "b" "c"; fileinto "${${a}}";', '${b}'],
    ['malformed references stay literal', 'set "a" "x"; fileinto "[${ a}][${a }][${}][${][${a][$${a}][${a-b}][${1a}]";', '[${ a}][${a }][${}][${][${a][$x][${a-b}][${1a}]'],
    ['namespaced reference is empty (Pigeonhole)', 'set "a" "x"; fileinto "[${a.b}][${_a}]";', '[][]'],
    ['match index above 32 is empty (Pigeonhole)', 'if header :matches "subject" "*" { fileinto "[${2}][${33}][${100}]"; }', '[][][]'],
    ['a match keeps ${0}..${31}', `if string :matches "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ" "${'?'.repeat(36)}" { fileinto "[\${31}][\${32}][\${33}]"; }`, '[E][][]'],
    ['leading zeros in an index', 'if header :matches "subject" "*g*" { fileinto "[${01}][${0000002}]"; }', '[Meetin][ tomorrow about the 2024 budget]'],
  ])('%s', (_name, src, mailbox) => {
    expect(mailboxes(src)).toEqual([mailbox]);
  });

  it('without require "variables" nothing is expanded', () => {
    const out = dryRun('require "fileinto"; fileinto "${folder}";', MESSAGE);
    expect(out.actions).toMatchObject([{ type: 'fileinto', mailbox: '${folder}' }]);
  });
});

describe('match variables', () => {
  it.each([
    ['several stars are non-greedy, left to right', 'if header :matches "subject" "*t*o*" { fileinto "${1}|${2}|${3}"; }', ['Mee|ing t|morrow about the 2024 budget']],
    ['${0} is the whole value', 'if address :matches :domain "from" "*.org" { fileinto "${0}|${1}"; }', ['example.org|example']],
    ['? captures one character', 'if header :matches "subject" "M??ting *" { fileinto "${1}${2}-${3}"; }', ['ee-tomorrow about the 2024 budget']],
    ['adjacent stars: the first takes nothing', 'if string :matches "abc" "a**c" { fileinto "[${1}][${2}]"; }', ['[][b]']],
    ['a failed :matches keeps the old values', 'if header :matches "subject" "Meeting *" { set "x" "1"; }\nif header :matches "subject" "Nothing *" { set "x" "2"; }\nfileinto "${1}";', ['tomorrow about the 2024 budget']],
    ['a successful :is or :contains keeps them', 'if header :matches "subject" "* tomorrow *" { set "a" "${1}"; }\nif header :contains "subject" "budget" { set "b" "${1}"; }\nif header :is "subject" "Meeting tomorrow about the 2024 budget" { set "c" "${1}"; }\nfileinto "${a}-${b}-${c}";', ['Meeting-Meeting-Meeting']],
    ['a :matches without wildcard resets ${1}', 'if header :matches "subject" "Meeting *" { set "x" "1"; }\nif header :matches "subject" "Meeting tomorrow about the 2024 budget" { fileinto "[${0}][${1}]"; }', ['[Meeting tomorrow about the 2024 budget][]']],
    ['a missing header keeps them', 'if header :matches "subject" "Meeting *" { set "x" "1"; }\nif header :matches "x-none" "*" { set "x" "2"; }\nfileinto "${1}";', ['tomorrow about the 2024 budget']],
    ['captures keep their case', 'if string :matches "HELLO" "H*L*" { fileinto "${1}-${2}"; }', ['E-LO']],
    ['escaped wildcards are literal', 'if string :matches "a*b" "a\\\\*b" { fileinto "star"; } if string :matches "axb" "a\\\\*b" { fileinto "x"; }', ['star']],
  ])('%s', (_name, src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });

  it('"?" takes one octet of UTF-8, as in Pigeonhole', () => {
    expect(mailboxes('if string :matches "ü" "?" { fileinto "one"; } if string :matches "ü" "??" { fileinto "two"; } if string :matches "üx" "???" { fileinto "three"; }')).toEqual(['two', 'three']);
    expect(mailboxes('if string :matches "aü" "a*" { fileinto "${1}"; }')).toEqual(['ü']);
    expect(mailboxes('if string :matches "aüb" "a??*" { fileinto "${3}"; }')).toEqual(['b']);
  });
});

describe('string test', () => {
  it.each([
    ['defaults to i;octet, as Pigeonhole', 'if string :is "HELLO" "hello" { fileinto "casemap"; } if string :contains "HELLO" "ELL" { fileinto "octet"; }', ['octet']],
    ['an explicit comparator', 'if string :comparator "i;ascii-casemap" :is "HELLO" "hello" { fileinto "casemap"; }', ['casemap']],
    ['any source string', 'set "v" "Hello"; if string :contains ["a", "${v}"] "ell" { fileinto "List"; }', ['List']],
    ['captures', 'set "addr" "team-sales@example.com"; if string :matches "${addr}" "team-*@*" { fileinto "${1}"; }', ['sales']],
    [':count leaves out empty strings', 'set "e" ""; if string :count "eq" ["a", "${e}", "b"] "2" { fileinto "two"; } if string :count "eq" "" "0" { fileinto "zero"; }', ['two', 'zero']],
    [':count with i;ascii-numeric', 'if string :count "ge" :comparator "i;ascii-numeric" ["a", "b", "c"] "3" { fileinto "three"; }', ['three']],
    [':value', 'if string :value "gt" :comparator "i;ascii-numeric" "10" "9" { fileinto "gt"; }', ['gt']],
    ['empty matches empty', 'if string :is "" "" { fileinto "empty"; }', ['empty']],
  ])('%s', (_name, src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });
});
