/**
 * Charset conversion for MIME text (RFC 2046 §4.1.2) and RFC 2047 encoded-words.
 * iconv-lite covers the single- and double-byte charsets (the single-byte ones through
 * their decode tables, the double-byte ones through decode-only codecs, dbcs-decoders.ts);
 * ISO-2022-JP, which iconv-lite lacks, is transcoded to EUC-JP first. Never throws: an unknown charset is decoded as UTF-8 when
 * the bytes are valid UTF-8, else as ISO-8859-1.
 */
import iconv from 'iconv-lite';
import { latin1Decode, utf8OrLatin1 } from './bytes.js';
import { dbcsDecoder, type BytesDecoder } from './dbcs-decoders.js';

/**
 * How a (normalised) charset name is decoded. `iconv`: an iconv-lite encoding name, whether
 * text that is pure ASCII decodes to itself (then it need not go through iconv-lite), and
 * for the double-byte charsets a decode-only codec giving what iconv.decode gives.
 */
type Decoder =
  | { readonly kind: 'utf8' | 'fallback' | 'iso2022jp' | 'latin1' }
  | { readonly kind: 'iconv'; readonly name: string; readonly asciiSame: boolean; readonly decode?: BytesDecoder };

const UTF8: Decoder = { kind: 'utf8' };
const FALLBACK: Decoder = { kind: 'fallback' };
const ISO2022JP: Decoder = { kind: 'iso2022jp' };
const LATIN1: Decoder = { kind: 'latin1' };

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
  let dbcs: BytesDecoder | undefined;
  if (cs === 'utf-8' || cs === 'utf8') d = UTF8;
  else if (cs === '' || cs === 'us-ascii' || cs === 'ascii' || cs === 'ansi_x3.4-1968') {
    // 8-bit bytes in "us-ascii" text are common; guess rather than mangle them.
    d = FALLBACK;
  } else if (/^(cs)?iso-?2022-?jp/.test(cs) || cs === 'jis') d = ISO2022JP;
  else if ((dbcs = dbcsDecoder(cs)) !== undefined) d = tableDecoder(cs, dbcs);
  else if (iconv.encodingExists(cs) && !REFUSED.has(iconv.getCodec(cs))) d = iconvDecoder(cs);
  else d = FALLBACK;
  if (cache.size < CACHE_MAX) cache.set(cs, d);
  return d;
}

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const LATIN1_TEXT = String.fromCharCode(...ALL_BYTES);

/**
 * Shortcuts, established by decoding with the codec itself once per charset name, so that
 * they give exactly what iconv-lite gives: an encoding that maps every byte N to U+00NN is
 * ISO-8859-1 (native decoding); a table codec (single- or double-byte, stateless) that maps
 * the bytes 0-127 to themselves leaves pure-ASCII text as it is.
 */
function iconvDecoder(name: string): Decoder {
  try {
    // (Property names of iconv-lite's codec classes; should they change, no shortcut is taken.)
    const codec = iconv.getCodec(name) as object;
    const table = 'decodeBuf' in codec || 'decodeTables' in codec;
    if (table && iconv.decode(ALL_BYTES, name) === LATIN1_TEXT) return LATIN1;
    const asciiSame = table && iconv.decode(ALL_BYTES.subarray(0, 128), name) === LATIN1_TEXT.slice(0, 128);
    const decode = 'decodeBuf' in codec ? singleByteDecoder(name) : undefined;
    return { kind: 'iconv', name, asciiSame, decode };
  } catch {
    return { kind: 'iconv', name, asciiSame: false };
  }
}

const utf16 = new TextDecoder('utf-16le', { ignoreBOM: true });

/**
 * A single-byte codec (iconv-lite's SBCS: windows-1252, ISO-8859-15, KOI8-R, ...) as a
 * table of the 256 characters iconv-lite gives for the 256 bytes, one UTF-16 unit each,
 * which is all its decoder does (no state, no BOM handling for these codecs). The same
 * text without iconv-lite's per-call decoder object and Buffers, and without its decoder
 * among the functions V8 compiles (it was optimised four times in a training run: its
 * Buffer calls first ran late). Undefined (iconv.decode then) should a table hold a
 * surrogate or a BOM, which TextDecoder would treat otherwise than iconv-lite.
 */
function singleByteDecoder(name: string): BytesDecoder | undefined {
  const chars = iconv.decode(ALL_BYTES, name);
  if (chars.length !== 256 || /[\ud800-\udfff\ufeff]/.test(chars)) return undefined;
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) table[i] = chars.charCodeAt(i);
  return (bytes) => {
    const units = new Uint16Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) units[i] = table[bytes[i]!]!;
    return utf16.decode(units);
  };
}

/** iconvDecoder for a double-byte charset's decode-only codec (a table codec): the same shortcuts, found the same way. */
function tableDecoder(name: string, decode: BytesDecoder): Decoder {
  try {
    if (decode(ALL_BYTES) === LATIN1_TEXT) return LATIN1;
    return { kind: 'iconv', name, asciiSame: decode(ALL_BYTES.subarray(0, 128)) === LATIN1_TEXT.slice(0, 128), decode };
  } catch {
    return { kind: 'iconv', name, asciiSame: false, decode };
  }
}

/** EUC-JP, for ISO-2022-JP after transcoding. */
let eucJp: BytesDecoder | undefined;

/** Decode `bytes` written in `charset` (any spelling). Never throws. */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  const d = resolve(normalizeCharset(charset));
  try {
    switch (d.kind) {
      case 'utf8':
        return utf8Lenient.decode(bytes);
      case 'fallback':
        return utf8OrLatin1(bytes);
      case 'latin1':
        return latin1Decode(bytes);
      case 'iso2022jp':
        eucJp ??= dbcsDecoder('euc-jp') ?? ((b) => iconv.decode(b, 'euc-jp'));
        return eucJp(iso2022jpToEucJp(bytes));
      case 'iconv': {
        if (d.asciiSame) {
          // One unit per byte and no U+FFFD (each malformed sequence gives one) is pure ASCII.
          const ascii = utf8Lenient.decode(bytes);
          if (ascii.length === bytes.length && !ascii.includes('\uFFFD')) return ascii;
        }
        return d.decode !== undefined ? d.decode(bytes) : iconv.decode(bytes, d.name);
      }
    }
  } catch {
    return latin1Decode(bytes);
  }
}

/** Is this a charset we can convert (rather than guess)? */
export function isKnownCharset(charset: string): boolean {
  return resolve(normalizeCharset(charset)).kind !== 'fallback';
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
