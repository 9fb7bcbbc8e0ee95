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
      let j = i + 1;
      while (j < len && isSpace(input[j]!)) j++;
      if (j >= len) {
        i = len; // "=" at the very end: a soft break before end of data
      } else if (input[j] === LF) {
        i = j;
      } else if (input[j] === CR && j + 1 < len && input[j + 1] === LF) {
        i = j + 1;
      } else {
        out[o++] = c;
      }
    } else if (isSpace(c)) {
      let j = i + 1;
      while (j < len && isSpace(input[j]!)) j++;
      const eol = j >= len || input[j] === LF || (input[j] === CR && j + 1 < len && input[j + 1] === LF);
      if (!eol) {
        // Copied by hand: a subarray per run of spaces (every gap between words) is garbage.
        for (let k = i; k < j; k++) out[o++] = input[k]!;
      }
      i = j - 1; // at the end of a line the run is transport padding, dropped
    } else {
      out[o++] = c;
    }
  }
  return out.subarray(0, o);
}
