/**
 * The lexical grammar of RFC 5228 §8.1, as chevrotain tokens.
 *
 *   identifier   = (ALPHA / "_") *(ALPHA / DIGIT / "_")
 *   tag          = ":" identifier
 *   number       = 1*DIGIT [ QUANTIFIER ]        ; QUANTIFIER = "K" / "M" / "G"
 *   quoted-string = DQUOTE quoted-text DQUOTE    ; "\" escapes the next character
 *   multi-line   = "text:" *(SP / HTAB) (hash-comment / CRLF)
 *                  *(multiline-literal / multiline-dotstart) "." CRLF
 *   comment      = bracket-comment / hash-comment
 *
 * Unterminated strings and comments get tokens of their own, so that they become
 * precise diagnostics instead of a cascade of "unexpected character" errors.
 */
import { createToken, Lexer, type CustomPatternMatcherReturn, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED, line_breaks: true });
export const HashComment = createToken({ name: 'HashComment', pattern: /#[^\r\n]*/, group: Lexer.SKIPPED });
export const BracketComment = createToken({ name: 'BracketComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED, line_breaks: true });
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, line_breaks: true });

/** `text:` up to a line holding a single "." (RFC 5228 §2.4.2). CRLF and bare LF are both accepted. */
function matchMultiLine(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (text.charCodeAt(offset) !== 0x74 /* t */ && text.charCodeAt(offset) !== 0x54) return null;
  const head = /text:[ \t]*(#[^\r\n]*)?\r?\n/iy;
  head.lastIndex = offset;
  if (!head.exec(text)) return null;
  let pos = head.lastIndex;
  while (pos < text.length) {
    const eol = text.indexOf('\n', pos);
    const lineEnd = eol === -1 ? text.length : eol;
    const line = text.slice(pos, lineEnd).replace(/\r$/, '');
    if (line === '.') {
      const end = eol === -1 ? text.length : eol + 1;
      return [text.slice(offset, end)] as unknown as CustomPatternMatcherReturn;
    }
    if (eol === -1) break;
    pos = eol + 1;
  }
  return null;
}

export const MultiLine = createToken({
  name: 'MultiLine',
  pattern: { exec: matchMultiLine },
  line_breaks: true,
  start_chars_hint: ['t', 'T'],
});
/** `text:` whose terminating "." line never comes. */
export const UnterminatedMultiLine = createToken({
  name: 'UnterminatedMultiLine',
  pattern: /text:[ \t]*(#[^\r\n]*)?\r?\n[\s\S]*/i,
  line_breaks: true,
  start_chars_hint: ['t', 'T'],
});

export const QuotedString = createToken({ name: 'QuotedString', pattern: /"(?:[^"\\]|\\[\s\S])*"/, line_breaks: true });
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\]|\\[\s\S])*\\?/, line_breaks: true });
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /[0-9]+[KMGkmg]?/ });
export const Tag = createToken({ name: 'Tag', pattern: /:[A-Za-z_][A-Za-z0-9_]*/ });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/ });
export const LCurly = createToken({ name: 'LCurly', pattern: /\{/ });
export const RCurly = createToken({ name: 'RCurly', pattern: /\}/ });

/** Token order matters: chevrotain takes the first pattern that matches. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  HashComment,
  BracketComment,
  UnterminatedComment,
  MultiLine,
  UnterminatedMultiLine,
  QuotedString,
  UnterminatedString,
  NumberLiteral,
  Tag,
  Identifier,
  Semicolon,
  Comma,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
];

/** One lexer for the process; chevrotain lexers are stateless between calls. */
export const sieveLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });
