/**
 * regex (draft-ietf-sieve-regex-01): POSIX ERE as glibc reads it, captures, and
 * the cost limits. Results measured with Pigeonhole 0.5.19's sieve-test, except
 * the cost refusals and :quoteregex (intended differences, see docs/rules/regex.md).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translateEre } from '../../src/extensions/lib/ere.js';
import { regexMatch } from '../../src/extensions/regex.js';
import { asciiCasemap, octet } from '../../src/runtime/comparators.js';
import { dryRun, type DryRunOptions } from '../../src/runtime/dry-run.js';
import { DEFAULT_LIMITS } from '../../src/runtime/limits.js';
import { toByteString } from '../../src/runtime/match.js';
import { fileintoMailboxes } from './helpers.js';

const MESSAGE = new TextEncoder().encode(
  'From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: Meeting tomorrow about the 2024 budget\r\n\r\nbody\r\n',
);
const R = 'require ["regex", "variables", "fileinto", "comparator-i;ascii-numeric"];\n';

function run(src: string, options: DryRunOptions = {}) {
  return dryRun(R + src, MESSAGE, options);
}

function mailboxes(src: string): string[] {
  return fileintoMailboxes(run(src));
}

/** Does `value` match `pattern` (Sieve-level strings, comparator i;octet or i;ascii-casemap)? */
function test(value: string, pattern: string, comparator = octet): string[] | null {
  let groups: string[] | null = null;
  const ok = regexMatch.match([value], [pattern], { comparator, limits: DEFAULT_LIMITS, capture: (g) => (groups = g) });
  return ok ? groups! : null;
}

describe('compile errors (same messages as glibc)', () => {
  it.each([
    ['(x', 'unmatched ( or \\('],
    ['*a', 'invalid preceding regular expression'],
    ['a|*b', 'invalid preceding regular expression'],
    ['^*', 'invalid preceding regular expression'],
    ['a$*', 'invalid preceding regular expression'],
    ['\\\\b*a', 'invalid preceding regular expression'],
    ['(?i)x', 'invalid preceding regular expression'],
    ['{x', 'invalid preceding regular expression'],
    ['a{', 'unmatched \\{'],
    ['a{2', 'unmatched \\{'],
    ['a{x}', 'invalid content of \\{\\}'],
    ['a{ 2}', 'invalid content of \\{\\}'],
    ['a{1,2,3}', 'invalid content of \\{\\}'],
    ['a{3,2}', 'invalid content of \\{\\}'],
    ['x{}', 'invalid content of \\{\\}'],
    ['a{32768}', 'regular expression too big'],
    ['[a', 'unmatched [, [^, [:, [., or [='],
    ['[[:alpha:]', 'unmatched [, [^, [:, [., or [='],
    ['[[:foo:]]', 'invalid character class name'],
    ['[[:ALPHA:]]', 'invalid character class name'],
    ['[[.hyphen.]]', 'invalid collation character'],
    ['[z-a]', 'invalid range end'],
    ['[a-c-e]', 'invalid range end'],
    ['[[:alpha:]-z]', 'invalid range end'],
    ['a\\\\', 'trailing backslash'],
    ['\\\\1', 'invalid back reference'],
    ['(a\\\\1)', 'invalid back reference'],
    ['(a)|\\\\1', 'invalid back reference'],
  ])('%s: %s', (pattern, message) => {
    const out = run(`if header :regex "subject" "${pattern}" { stop; }`);
    expect(out.error).toMatchObject({ phase: 'compile', code: 'invalid-value', line: 2 });
    expect(out.error!.message).toContain(message);
  });

  it('case-insensitive patterns are upper-cased first, as glibc does: [Z-a] becomes [Z-A]', () => {
    expect(run('if header :regex "subject" "[Z-a]" { stop; }').error).toMatchObject({ code: 'invalid-value' });
    expect(run('if header :regex :comparator "i;octet" "subject" "[Z-a]" { stop; }').error).toBeUndefined();
  });

  it.each([
    ['if header :regex :comparator "i;ascii-numeric" "subject" "a" { stop; }', 'unsupported-match'],
    ['require "relational";\nif header :regex :count "eq" "subject" "a" { stop; }', 'conflicting-tags'],
  ])('%s → %s', (src, code) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code });
  });

  it('needs require "regex"', () => {
    expect(dryRun('if header :regex "subject" "x" { discard; }', MESSAGE).error).toMatchObject({ code: 'undeclared-capability', line: 1 });
  });
});

