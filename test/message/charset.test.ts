/**
 * Charset decoding keeps iconv-lite's output exactly. The double-byte charsets go through
 * decode-only codecs (src/runtime/message/dbcs-decoders.ts) built from iconv-lite's own
 * tables without its encode tables; iconv.decode is the reference they must equal.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { decodeCharset, iso2022jpToEucJp, isKnownCharset } from '../../src/runtime/message/charset.js';
import { dbcsDecoder } from '../../src/runtime/message/dbcs-decoders.js';

/** iconv-lite's double-byte codecs, by their own names. */
const CODECS = ['shiftjis', 'eucjp', 'cp936', 'gbk', 'gb18030', 'cp949', 'cp950', 'big5hkscs'];
/** Spellings seen in mail that resolve to them. */
const ALIASES = ['big5', 'Big5', 'gb2312', 'GB2312', 'ks_c_5601-1987', 'euc-kr', 'EUC-JP', 'shift_jis', 'sjis', 'windows-31j', 'cp932', 'x-gbk', 'chinese'];

const codecCache = (iconv as unknown as { _codecDataCache: Record<string, unknown> })._codecDataCache;

describe('double-byte charsets', () => {
  // First in the file, before any reference decode builds iconv-lite's full codec.
  it('are decoded without building iconv-lite codecs (no encode tables)', () => {
    expect(decodeCharset(Uint8Array.from([0xa4, 0x40, 0x41]), 'big5')).toBe('\u4e00A');
    expect(decodeCharset(Uint8Array.from([0xb0, 0xa1]), 'ks_c_5601-1987')).toBe('\uac00');
    expect(decodeCharset(Uint8Array.from([0xb0, 0xa1]), 'gb2312')).toBe('\u554a');
    expect(codecCache['big5hkscs']).toBeUndefined();
    expect(codecCache['cp949']).toBeUndefined();
    expect(codecCache['cp936']).toBeUndefined();
  });

  it('are the only charsets with a decode-only codec', () => {
    for (const name of [...CODECS, ...ALIASES]) expect(dbcsDecoder(name), name).toBeTypeOf('function');
    for (const name of ['utf-8', 'iso-8859-1', 'windows-1252', 'koi8-r', 'utf-16le', 'utf7', 'base64', 'no-such-charset']) {
      expect(dbcsDecoder(name), name).toBeUndefined();
    }
  });

  it.each(CODECS)('%s: every one- and two-byte sequence decodes as iconv.decode does', (name) => {
    const one = new Uint8Array(1);
    const two = new Uint8Array(2);
    let differ = 0;
    for (let a = 0; a < 256; a++) {
      one[0] = a;
      if (decodeCharset(one, name) !== iconv.decode(one, name)) differ++;
      two[0] = a;
      for (let b = 0; b < 256; b++) {
        two[1] = b;
        if (decodeCharset(two, name) !== iconv.decode(two, name)) differ++;
      }
    }
    expect(differ).toBe(0);
  }, 60_000);

  it('any bytes in any spelling decode as iconv.decode does', () => {
    // Mostly lead/trail bytes of the double-byte ranges, some ASCII and GB18030's digits.
    const byte = fc.oneof(fc.integer({ min: 0x81, max: 0xfe }), fc.integer({ min: 0x30, max: 0x39 }), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.constantFrom(...CODECS, ...ALIASES), fc.uint8Array({ maxLength: 40 }), fc.array(byte, { maxLength: 40 }), (name, plain, high) => {
        const bytes = Uint8Array.from([...plain, ...high, ...plain.slice(0, 3)]);
        expect(decodeCharset(bytes, name)).toBe(iconv.decode(bytes, name));
        expect(isKnownCharset(name)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('GB18030 four-byte sequences decode as iconv.decode does', () => {
    const four = fc.tuple(fc.integer({ min: 0x81, max: 0xfe }), fc.integer({ min: 0x30, max: 0x39 }), fc.integer({ min: 0x81, max: 0xfe }), fc.integer({ min: 0x30, max: 0x39 }));
    fc.assert(
      fc.property(fc.array(fc.oneof(four, fc.tuple(fc.integer({ min: 0, max: 255 }))), { maxLength: 12 }), (chunks) => {
        const bytes = Uint8Array.from(chunks.flat());
        expect(decodeCharset(bytes, 'gb18030')).toBe(iconv.decode(bytes, 'gb18030'));
      }),
      { numRuns: 2000 },
    );
  });

  it('ISO-2022-JP decodes as iconv-lite decodes the EUC-JP it is transcoded to', () => {
    const piece = fc.oneof(fc.constantFrom('\x1b$B', '\x1b(B', '\x1b(J', '\x1b(I', '\x1b$(D', '\x1b$@', '\r\n'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const bytes = Uint8Array.from(Buffer.from(pieces.join(''), 'latin1'));
        expect(decodeCharset(bytes, 'iso-2022-jp')).toBe(iconv.decode(Buffer.from(iso2022jpToEucJp(bytes)), 'euc-jp'));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('single-byte charsets', () => {
  // Every single-byte codec iconv-lite has (its `encodings` table, type "_sbcs").
  iconv.encodingExists('latin1');
  const table = (iconv as unknown as { encodings: Record<string, unknown> }).encodings;
  // (Not "ascii": 8-bit bytes in US-ASCII text are guessed as UTF-8 or latin1 on purpose.)
  const SBCS = Object.keys(table).filter((k) => (table[k] as { type?: unknown } | null)?.type === '_sbcs' && k !== 'ascii');

  it('are all found (the list below is not empty by accident)', () => {
    expect(SBCS.length).toBeGreaterThan(50);
    expect(SBCS).toContain('windows1252');
    expect(SBCS).toContain('koi8r');
  });

  it.each(SBCS)('%s: every byte, and text mixing all of them, decodes as iconv.decode does', (name) => {
    const one = new Uint8Array(1);
    for (let a = 0; a < 256; a++) {
      one[0] = a;
      expect(decodeCharset(one, name)).toBe(iconv.decode(one, name));
    }
    const all = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
    expect(decodeCharset(all, name)).toBe(iconv.decode(all, name));
  });

  it('any bytes in the spellings seen in mail decode as iconv.decode does', () => {
    const names = ['windows-1252', 'Windows-1251', 'iso-8859-15', 'ISO-8859-2', 'koi8-r', 'cp1250', 'macintosh', 'tis-620', 'iso-8859-7'];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.uint8Array({ maxLength: 60 }), (name, bytes) => {
        expect(decodeCharset(bytes, name)).toBe(iconv.decode(bytes, name));
      }),
      { numRuns: 2000 },
    );
  });
});
