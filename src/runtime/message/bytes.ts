/**
 * Byte <-> string helpers for the message view. Pure: Uint8Array and TextDecoder
 * only (no Buffer), so the runtime stays free of Node modules.
 */

/** Strict UTF-8: throws on malformed input so that we can fall back to latin1. BOM kept (exact). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Chunk size for String.fromCharCode.apply (stays well below engine argument limits). */
const CHUNK = 8192;

/** Native windows-1252, when this Node has the encoding (full ICU, the default build). */
const windows1252 = (() => {
  try {
    return new TextDecoder('windows-1252');
  } catch {
    return undefined;
  }
})();
const ABOVE_LATIN1 = /[^\x00-\xff]/;

/**
 * ISO-8859-1 decoding: byte N becomes U+00NN. Note that TextDecoder('latin1') would be
 * windows-1252 per the WHATWG Encoding spec, which is not reversible for 0x80-0x9F.
 */
export function latin1Decode(bytes: Uint8Array): string {
  // That decoder is native and ~8× faster than the loop below. It reads every byte as
  // ISO-8859-1 does except 0x80-0x9F, which it maps above U+00FF (or to themselves: 0x81,
  // 0x8D, 0x8F, 0x90, 0x9D), so a result with nothing above U+00FF is the ISO-8859-1 text.
  // (Node 20's "windows-1252" is in fact ISO-8859-1, which passes this check as well.)
  if (windows1252 !== undefined) {
    const text = windows1252.decode(bytes);
    if (!ABOVE_LATIN1.test(text)) return text;
  }
  let out = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return out;
}

/** Inverse of latin1Decode; code points above U+00FF are truncated to their low byte. */
export function latin1Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/**
 * Decode bytes whose charset is not declared (raw 8-bit headers, RFC 6532 bodies, unknown
 * charsets): UTF-8 when the bytes are valid UTF-8, else ISO-8859-1, so that legacy 8-bit
 * headers keep their characters instead of becoming U+FFFD.
 */
export function utf8OrLatin1(bytes: Uint8Array): string {
  const r = tryUtf8(bytes);
  return r ?? latin1Decode(bytes);
}

/** Lenient UTF-8 that keeps a BOM, like strictUtf8: the same text for valid input. */
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Strict UTF-8 decoding, or null when the bytes are not valid UTF-8. Without exceptions in
 * the common cases (an exception costs microseconds, and 8-bit headers and bodies are
 * common): the decoder replaces each malformed sequence by U+FFFD, so a text without one
 * came from valid bytes, and when the bytes do not hold U+FFFD's own encoding (EF BF BD)
 * every U+FFFD marks an error.
 */
export function tryUtf8(bytes: Uint8Array): string | null {
  const text = lenientUtf8.decode(bytes);
  if (!text.includes('\uFFFD')) return text;
  if (!hasReplacementBytes(bytes)) return null;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

function hasReplacementBytes(bytes: Uint8Array): boolean {
  for (let i = bytes.indexOf(0xef); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) return true;
  }
  return false;
}

export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let len = 0;
  for (const c of chunks) len += c.length;
  const out = new Uint8Array(len);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/** Base64 alphabet value of each ASCII code, -1 for characters outside it (RFC 2045 §6.8). */
const B64 = new Int8Array(128).fill(-1);
const B64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < 64; i++) B64[B64_CHARS.charCodeAt(i)] = i;

/**
 * Lenient base64 decoder over bytes or a string (char codes). RFC 2045 §6.8 says characters
 * outside the alphabet must be ignored; '=' ends a quantum, and decoding resumes after it so
 * that concatenated base64 blocks ("QQ==QQ==") still decode. A lone trailing sextet is dropped.
 */
export function decodeBase64(input: Uint8Array | string): Uint8Array {
  return decodeBase64Bytes(typeof input === 'string' ? asciiBytes(input) : input);
}

/**
 * A string's characters as bytes for the decoder, those outside ASCII as 0x80 (never part of
 * the alphabet, as they were not). One decoder for both inputs: a loop over either kind
 * made V8 deoptimise it each time the other kind came along.
 */
function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = c < 128 ? c : 0x80;
  }
  return out;
}

function decodeBase64Bytes(input: Uint8Array): Uint8Array {
  const len = input.length;
  const out = new Uint8Array(Math.floor((len * 3) / 4) + 3);
  let acc = 0;
  let n = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    const c = input[i]!;
    if (c === 0x3d) {
      // '=': flush a partial quantum (2 sextets -> 1 byte, 3 sextets -> 2 bytes).
      o = flushQuantum(out, o, acc, n);
      acc = 0;
      n = 0;
      continue;
    }
    const v = c < 128 ? B64[c]! : -1;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    if (++n === 4) {
      out[o++] = (acc >> 16) & 0xff;
      out[o++] = (acc >> 8) & 0xff;
      out[o++] = acc & 0xff;
      acc = 0;
      n = 0;
    }
  }
  o = flushQuantum(out, o, acc, n);
  return out.subarray(0, o);
}

function flushQuantum(out: Uint8Array, o: number, acc: number, n: number): number {
  if (n === 2) {
    out[o++] = (acc >> 4) & 0xff;
  } else if (n === 3) {
    out[o++] = (acc >> 10) & 0xff;
    out[o++] = (acc >> 2) & 0xff;
  }
  return o;
}

export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64_CHARS[v >> 18]! + B64_CHARS[(v >> 12) & 63]! + B64_CHARS[(v >> 6) & 63]! + B64_CHARS[v & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i]! << 16;
    out += B64_CHARS[v >> 18]! + B64_CHARS[(v >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64_CHARS[v >> 18]! + B64_CHARS[(v >> 12) & 63]! + B64_CHARS[(v >> 6) & 63]! + '=';
  }
  return out;
}