describe('cost limits (intended difference: Pigeonhole accepts these)', () => {
  it.each([['(a+)+'], ['(a*)*'], ['(a*b)*'], ['(x{2})*'], ['(a+){2,3}'], ['(a|b+)+']])('refuses %s at compile time', (pattern) => {
    const out = run(`if header :regex "subject" "${pattern}" { stop; }`);
    expect(out.error).toMatchObject({ phase: 'compile', code: 'regex-too-costly', line: 2 });
    expect(out.error!.message).toContain('repetition inside a repetition');
  });

  it.each([['a**'], ['a+?'], ['(ab)*?'], ['([0-9]{1,3}\\\\.){3}'], ['(a+)?'], ['(ab?)+']])('accepts %s', (pattern) => {
    expect(run(`if header :regex "subject" "${pattern}" { stop; }`).error).toBeUndefined();
  });

  it('pattern length', () => {
    const long = 'a'.repeat(DEFAULT_LIMITS.maxRegexLength + 1);
    expect(run(`if header :regex "subject" "${long}" { stop; }`).error).toMatchObject({ phase: 'compile', code: 'regex-too-costly' });
    expect(run(`if header :regex "subject" "${long.slice(1)}" { stop; }`).error).toBeUndefined();
  });

  it('a costly pattern from a variable is a runtime error', () => {
    const out = run('set "p" "(a*)*";\nif header :regex "subject" "${p}" { discard; }');
    expect(out.error).toMatchObject({ phase: 'runtime', code: 'regex-too-costly', line: 3 });
    expect(out.actions).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
  });

  it('values longer than maxMatchInput are a runtime error', () => {
    const out = run('if header :regex "subject" "x" { discard; }', { limits: { maxMatchInput: 10 } });
    expect(out.error).toMatchObject({ phase: 'runtime', code: 'regex-too-costly' });
  });
});

describe('matching, in scripts', () => {
  it.each([
    ['captures', 'if header :regex "subject" "^Meet(ing) ([a-z]+)" { fileinto "${0}|${1}|${2}"; }', ['Meeting tomorrow|ing|tomorrow']],
    ['unanchored', 'if header :regex "subject" "budget" { fileinto "A"; }', ['A']],
    ['i;ascii-casemap is the default: case-insensitive', 'if header :regex "subject" "MEETING" { fileinto "A"; }', ['A']],
    ['i;octet: case-sensitive', 'if header :regex :comparator "i;octet" "subject" "MEETING" { fileinto "A"; }', []],
    ['pattern from a variable', 'set "p" "^Meet(ing)";\nif header :regex "subject" "${p}" { fileinto "A-${1}"; }', ['A-ing']],
    ['invalid pattern from a variable does not match; the next key is tried', 'set "bad" "(a";\nif header :regex "subject" "${bad}" { fileinto "B"; }\nif header :regex "subject" ["${bad}", "budget$"] { fileinto "G-${0}"; }', ['G-budget']],
    ['an unset group is empty and replaces the old ${1}', 'if header :regex "subject" "(Meet)" { set "x" "1"; }\nif header :regex "subject" "Meet|(x)" { fileinto "[${1}]"; }', ['[]']],
    ['optional group in the middle', 'if header :regex "subject" "(M)(x)?(e)" { fileinto "[${1}][${2}][${3}]"; }', ['[M][][e]']],
    ['a failed :regex keeps the old values', 'if header :regex "subject" "(Meet)" { set "x" "1"; }\nif header :regex "subject" "(nothing)" { set "x" "2"; }\nfileinto "${1}";', ['Meet']],
    ['address test', 'if address :regex :domain "from" "^(.*)\\\\.org$" { fileinto "${1}"; }', ['example']],
  ])('%s', (_name, src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });

  it(':quoteregex (needs regex; Pigeonhole 0.5.19 lacks it)', () => {
    expect(mailboxes('set :quoteregex "q" "a.b*c?d\\\\e[f]g(h)i{j}k|l^m$n+o"; fileinto "${q}";')).toEqual(['a\\.b\\*c\\?d\\\\e\\[f\\]g\\(h\\)i\\{j\\}k\\|l\\^m\\$n\\+o']);
    expect(mailboxes('set :quoteregex "q" "1+1=2?"; if string :regex "x 1+1=2? y" "${q}" { fileinto "literal"; }')).toEqual(['literal']);
    expect(run('set :quoteregex :quotewildcard "q" "x";').error).toMatchObject({ code: 'conflicting-tags' });
  });
});

