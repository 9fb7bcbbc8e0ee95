/**
 * From source text to the generic AST: lexing, parsing, and the CST → AST pass.
 * Every lexical and syntax error becomes a diagnostic; nothing here throws on user input.
 */
import type { CstNode, IToken } from 'chevrotain';
import type { Argument, CommandNode, Script, StringListArgument, StringLiteral, TestNode } from './ast.js';
import { DiagnosticSink, joinSpans, type Span } from './diagnostics.js';
import { parseTokens } from './parser.js';
import { sieveLexer } from './tokens.js';

export function tokenSpan(t: IToken): Span {
  return {
    offset: t.startOffset,
    length: Math.max(1, (t.endOffset ?? t.startOffset) - t.startOffset + 1),
    line: t.startLine ?? 1,
    column: t.startColumn ?? 1,
  };
}

/** RFC 5228 §2.4.2: a backslash quotes the next character, whatever it is. */
export function unquote(image: string): string {
  const inner = image.slice(1, -1);
  if (!inner.includes('\\')) return inner;
  return inner.replace(/\\([\s\S])/g, '$1');
}

/** RFC 5228 §2.4.2: multi-line text, dot-unstuffed, with CRLF line ends including the last one. */
export function multilineValue(image: string): string {
  const firstEol = image.indexOf('\n');
  const lines = image.slice(firstEol + 1).split(/\r?\n/);
  lines.pop(); // after the final "." line's newline (or the "." itself at EOF)
  if (lines[lines.length - 1] === '.') lines.pop();
  return lines.map((l) => (l.startsWith('..') ? l.slice(1) : l) + '\r\n').join('');
}

const QUANTIFIERS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Numbers beyond this are refused: RFC 5228 only asks for 2^31 - 1, Pigeonhole goes to 2^63. */
export const MAX_NUMBER = Number.MAX_SAFE_INTEGER;

export function parseNumber(image: string): number {
  const last = image[image.length - 1]!.toLowerCase();
  const factor = QUANTIFIERS[last];
  const digits = factor ? image.slice(0, -1) : image;
  return Number(digits) * (factor ?? 1);
}

interface Children {
  [key: string]: Array<CstNode | IToken> | undefined;
}

function kids(node: CstNode): Children {
  return node.children as Children;
}

function tokens(c: Children, name: string): IToken[] {
  return (c[name] ?? []) as IToken[];
}

function nodes(c: Children, name: string): CstNode[] {
  return (c[name] ?? []) as CstNode[];
}

class AstBuilder {
  constructor(private readonly sink: DiagnosticSink) {}

  script(node: CstNode): Script {
    return { commands: nodes(kids(node), 'command').map((n) => this.command(n)) };
  }

  private command(node: CstNode): CommandNode {
    const c = kids(node);
    const id = tokens(c, 'Identifier')[0]!;
    const { args, tests, testList, end } = this.arguments(nodes(c, 'arguments')[0]!);
    const blockNode = nodes(c, 'block')[0];
    const nameSpan = tokenSpan(id);
    let last = end ?? nameSpan;
    let block: CommandNode[] | undefined;
    if (blockNode) {
      const bc = kids(blockNode);
      block = nodes(bc, 'command').map((n) => this.command(n));
      const close = tokens(bc, 'RCurly')[0];
      if (close) last = tokenSpan(close);
    } else {
      const semi = tokens(c, 'Semicolon')[0];
      if (semi) last = tokenSpan(semi);
    }
    return { kind: 'command', name: id.image.toLowerCase(), nameSpan, span: joinSpans(nameSpan, last), args, tests, testList, block };
  }

  private test(node: CstNode): TestNode {
    const c = kids(node);
    const id = tokens(c, 'Identifier')[0]!;
    const nameSpan = tokenSpan(id);
    const { args, tests, testList, end } = this.arguments(nodes(c, 'arguments')[0]!);
    return { kind: 'test', name: id.image.toLowerCase(), nameSpan, span: joinSpans(nameSpan, end ?? nameSpan), args, tests, testList };
  }

  private arguments(node: CstNode): { args: Argument[]; tests: TestNode[]; testList: boolean; end?: Span } {
    const c = kids(node);
    const args: Argument[] = nodes(c, 'argument').map((n) => this.argument(n));
    let end: Span | undefined = args.length ? args[args.length - 1]!.span : undefined;
    const single = nodes(c, 'test')[0];
    const list = nodes(c, 'testList')[0];
    if (single) {
      const t = this.test(single);
      return { args, tests: [t], testList: false, end: t.span };
    }
    if (list) {
      const lc = kids(list);
      const tests = nodes(lc, 'test').map((n) => this.test(n));
      const close = tokens(lc, 'RParen')[0];
      end = close ? tokenSpan(close) : tests[tests.length - 1]?.span ?? end;
      return { args, tests, testList: true, end };
    }
    return { args, tests: [], testList: false, end };
  }

