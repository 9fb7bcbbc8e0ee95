/**
 * Content-Transfer-Encoding decoding (RFC 2045 §6). Lenient and total: malformed input
 * decodes to something rather than throwing.
 */
import { decodeBase64 } from './bytes.js';

/** Undo `cte` (any case; '' means 7bit). Unknown encodings are passed through. */
export function decodeTransfer(bytes: Uint8Array, cte: string): Uint8Array {
  switch (cte) {
    case 'base64':
      return decodeBase64(bytes);
    case 'quoted-printable':
      return decodeQuotedPrintable(bytes);
    default:
      // 7bit, 8bit, binary (§6.2 identity encodings) and unknown ones such as x-uuencode.
      return bytes;
  }
}

const CR = 0x0d;
const LF = 0x0a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * The index of the LF ending a line break at `j` (an LF, or a CRLF), or -1 when there is
 * none. Every operation here runs on every call, whatever the bytes: both loops below call
 * it at almost every space, so V8 has seen all of them before it optimises the decoder
 * (an operation that first runs in optimised code throws that code away; with LF-only
 * files the CRLF test used to run first in a late message, and the decoder was compiled
 * again: bench/README.md, section classify).
 */
function lineBreakAt(input: Uint8Array, j: number, len: number): number {
  const j1 = j + 1;
  const c = j < len ? input[j]! : 0;
  const next = j1 < len ? input[j1]! : 0;
  const lf = c === LF;
  const crlf = c === CR;
  const crlfEnd = next === LF;
  if (lf) return j;
  return crlf && crlfEnd ? j1 : -1;
}

/** The first index at or after `j` that is not a space or tab (or `len`). */
function skipSpaces(input: Uint8Array, j: number, len: number): number {
  // do-while: the increment runs on every call (see lineBreakAt), then is undone once.
  let k = j - 1;
  do k++;
  while (k < len && isSpace(input[k]!));
  return k;
}

/**
 * RFC 2045 §6.7: "=XX" is an octet (lower-case hex tolerated), "=" at the end of a line
 * (possibly followed by whitespace added in transit) is a soft line break, trailing
 * whitespace on a line is dropped, and a "=" that starts nothing valid stays literal.
 * Reads are bounds-checked: a typed array read past its end gives undefined, and such a
 * value where a number was seen before makes V8 throw away the optimised code.
 */
export function decodeQuotedPrintable(input: Uint8Array): Uint8Array {
  const len = input.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (let i = 0; i < len; i++) {
    const c = input[i]!;
    if (c === 0x3d) {
      const h = i + 1 < len ? hexValue(input[i + 1]!) : -1;
      const l = i + 2 < len ? hexValue(input[i + 2]!) : -1;
      if (h >= 0 && l >= 0) {
        out[o++] = (h << 4) | l;
        i += 2;
        continue;
      }
      const j = skipSpaces(input, i + 1, len);
      const br = lineBreakAt(input, j, len);
      if (j >= len || br >= 0) {
        // A soft line break; "=" at the very end of the data is one too.
        i = j >= len ? len : br;
        continue;
      }
      // Otherwise the "=" stays literal: copied below, by the same code as any octet.
    } else if (isSpace(c)) {
      const j = skipSpaces(input, i + 1, len);
      const eol = j >= len || lineBreakAt(input, j, len) >= 0;
      if (!eol) {
        // Copied by hand: a subarray per run of spaces (every gap between words) is garbage.
        for (let k = i; k < j; k++) out[o++] = input[k]!;
      }
      i = j - 1; // at the end of a line the run is transport padding, dropped
      continue;
    }
    out[o++] = c;
  }
  return out.subarray(0, o);
}
