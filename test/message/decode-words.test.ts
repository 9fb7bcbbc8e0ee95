import { describe, expect, it } from 'vitest';
import libmime from 'libmime';
import { decodeWords } from '../../src/runtime/message/decode-words.js';
import { decodeCharset, iso2022jpToEucJp } from '../../src/runtime/message/charset.js';
import { latin1, msg, utf8 } from './helpers.js';

describe('RFC 2047 decoding', () => {
  it.each([
    // RFC 2047 §8 examples
    ['(=?ISO-8859-1?Q?a?=)', '(a)'],
    ['(=?ISO-8859-1?Q?a?= b)', '(a b)'],
    ['(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a_b?=)', '(a b)'],
    ['(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)', '(a b)'],
    ['=?ISO-8859-1?Q?Andr=E9?= Pirard', 'André Pirard'],
    // B and Q, case-insensitive encoding letter
    ['=?UTF-8?B?w6k=?=', 'é'],
    ['=?utf-8?b?w6k=?=', 'é'],
    ['=?UTF-8?B?w6k?=', 'é'],
    ['=?utf-8?q?caf=c3=a9?=', 'café'],
    ['=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=', 'Jörg Müller'],
    ['=?iso-8859-1?b?Y2Fm6Q==?=', 'café'],
    ['=?ISO-8859-15?Q?=A4?=', '€'],
    ['=?windows-1252?Q?=80_and_=93quotes=94?=', '€ and “quotes”'],
    ['=?KOI8-R?B?8NLJ18XU?=', 'Привет'],
    ['=?GB2312?B?1tDOxA==?=', '中文'],
    // a multi-byte character split across adjacent words (forbidden by §5, but common)
    ['=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=', 'é'],
    ['=?UTF-8?B?5pel5pys?= =?UTF-8?B?6Kqe?=', '日本語'],
    // RFC 2231 §5 language suffix
    ['=?UTF-8*en?Q?hi?=', 'hi'],
    // text around words
    ['Re: =?UTF-8?Q?caf=C3=A9?= now', 'Re: café now'],
    ['=?UTF-8?Q?a?= b =?UTF-8?Q?c?=', 'a b c'],
    ['glued=?UTF-8?Q?word?=', 'gluedword'],
    ['no words at all', 'no words at all'],
    ['=?utf-8?q??=', ''],
    ['=?utf-8?q?a=zb?=', 'a=zb'],
  ])('%j -> %j', (input, out) => {
    expect(decodeWords(input)).toBe(out);
  });

  it.each([
    ['bad base64 alphabet', '=?UTF-8?B?@@@?='],
    ['stray base64 sextet', '=?UTF-8?B?QUJDR?='],
    ['unknown encoding letter', '=?UTF-8?X?abc?='],
    ['unterminated', '=?UTF-8?Q?abc'],
    ['space inside Q text', '=?UTF-8?Q?a b?='],
    ['missing charset', '=??Q?abc?='],
  ])('leaves an invalid word literal: %s', (_n, input) => {
    expect(decodeWords(input)).toBe(input);
  });

  it('an invalid word between valid ones keeps its surrounding spaces', () => {
    expect(decodeWords('=?utf-8?q?a?= =?utf-8?b?@?= =?utf-8?q?b?=')).toBe('a =?utf-8?b?@?= b');
  });

  it.each([
    ['unknown charset, UTF-8 bytes', '=?x-unknown?Q?caf=C3=A9?=', 'café'],
    ['unknown charset, latin1 bytes', '=?x-unknown?Q?caf=E9?=', 'café'],
    ['us-ascii with 8-bit bytes', '=?us-ascii?Q?caf=E9?=', 'café'],
    ['UTF-7 is refused, bytes kept as text', '=?utf-7?Q?+ADw-script+AD4-?=', '+ADw-script+AD4-'],
    ['absurd charset name', '=?__proto__?Q?x?=', 'x'],
  ])('never throws on %s', (_n, input, out) => {
    expect(decodeWords(input)).toBe(out);
  });

  it('decodes ISO-2022-JP (JIS X 0208) words', () => {
    expect(decodeWords('=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=')).toBe('日本語');
    expect(decodeWords('=?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg==?=')).toBe('こんにちは');
  });

  it('agrees with libmime on ISO-2022-JP', () => {
    const words = ['=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=', '=?ISO-2022-JP?B?GyRCJEskWyRzJDQbKEIgYWJj?='];
    for (const w of words) expect(decodeWords(w)).toBe(libmime.decodeWords(w));
  });

  it('is what header() returns, after unfolding and trimming', () => {
    const m = msg('Subject:  =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n =?UTF-8?Q?_aus_Berlin?=  \n\n');
    expect(m.header('subject')).toEqual(['Grüße aus Berlin']);
  });
});

describe('charset conversion', () => {
  it.each([
    ['utf-8', utf8('ü'), 'ü'],
    ['UTF8', utf8('ü'), 'ü'],
    ['"utf-8"', utf8('ü'), 'ü'],
    ['iso-8859-1', latin1('\xfc'), 'ü'],
    ['latin1', latin1('\xfc'), 'ü'],
    ['windows-1252', latin1('\x80'), '€'],
    ['iso-8859-2', latin1('\xb1'), 'ą'],
    ['shift_jis', new Uint8Array([0x93, 0xfa]), '日'],
    ['euc-kr', new Uint8Array([0xc7, 0xd1]), '한'],
    ['big5', new Uint8Array([0xa4, 0xa4]), '中'],
    ['utf-16le', new Uint8Array([0x41, 0x00]), 'A'],
    ['x-no-such-charset', utf8('ü'), 'ü'],
    ['x-no-such-charset', latin1('\xfc'), 'ü'],
    ['', latin1('\xfc'), 'ü'],
  ])('%s', (cs, bytes, out) => {
    expect(decodeCharset(bytes, cs)).toBe(out);
  });

  it('declared UTF-8 with a bad byte yields U+FFFD rather than guessing', () => {
    expect(decodeCharset(new Uint8Array([0x61, 0xff]), 'utf-8')).toBe('a\ufffd');
  });

  it('transcodes ISO-2022-JP katakana and JIS X 0212 escapes to EUC-JP', () => {
    // ESC ( I + 0x31 (half-width ｱ) -> SS2 0xB1
    expect([...iso2022jpToEucJp(new Uint8Array([0x1b, 0x28, 0x49, 0x31, 0x1b, 0x28, 0x42, 0x41]))]).toEqual([
      0x8e, 0xb1, 0x41,
    ]);
    // ESC $ ( D + 0x22 0x2F -> SS3 0xA2 0xAF
    expect([...iso2022jpToEucJp(new Uint8Array([0x1b, 0x24, 0x28, 0x44, 0x22, 0x2f]))]).toEqual([0x8f, 0xa2, 0xaf]);
  });
});
