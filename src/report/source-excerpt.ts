/**
 * The source line shown under a diagnostic, made safe to print: at most a window of
 * EXCERPT_WIDTH characters around the column (a minified or binary "rules file" can be one
 * line of a megabyte, which used to be printed whole, once per diagnostic), and every
 * character that would not show, or would act on the terminal, replaced by one that does:
 *
 *   - C0 controls and DEL as their Control Pictures (U+2400–U+2421: NUL is "␀", ESC "␛"),
 *     so escape sequences in a file are shown, never run;
 *   - a tab as one space (one column per character keeps the caret under the column);
 *   - C1 controls, format characters (U+FEFF, U+200B, the bidi controls U+202A–U+202E and
 *     U+2066–U+2069), line/paragraph separators and lone surrogates as "�";
 *   - spaces other than U+0020 (no-break space and the like) as "·".
 *
 * Each source character (UTF-16 unit, as diagnostics count columns) becomes exactly one
 * character here, so the caret's offset is the column's. On a terminal, a character whose
 * cells differ from its units still shifts the caret, as it did: each CJK character (one
 * unit, two cells) a cell to the left, a one-cell astral character (𝐀: two units) a cell
 * to the right; emoji (two units, two cells) do not.
 */

/** Characters of the source line shown at most; the column sits in the first third. */
export const EXCERPT_WIDTH = 120;

const ELLIPSIS = '…';

export interface SourceExcerpt {
  /** The line to print (with "…" where it was cut). */
  readonly text: string;
  /** 0-based position of the caret in `text`. */
  readonly caret: number;
  /** How many "^" to print (at least 1). */
  readonly width: number;
}

function visible(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c === 0x09) return ' ';
  if (c < 0x20) return String.fromCharCode(0x2400 + c);
  if (c === 0x7f) return '\u2421';
  if (c === 0x20) return ch;
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u.test(ch)) return '\uFFFD';
  if (/\p{Zs}/u.test(ch)) return '\u00B7';
  return ch;
}

/**
 * `line` rendered visibly, one output character per UTF-16 unit (surrogate pairs kept whole).
 * Also what format-diagnostics.ts prints a message through: messages quote the source.
 */
export function visibleText(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    const next = line.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += line.slice(i, i + 2);
      i++;
    } else {
      out += visible(line[i]!);
    }
  }
  return out;
}

/** Moves `i` off the second half of a surrogate pair, so that a cut never splits one. */
function pairStart(line: string, i: number): number {
  const c = line.charCodeAt(i);
  return i > 0 && c >= 0xdc00 && c <= 0xdfff && (line.charCodeAt(i - 1) & 0xfc00) === 0xd800 ? i - 1 : i;
}

/**
 * The part of `line` to show for a span at 1-based `column` of `length` characters. The
 * window is cut from the raw line first, so a huge line is never rendered whole.
 */
export function sourceExcerpt(line: string, column: number, length: number): SourceExcerpt {
  const at = Math.max(0, column - 1);
  if (line.length <= EXCERPT_WIDTH) {
    return { text: visibleText(line), caret: at, width: Math.max(1, Math.min(length, line.length - at)) };
  }
  const start = pairStart(line, Math.max(0, Math.min(at - Math.floor(EXCERPT_WIDTH / 3), line.length - EXCERPT_WIDTH)));
  const end = pairStart(line, Math.min(line.length, start + EXCERPT_WIDTH));
  const head = start > 0 ? ELLIPSIS : '';
  const tail = end < line.length ? ELLIPSIS : '';
  const caret = head.length + (at - start);
  return { text: head + visibleText(line.slice(start, end)) + tail, caret, width: Math.max(1, Math.min(length, end - at)) };
}
