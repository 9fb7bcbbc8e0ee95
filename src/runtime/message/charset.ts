/**
 * Charset conversion for MIME text (RFC 2046 §4.1.2) and RFC 2047 encoded-words.
 * iconv-lite covers the single- and double-byte charsets; ISO-2022-JP, which iconv-lite
 * lacks, is transcoded to EUC-JP first. Never throws: an unknown charset is decoded as
 * UTF-8 when the bytes are valid UTF-8, else as ISO-8859-1.
 */
import iconv from 'iconv-lite';
import { latin1Decode, utf8OrLatin1 } from './bytes.js';

/** How a (normalised) charset name is decoded. A string is an iconv-lite encoding name. */
type Decoder = 'utf8' | 'fallback' | 'iso2022jp' | string;

const utf8Lenient = new TextDecoder('utf-8');

/**
 * iconv-lite codecs that are not charsets a message is written in: UTF-7 can smuggle markup
 * past filters, base64/hex are transfer encodings. They get the unknown-charset treatment.
 */
const REFUSED = new Set(['utf7', 'utf7imap', 'base64', 'hex'].map((n) => iconv.getCodec(n)));

const cache = new Map<string, Decoder>();
/** Charset names come from untrusted mail: bound the cache. */
const CACHE_MAX = 512;

/** Lower-case, unquoted, without an RFC 2231 §5 language suffix ("utf-8*en"). */
export function normalizeCharset(name: string): string {
  let cs = name.trim().toLowerCase();
  if (cs.length > 1 && (cs[0] === '"' || cs[0] === "'")) cs = cs.slice(1, -1).trim();
  const star = cs.indexOf('*');
  return star >= 0 ? cs.slice(0, star) : cs;
}

function resolve(cs: string): Decoder {
  const hit = cache.get(cs);
  if (hit !== undefined) return hit;
  let d: Decoder;
  if (cs === 'utf-8' || cs === 'utf8') d = 'utf8';
  else if (cs === '' || cs === 'us-ascii' || cs === 'ascii' || cs === 'ansi_x3.4-1968') {
    // 8-bit bytes in "us-ascii" text are common; guess rather than mangle them.
    d = 'fallback';
  } else if (/^(cs)?iso-?2022-?jp/.test(cs) || cs === 'jis') d = 'iso2022jp';
  else if (iconv.encodingExists(cs) && !REFUSED.has(iconv.getCodec(cs))) d = cs;
  else d = 'fallback';
  if (cache.size < CACHE_MAX) cache.set(cs, d);
  return d;
}

/** Decode `bytes` written in `charset` (any spelling). Never throws. */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  const d = resolve(normalizeCharset(charset));
  try {
    if (d === 'utf8') return utf8Lenient.decode(bytes);
    if (d === 'fallback') return utf8OrLatin1(bytes);
    if (d === 'iso2022jp') return iconv.decode(iso2022jpToEucJp(bytes), 'euc-jp');
    return iconv.decode(bytes, d);
  } catch {
    return latin1Decode(bytes);
  }
}

/** Is this a charset we can convert (rather than guess)? */
export function isKnownCharset(charset: string): boolean {
  return resolve(normalizeCharset(charset)) !== 'fallback';
}

const ESC = 0x1b;

/**
 * ISO-2022-JP (RFC 1468) to EUC-JP: the JIS X 0208 / 0212 byte pairs of the 7-bit form are
 * the EUC-JP bytes with the high bit cleared, so transcoding is a state machine over the
 * escape sequences. Half-width katakana (ESC ( I, an ISO-2022-JP extension) maps to SS2.
 */
export function iso2022jpToEucJp(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length * 2);
  let o = 0;
  // 0 = ASCII / JIS-Roman, 1 = JIS X 0208, 2 = JIS X 0212, 3 = half-width katakana
  let mode = 0;
  for (let i = 0; i < input.length; i++) {
    const b = input[i]!;
    if (b === ESC) {
      const b1 = input[i + 1];
      const b2 = input[i + 2];
      if (b1 === 0x28 && (b2 === 0x42 || b2 === 0x4a)) mode = 0;
      else if (b1 === 0x28 && b2 === 0x49) mode = 3;
      else if (b1 === 0x24 && (b2 === 0x40 || b2 === 0x42)) mode = 1;
      else if (b1 === 0x24 && b2 === 0x28 && input[i + 3] === 0x44) {
        mode = 2;
        i++;
      } else {
        out[o++] = b; // unknown escape: keep it literal
        continue;
      }
      i += 2;
      continue;
    }
    if (b === 0x0a || b === 0x0d) {
      // RFC 1468: lines end in ASCII; be forgiving when the reset escape is missing.
      mode = 0;
      out[o++] = b;
    } else if (mode === 0 || b < 0x21 || b > 0x7e) {
      out[o++] = b;
    } else if (mode === 3) {
      out[o++] = 0x8e;
      out[o++] = b | 0x80;
    } else {
      const b2 = input[i + 1];
      if (b2 === undefined || b2 < 0x21 || b2 > 0x7e) {
        out[o++] = b;
        continue;
      }
      if (mode === 2) out[o++] = 0x8f;
      out[o++] = b | 0x80;
      out[o++] = b2 | 0x80;
      i++;
    }
  }
  return out.subarray(0, o);
}