describe('the ERE dialect (glibc, C locale)', () => {
  it.each([
    // [value, pattern as the regex engine sees it, comparator, expected ${0} or null]
    ['d', '\\d', 'i;octet', 'd'], // \d is not a digit class: an escaped "d"
    ['5', '\\d', 'i;octet', null],
    ['q', '\\q', 'i;ascii-casemap', null], // REG_ICASE quirk: an escaped lower-case letter never matches
    ['q', '\\Q', 'i;ascii-casemap', 'q'],
    ['n', '\\n', 'i;octet', 'n'],
    ['a b', 'a\\sb', 'i;octet', 'a b'],
    ['ab_1', '^\\w+$', 'i;octet', 'ab_1'],
    ['foo bar', '\\<bar', 'i;octet', 'bar'],
    ['foobar', '\\<bar', 'i;octet', null],
    ['foo bar', 'o\\b', 'i;octet', 'o'],
    ['foo bar', 'foo\\>', 'i;octet', 'foo'],
    ['ab', 'a\\`', 'i;octet', null],
    ['ab', "b\\'", 'i;octet', 'b'],
    ['ü', '^.$', 'i;octet', null], // "." is one octet
    ['ü', '^..$', 'i;octet', 'ü'],
    ['é', '^[é]$', 'i;octet', null], // a bracket holds octets
    ['é', '^[^a][^a]$', 'i;octet', 'é'],
    ['É', 'é', 'i;ascii-casemap', null], // ASCII-only case folding
    ['ABC', 'abc', 'i;ascii-casemap', 'ABC'],
    ['ABC', 'abc', 'i;octet', null],
    ['abab', '(ab)\\1', 'i;octet', 'abab'],
    ['aA', '(a)\\1', 'i;ascii-casemap', 'aA'],
    ['xaaay', 'a{2,}', 'i;octet', 'aaa'],
    ['x', 'a{,2}', 'i;octet', ''],
    ['x', 'a{,}', 'i;octet', ''],
    ['aaa', 'a{1000}', 'i;octet', null],
    ['a{', 'a\\{', 'i;octet', 'a{'],
    ['aaa', 'a+?', 'i;octet', 'aaa'], // (a+)?, not lazy
    ['aaa', 'a**', 'i;octet', 'aaa'],
    ['a)', 'a)', 'i;octet', 'a)'], // unmatched ")" is literal
    ['b', 'a||b', 'i;octet', ''], // Pigeonhole: "b" (leftmost-longest, see below)
    ['b', '|b', 'i;octet', ''],
    ['x', '()', 'i;octet', ''],
    [']', '[]a]', 'i;octet', ']'],
    ['b', '[^]a]', 'i;octet', 'b'],
    ['-', '[a-]', 'i;octet', '-'],
    ['-', '[-a]', 'i;octet', '-'],
    ['^', '[]-a]', 'i;octet', '^'],
    ['a\\b', '[\\]', 'i;octet', '\\'], // backslash is literal in a bracket
    ['-', '[[.-.]]', 'i;octet', '-'],
    ['a', '[[=a=]]', 'i;ascii-casemap', 'a'],
    ['ab', '[[:upper:]]b', 'i;ascii-casemap', 'ab'], // [:upper:] is [:alpha:] under REG_ICASE
    ['ab', '[[:upper:]]b', 'i;octet', null],
    ['a', '[^A]', 'i;ascii-casemap', null],
    ['\n', '.', 'i;octet', '\n'], // no REG_NEWLINE
    ['\n', '[^a]', 'i;octet', '\n'],
    ['a$b', 'a$b', 'i;octet', null],
    ['x\0y', 'y', 'i;octet', null], // the value ends at a NUL, as a C string
    ['Hello World', '[[:upper:]][[:lower:]]+ [[:alpha:]]+', 'i;octet', 'Hello World'],
    ['tab\there', '[[:blank:]]h', 'i;octet', '\th'],
    ['x9F', '[[:xdigit:]]{2}', 'i;octet', '9F'],
    ['a.b', '[[:punct:]]', 'i;octet', '.'],
    ['ab', '(a)(b)?c|ab', 'i;octet', 'ab'],
  ] as const)('%j ~ %s (%s)', (value, pattern, comparator, expected) => {
    const groups = test(value, pattern, comparator === 'i;octet' ? octet : asciiCasemap);
    expect(groups === null ? null : groups[0]).toBe(expected);
  });

  it('captures leftmost-first where glibc is leftmost-longest (documented difference)', () => {
    expect(test('ab', 'a|ab')?.[0]).toBe('a'); // Pigeonhole: "ab"
    expect(test('a', '(|a)')).toEqual(['', '']); // Pigeonhole: "a", "a"
    expect(test('abcd', '(a|ab)(c|bcd)')).toEqual(['abcd', 'a', 'bcd']); // same as Pigeonhole
  });

  it('translates to plain JS', () => {
    expect(translateEre('a+?', false)).toEqual({ ok: true, source: 'a*', groups: 0 });
    expect(translateEre('(a)\\1b{2}', false)).toEqual({ ok: true, source: '(a)(?:\\1)b{2}', groups: 1 });
    expect(translateEre('x.y', true)).toEqual({ ok: true, source: 'X[\\s\\S]Y', groups: 0 });
    expect(translateEre(toByteString('é'), false)).toEqual({ ok: true, source: '\\xc3\\xa9', groups: 0 });
  });
});

describe('robustness', () => {
  const token = fc.constantFrom('a', 'B', '.', '*', '+', '?', '|', '(', ')', '[', ']', '^', '$', '{', '}', ',', '2', '-', '\\', ':', '=', 'w', '<', '1', '[:alpha:]', 'é', '/', '\n');
  it('any pattern translates to valid JS or is refused, never throws', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 20 }), fc.boolean(), (tokens, icase) => {
        const result = translateEre(toByteString(tokens.join('')), icase);
        if (result.ok) expect(() => new RegExp(result.source, 'd')).not.toThrow();
        else expect(result.message).not.toBe('');
      }),
      { numRuns: 3000 },
    );
  });
});
