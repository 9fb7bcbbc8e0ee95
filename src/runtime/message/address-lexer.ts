/**
 * Tokenizer for RFC 5322 §3.4 address lists (with the §4.4 obsolete forms). Comments and
 * whitespace (CFWS, §3.2.2) are dropped but remembered as a `gap` before the next token.
 * Never throws; malformed constructs produce `bad` tokens or set `broken`.
 */

export type TokenKind =
  /** atom (RFC 5322 §3.2.3), incl. UTF-8 (RFC 6532) and stray printable characters */
  | 'atom'
  /** quoted-string, `value` unescaped */
  | 'quoted'
  /** domain-literal "[...]", `value` without the brackets */
  | 'literal'
  /** one of < > @ , ; : . */
  | 'special'
  /** a character that cannot start anything: ) ] \ */
  | 'bad';

export interface Token {
  readonly kind: TokenKind;
  /** Semantic value: unescaped text of a quoted string or literal, else the text itself. */
  readonly value: string;
  /** The token exactly as written. */
  readonly text: string;
  /** Whitespace or a comment came before this token. */
  readonly gap: boolean;
}

export interface Lexed {
  readonly tokens: Token[];
  /** An unterminated quoted string, comment or domain literal was found. */
  readonly broken: boolean;
}

const SPECIALS = '<>@,;:.';

export function lexAddressList(input: string): Lexed {
  const tokens: Token[] = [];
  const n = input.length;
  let broken = false;
  let gap = false;
  let i = 0;
  while (i < n) {
    const ch = input[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      gap = true;
      i++;
    } else if (ch === '(') {
      // RFC 5322 §3.2.2: comments nest and may hold quoted-pairs.
      let depth = 0;
      for (; i < n; i++) {
        const c = input[i];
        if (c === '\\') i++;
        else if (c === '(') depth++;
        else if (c === ')' && --depth === 0) break;
      }
      if (i >= n) broken = true;
      i++;
      gap = true;
    } else if (ch === '"' || ch === '[') {
      const close = ch === '"' ? '"' : ']';
      let value = '';
      let j = i + 1;
      for (; j < n && input[j] !== close; j++) {
        // quoted-pair (§3.2.1); obs-qtext/obs-dtext allow the same in literals. Written so
        // that the test and the step run for every character: a quoted-pair is rare, and an
        // operation V8 first sees run in optimised code throws that code away.
        j += j + 1 < n && input[j] === '\\' ? 1 : 0;
        value += input[j];
      }
      if (j >= n) broken = true;
      const end = Math.min(j + 1, n);
      tokens.push({ kind: ch === '"' ? 'quoted' : 'literal', value, text: input.slice(i, end), gap });
      gap = false;
      i = end;
    } else if (SPECIALS.includes(ch)) {
      tokens.push({ kind: 'special', value: ch, text: ch, gap });
      gap = false;
      i++;
    } else if (ch === ')' || ch === ']' || ch === '\\') {
      tokens.push({ kind: 'bad', value: ch, text: ch, gap });
      gap = false;
      i++;
    } else {
      let j = i + 1;
      while (j < n && !isAtomEnd(input.charCodeAt(j))) j++;
      const text = input.slice(i, j);
      tokens.push({ kind: 'atom', value: text, text, gap });
      gap = false;
      i = j;
    }
  }
  return { tokens, broken };
}

/** Characters that end an atom: whitespace, specials and the openers/closers of other tokens. */
function isAtomEnd(c: number): boolean {
  switch (c) {
    case 32: // SP
    case 9: // TAB
    case 13: // CR
    case 10: // LF
    case 40: // (
    case 41: // )
    case 34: // "
    case 91: // [
    case 93: // ]
    case 92: // \
    case 60: // <
    case 62: // >
    case 64: // @
    case 44: // ,
    case 59: // ;
    case 58: // :
    case 46: // .
      return true;
    default:
      return false;
  }
}

/** True for the tokens a phrase or local part is built from (§3.2.5 word). */
export function isWord(t: Token | undefined): boolean {
  return t !== undefined && (t.kind === 'atom' || t.kind === 'quoted');
}

export function isSpecial(t: Token | undefined, ch: string): boolean {
  return t !== undefined && t.kind === 'special' && t.value === ch;
}