  private argument(node: CstNode): Argument {
    const c = kids(node);
    const num = tokens(c, 'NumberLiteral')[0];
    if (num) {
      const value = parseNumber(num.image);
      const span = tokenSpan(num);
      if (!Number.isSafeInteger(value)) this.sink.error('number-too-large', span, `number ${num.image} is too large`);
      return { kind: 'number', value, span };
    }
    const tag = tokens(c, 'Tag')[0];
    if (tag) return { kind: 'tag', name: tag.image.slice(1).toLowerCase(), span: tokenSpan(tag) };
    return this.stringList(nodes(c, 'stringList')[0]!);
  }

  private stringList(node: CstNode): StringListArgument {
    const c = kids(node);
    const items = nodes(c, 'string').map((n) => this.string(n));
    const open = tokens(c, 'LBracket')[0];
    const close = tokens(c, 'RBracket')[0];
    if (open) {
      const span = joinSpans(tokenSpan(open), close ? tokenSpan(close) : items[items.length - 1]?.span ?? tokenSpan(open));
      return { kind: 'string-list', items, bracketed: true, span };
    }
    return { kind: 'string-list', items, bracketed: false, span: items[0]!.span };
  }

  private string(node: CstNode): StringLiteral {
    const c = kids(node);
    const quoted = tokens(c, 'QuotedString')[0];
    if (quoted) return { kind: 'string', value: unquote(quoted.image), multiline: false, span: tokenSpan(quoted) };
    const ml = tokens(c, 'MultiLine')[0]!;
    return { kind: 'string', value: multilineValue(ml.image), multiline: true, span: tokenSpan(ml) };
  }
}

const LEX_ERRORS = {
  UnterminatedString: ['unterminated-string', 'string is not terminated: a closing " is missing'],
  UnterminatedComment: ['unterminated-comment', 'bracket comment is not terminated: */ is missing'],
  UnterminatedMultiLine: ['unterminated-multiline', 'text: block is not terminated: a line with a single "." is missing'],
} as const;

/** Span of the end of the source, for errors reported at EOF (chevrotain gives NaN there). */
function endSpan(source: string): Span {
  const lines = source.split('\n');
  const lastLine = lines[lines.length - 1] ?? '';
  return { offset: Math.max(0, source.length - 1), length: 1, line: lines.length, column: Math.max(1, lastLine.length) };
}

const BYTE_ORDER_MARK = 0xfeff;

/** `"@"`, or `U+200B` for a character that does not show (controls, format characters, odd spaces). */
function describeCharacter(source: string, offset: number): string {
  const cp = source.codePointAt(offset) ?? 0;
  const char = String.fromCodePoint(cp);
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(char) ? JSON.stringify(char) : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function parseScript(source: string, sink: DiagnosticSink): Script | undefined {
  const lexed = sieveLexer.tokenize(source);
  for (const e of lexed.errors) {
    const span = { offset: e.offset, length: Math.max(1, e.length), line: e.line ?? 1, column: e.column ?? 1 };
    if (e.offset === 0 && source.charCodeAt(0) === BYTE_ORDER_MARK) {
      // Pigeonhole refuses it too ("unexpected character(s) starting with 0xef", checked with
      // sieve-test 0.5.19), so a script that compiles here compiles there. Editors hide it.
      sink.error('byte-order-mark', { ...span, length: 1 }, 'byte-order mark (U+FEFF) at the start of the file: Sieve scripts are UTF-8 without one; save the file without it');
      if (e.length > 1) sink.error('unexpected-character', { ...span, offset: 1, column: 2, length: e.length - 1 }, `unexpected character ${describeCharacter(source, 1)}`);
      continue;
    }
    sink.error('unexpected-character', span, `unexpected character ${describeCharacter(source, e.offset)}`);
  }
  const good: IToken[] = [];
  for (const t of lexed.tokens) {
    const bad = LEX_ERRORS[t.tokenType.name as keyof typeof LEX_ERRORS];
    if (bad) sink.error(bad[0], { ...tokenSpan(t), length: 1 }, bad[1]);
    else good.push(t);
  }
  const parsed = parseTokens(good);
  for (const e of parsed.errors) {
    const atEof = Number.isNaN(e.token.startOffset) || e.token.tokenType.name === 'EOF';
    const span = atEof ? (good.length ? { ...tokenSpan(good[good.length - 1]!) } : endSpan(source)) : tokenSpan(e.token);
    const found = atEof ? 'end of script' : JSON.stringify(e.token.image);
    sink.error('syntax-error', span, `${describeParserError(e.message)}, found ${found}`);
  }
  if (sink.hasErrors) return undefined;
  return new AstBuilder(sink).script(parsed.cst);
}

/** Turn chevrotain's messages into the Sieve vocabulary users know. */
function describeParserError(message: string): string {
  const expecting = /Expecting[^-]*--> (\S+) <--/.exec(message);
  const names: Record<string, string> = {
    "';'": '";"', Semicolon: '";"', RCurly: '"}"', RParen: '")"', RBracket: '"]"', Identifier: 'a command or test name',
  };
  if (expecting) return `expected ${names[expecting[1]!.replace(/'/g, '')] ?? expecting[1]}`;
  if (/one of these possible Token sequences/.test(message) && /Semicolon|';'/.test(message)) return 'expected ";" or a block';
  if (/Redundant input/.test(message)) return 'unexpected input';
  return 'syntax error';
}
