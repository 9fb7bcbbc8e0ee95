/**
 * Decode-only codecs for iconv-lite's double-byte charsets (Big5, GBK/GB2312/GB18030,
 * EUC-KR/CP949, EUC-JP, Shift_JIS): the same decode tables, built by iconv-lite's own code,
 * without the encode tables iconv-lite builds alongside them. Reading mail never encodes
 * into these charsets, and the encode tables are most of the ~50 ms a process spends on its
 * first Big5, GB2312 and KS C 5601 message (bench/README.md, section rules).
 *
 * Why not Node's TextDecoder: Node 20's ICU decoders map differently (5,092 Big5 and 8,824
 * CP949 byte pairs decode otherwise than in iconv-lite) and drop invalid bytes where
 * iconv-lite writes U+FFFD (and drop 0x80 in windows-1252), so messages would read
 * differently. This module keeps iconv-lite's output exactly (test/message/charset.test.ts
 * compares every one- and two-byte sequence and random text with iconv.decode).
 *
 * It leans on iconv-lite 0.7 internals (the `encodings` table, `_dbcs`, the codec's
 * `_fillEncodeTable`/`_setEncodeChar`/`_getEncodeBucket` and its `decoder` class): when they
 * are not as expected, `dbcsDecoder` returns undefined and the caller uses iconv.decode.
 */
import iconv from 'iconv-lite';

/** What this module needs of a codec instance and its decoder class. */
interface DecodeCodec {
  readonly decoder: new (options: unknown, codec: DecodeCodec) => { write(bytes: Uint8Array): string; end(): string | undefined };
}

type CodecClass = new (options: Record<string, unknown>, iconvModule: unknown) => DecodeCodec;

interface IconvInternals {
  encodings: Record<string, unknown> | null;
  _canonicalizeEncoding(name: string): string;
}

const internals = iconv as unknown as IconvInternals;

/** iconv-lite's DBCS codec class, subclassed so that building it skips the encode tables. */
let decodeOnlyClass: CodecClass | null | undefined;

function decodeOnly(): CodecClass | null {
  if (decodeOnlyClass !== undefined) return decodeOnlyClass;
  decodeOnlyClass = null;
  iconv.encodingExists('latin1'); // loads iconv.encodings
  const base = internals.encodings?.['_dbcs'];
  if (typeof base !== 'function') return null;
  const proto = base.prototype as Record<string, unknown>;
  if (typeof proto['_fillEncodeTable'] !== 'function' || typeof proto['_setEncodeChar'] !== 'function' || typeof proto['_getEncodeBucket'] !== 'function') return null;
  // A plain function, as iconv-lite's codec is: it calls the codec constructor on `this`.
  function DecodeOnlyCodec(this: object, options: Record<string, unknown>, iconvModule: unknown): void {
    (base as (this: object, o: unknown, i: unknown) => void).call(this, options, iconvModule);
  }
  DecodeOnlyCodec.prototype = Object.create(proto, {
    // The constructor fills the encode tables from the decode trie, then reads one entry
    // of the first bucket (its default single-byte character): leave just that bucket.
    _fillEncodeTable: {
      value(this: { _getEncodeBucket(code: number): unknown }): boolean {
        this._getEncodeBucket(0);
        return false;
      },
    },
    _setEncodeChar: { value(): void {} },
  });
  decodeOnlyClass = DecodeOnlyCodec as unknown as CodecClass;
  return decodeOnlyClass;
}

/**
 * The codec options iconv-lite would build `name` with, when `name` is one of its DBCS
 * charsets; the same alias walk as iconv.getCodec.
 */
function dbcsOptions(name: string): Record<string, unknown> | undefined {
  const encodings = internals.encodings;
  if (encodings === null) return undefined;
  let enc = internals._canonicalizeEncoding(name);
  const options: Record<string, unknown> = {};
  for (let hops = 0; hops < 32; hops++) {
    const def = encodings[enc];
    if (typeof def === 'string') enc = def;
    else if (typeof def === 'object' && def !== null) {
      for (const key in def) options[key] = (def as Record<string, unknown>)[key];
      options['encodingName'] ??= enc;
      const type = (def as { type?: unknown }).type;
      if (typeof type !== 'string') return undefined;
      enc = type;
    } else if (typeof def === 'function') {
      options['encodingName'] ??= enc;
      return def === encodings['_dbcs'] ? options : undefined;
    } else return undefined;
  }
  return undefined;
}

/** A decode function for `name` (any spelling iconv-lite accepts), or undefined when it is not a DBCS charset. */
export type BytesDecoder = (bytes: Uint8Array) => string;

/** Decoders by the codec's own name (aliases share one). Charset names come from mail; the set of codecs is fixed. */
const built = new Map<string, BytesDecoder>();

export function dbcsDecoder(name: string): BytesDecoder | undefined {
  try {
    const Codec = decodeOnly();
    if (Codec === null) return undefined;
    const options = dbcsOptions(name);
    if (options === undefined) return undefined;
    const key = String(options['encodingName']);
    let decode = built.get(key);
    if (decode === undefined) {
      const codec = new Codec(options, iconv);
      if (typeof codec.decoder !== 'function') return undefined;
      // What iconv.decode does: one decoder per call, write then end (DBCS codecs have no BOM).
      decode = (bytes) => {
        const decoder = new codec.decoder(undefined, codec);
        const text = decoder.write(bytes);
        const trail = decoder.end();
        return trail ? text + trail : text;
      };
      built.set(key, decode);
    }
    return decode;
  } catch {
    return undefined;
  }
}
