/** RFC 5228 §8.1 lexical grammar: comments, strings, multi-line text, numbers, lists, tags, blocks. */
import { describe, expect, it } from 'vitest';
import { parseScript, multilineValue, parseNumber, unquote } from '../../src/dsl/build-ast.js';
import { DiagnosticSink } from '../../src/dsl/diagnostics.js';
import type { StringListArgument } from '../../src/dsl/ast.js';

function parse(src: string) {
  const sink = new DiagnosticSink();
  const script = parseScript(src, sink);
  return { script, diagnostics: sink.items };
}

function firstStrings(src: string): string[] {
  const { script, diagnostics } = parse(src);
  expect(diagnostics).toEqual([]);
  return (script!.commands[0]!.args[0] as StringListArgument).items.map((i) => i.value);
}

describe('strings', () => {
  it.each([
    ['"plain"', 'plain'],
    ['"a\\"b"', 'a"b'],
    ['"back\\\\slash"', 'back\\slash'],
    ['"undefined \\q escape"', 'undefined q escape'],
    ['"two\r\nlines"', 'two\r\nlines'],
  ])('quoted %s', (lit, value) => {
    expect(firstStrings(`x ${lit};`)).toEqual([value]);
    expect(unquote(lit)).toBe(value);
  });

  it('multi-line text: dot-stuffing undone, CRLF line ends, final CRLF kept', () => {
    expect(firstStrings('x text:\n..leading dot\nplain\n.\n;')).toEqual(['.leading dot\r\nplain\r\n']);
    expect(multilineValue('text: # comment\r\nline\r\n.\r\n')).toBe('line\r\n');
  });

  it('string lists keep order', () => {
    expect(firstStrings('x ["a", "b", text:\nc\n.\n];')).toEqual(['a', 'b', 'c\r\n']);
  });
});

describe('numbers', () => {
  it.each([
    ['0', 0],
    ['10', 10],
    ['1K', 1024],
    ['2k', 2048],
    ['3M', 3 * 1024 ** 2],
    ['1G', 1024 ** 3],
  ])('%s = %d', (image, value) => {
    expect(parseNumber(image)).toBe(value);
  });

  it('refuses numbers beyond 2^53', () => {
    expect(parse('x 99999999999999999999;').diagnostics).toEqual([expect.objectContaining({ code: 'number-too-large', line: 1, column: 3 })]);
  });
});

describe('comments and structure', () => {
  it('skips hash and bracket comments anywhere', () => {
    const { script, diagnostics } = parse('# top\nkeep /* inline */ ; /* multi\nline */ discard; # end');
    expect(diagnostics).toEqual([]);
    expect(script!.commands.map((c) => c.name)).toEqual(['keep', 'discard']);
  });

  it('parses tags, numbers, tests, test lists and nested blocks', () => {
    const { script } = parse('if anyof (size :over 1K, not exists "x") { if true { stop; } }');
    const cmd = script!.commands[0]!;
    expect(cmd.tests[0]!.name).toBe('anyof');
    expect(cmd.tests[0]!.tests.map((t) => t.name)).toEqual(['size', 'not']);
    expect(cmd.tests[0]!.tests[0]!.args.map((a) => a.kind)).toEqual(['tag', 'number']);
    expect(cmd.block![0]!.block![0]!.name).toBe('stop');
  });

  it('accepts upper-case identifiers and tags, as Pigeonhole does', () => {
    const { script } = parse('IF Header :CONTAINS "Subject" "x" { DISCARD; }');
    expect(script!.commands[0]!.name).toBe('if');
    expect(script!.commands[0]!.tests[0]!.args[0]).toMatchObject({ kind: 'tag', name: 'contains' });
  });
});

describe('lexical and syntax errors', () => {
  it.each([
    ['fileinto "never closed;', 'unterminated-string', 1, 10],
    ['keep; /* never closed', 'unterminated-comment', 1, 7],
    ['x text:\nno end\n', 'unterminated-multiline', 1, 3],
    ['keep; @', 'unexpected-character', 1, 7],
    ['keep', 'syntax-error', 1, 1],
    ['if true { keep;', 'syntax-error', 1, 15],
    ['x ["a" "b"];', 'syntax-error', 1, 8],
  ])('%j → %s at %d:%d', (src, code, line, column) => {
    expect(parse(src).diagnostics[0]).toMatchObject({ code, line, column });
  });

  it('reports several syntax errors in one pass', () => {
    const { diagnostics } = parse('keep; @ discard; # ok\nstop; $\n');
    expect(diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['unexpected-character', 1],
      ['unexpected-character', 2],
    ]);
  });
});
