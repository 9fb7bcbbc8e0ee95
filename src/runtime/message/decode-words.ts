/**
 * RFC 2047 encoded-word decoding ("=?charset?B|Q?text?=") in any charset.
 *
 * - §6.2: whitespace between two adjacent encoded-words is not displayed, so it is dropped.
 * - Adjacent words in the same charset are decoded together: senders split multi-byte
 *   characters across words although §5 forbids it.
 * - A word that does not decode (bad base64, control characters) is left as written.
 * - Words glued to other text are decoded too, as most readers do, although §5 asks for
 *   separation by whitespace.
 * - RFC 2231 §5 allows a language suffix on the charset ("utf-8*en"); it is ignored.
 */
import { concatBytes, decodeBase64 } from './bytes.js';
import { decodeCharset, normalizeCharset } from './charset.js';

const WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
const B_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;
const WSP_ONLY = /^[ \t\r\n]*$/;

/** Decode every RFC 2047 encoded-word of `text`. Never throws. */
export function decodeWords(text: string): string {
  if (text.indexOf('=?') < 0) return text;
  let out = '';
  let last = 0;
  let pending: Uint8Array[] = [];
  let pendingCharset = '';
  let prevWasWord = false;
  const flush = (): void => {
    if (pending.length > 0) out += decodeCharset(concatBytes(pending), pendingCharset);
    pending = [];
  };
  for (const m of text.matchAll(WORD)) {
    const at = m.index;
    const gap = text.slice(last, at);
    last = at + m[0].length;
    const bytes = decodeWordText(m[2]!, m[3]!);
    if (bytes === null) {
      flush();
      out += gap + m[0];
      prevWasWord = false;
      continue;
    }
    const charset = normalizeCharset(m[1]!);
    if (prevWasWord && WSP_ONLY.test(gap)) {
      if (charset !== pendingCharset) flush();
    } else {
      flush();
      out += gap;
    }
    pending.push(bytes);
    pendingCharset = charset;
    prevWasWord = true;
  }
  flush();
  return out + text.slice(last);
}

/** The octets of one word's encoded-text, or null when it is not valid B or Q text. */
function decodeWordText(encoding: string, encoded: string): Uint8Array | null {
  if (encoding === 'b' || encoding === 'B') {
    // RFC 2047 §4.1: base64; missing padding is tolerated, a stray sextet is not.
    if (!B_TEXT.test(encoded)) return null;
    const sextets = encoded.replace(/=+$/, '').length;
    if (sextets % 4 === 1) return null;
    return decodeBase64(encoded);
  }
  return decodeQ(encoded);
}

/** RFC 2047 §4.2: "_" is a space, "=XX" an octet; a malformed "=" stays literal. */
function decodeQ(encoded: string): Uint8Array | null {
  const out = new Uint8Array(encoded.length);
  let o = 0;
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return null;
    if (c === 0x5f) {
      out[o++] = 0x20;
    } else if (c === 0x3d && isHex(encoded, i + 1) && isHex(encoded, i + 2)) {
      out[o++] = parseInt(encoded.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      out[o++] = c;
    }
  }
  return out.subarray(0, o);
}

function isHex(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
