import { describe, expect, it } from 'vitest';
import { parseParamValue } from '../../src/runtime/message/content-type.js';
import { MAX_MIME_DEPTH } from '../../src/runtime/message/mime.js';
import { decodeQuotedPrintable } from '../../src/runtime/message/transfer-encoding.js';
import { decodeBase64 } from '../../src/runtime/message/bytes.js';
import { htmlToText } from '../../src/runtime/message/html.js';
import { parseMessage } from '../../src/runtime/message/parse.js';
import type { MimePart } from '../../src/runtime/message/types.js';
import { concat, latin1, msg, utf8 } from './helpers.js';

/** "type[children...]" outline of a MIME tree. */
function outline(p: MimePart): string {
  return p.children.length === 0 ? p.contentType : `${p.contentType}[${p.children.map(outline).join(',')}]`;
}

const ALTERNATIVE = `From: a@b
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt-1"

This is a multi-part message in MIME format.
--alt-1
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Caf=E9 cr=E8me, soft=
 break
--alt-1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PHA+Q2Fmw6k8L3A+
--alt-1--
epilogue text
`;

describe('MIME structure', () => {
  it('multipart/alternative with QP latin1 and base64 UTF-8', () => {
    const root = msg(ALTERNATIVE).mime();
    expect(outline(root)).toBe('multipart/alternative[text/plain,text/html]');
    expect(root.params['boundary']).toBe('alt-1');
    expect(root.preamble).toBe('This is a multi-part message in MIME format.');
    expect(root.epilogue).toBe('epilogue text\r\n');
    expect(root.decodedText()).toBe('');
    const [plain, html] = root.children;
    expect(plain!.params['charset']).toBe('ISO-8859-1');
    expect(plain!.transferEncoding).toBe('quoted-printable');
    expect(plain!.decodedText()).toBe('Café crème, soft break');
    expect(new TextDecoder().decode(plain!.rawBody)).toBe('Caf=E9 cr=E8me, soft=\r\n break');
    expect(html!.decodedText()).toBe('<p>Café</p>');
  });

  it('LF-only line ends parse the same way', () => {
    const root = msg(ALTERNATIVE, true).mime();
    expect(outline(root)).toBe('multipart/alternative[text/plain,text/html]');
    expect(root.children[0]!.decodedText()).toBe('Café crème, soft break');
    expect(new TextDecoder().decode(root.children[0]!.rawBody)).toBe('Caf=E9 cr=E8me, soft=\n break');
    expect(root.epilogue).toBe('epilogue text\n');
  });

  it('nested multipart/mixed with an RFC 2231 named attachment', () => {
    const root = msg(`Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain

plain body
--inner
Content-Type: text/html

<b>html</b>
--inner--
--outer
Content-Type: application/pdf;
 name*0*=utf-8''%E2%82%AC%20rates;
 name*1*=%20%C3%A9t%C3%A9.pdf
Content-Disposition: attachment; filename*=iso-8859-1'fr'caf%E9.pdf; size=4
Content-Transfer-Encoding: base64

JVBERg==
--outer--
`).mime();
    expect(outline(root)).toBe('multipart/mixed[multipart/alternative[text/plain,text/html],application/pdf]');
    const alt = root.children[0]!;
    expect(alt.children.map((c) => c.decodedText())).toEqual(['plain body', '<b>html</b>']);
    const pdf = root.children[1]!;
    expect(pdf.params['name']).toBe('€ rates été.pdf');
    expect(pdf.disposition).toBe('attachment');
    expect(pdf.dispositionParams['filename']).toBe('café.pdf');
    expect(pdf.dispositionParams['size']).toBe('4');
    expect(new TextDecoder().decode(pdf.decodedBytes!())).toBe('%PDF');
    expect(pdf.fields.map((f) => f.lname)).toEqual(['content-type', 'content-disposition', 'content-transfer-encoding']);
  });

  it('message/rfc822 attachments are parsed as a child message', () => {
    const root = msg(`Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

see attached
--b
Content-Type: message/rfc822

Subject: =?UTF-8?Q?inner_=C3=A9?=
Content-Type: multipart/alternative; boundary=c

--c
Content-Type: text/plain; charset=utf-8

inner text
--c--
--b--
`).mime();
    expect(outline(root)).toBe('multipart/mixed[text/plain,message/rfc822[multipart/alternative[text/plain]]]');
    const inner = root.children[1]!.children[0]!;
    expect(inner.fields.map((f) => [f.name, f.raw])).toEqual([
      ['Subject', ' =?UTF-8?Q?inner_=C3=A9?='],
      ['Content-Type', ' multipart/alternative; boundary=c'],
    ]);
    expect(inner.children[0]!.decodedText()).toBe('inner text');
  });

  it('multipart/digest children default to message/rfc822 (RFC 2046 §5.1.5)', () => {
    const root = msg(`Content-Type: multipart/digest; boundary=d

--d

Subject: one

first
--d
Content-Type: text/plain

not a message
--d--
`).mime();
    expect(outline(root)).toBe('multipart/digest[message/rfc822[text/plain],text/plain]');
    expect(root.children[0]!.children[0]!.fields[0]!.raw).toBe(' one');
    expect(root.children[0]!.children[0]!.decodedText()).toBe('first');
  });

  it('a missing close delimiter ends the last part at the end of the body', () => {
    const root = msg('Content-Type: multipart/mixed; boundary=x\n\n--x\n\none\n--x\n\ntwo\n').mime();
    expect(root.children.map((c) => c.decodedText())).toEqual(['one', 'two\r\n']);
    expect(root.epilogue).toBe('');
  });

  it('lines that only start like a delimiter are content; padding after a delimiter is fine', () => {
    const root = msg('Content-Type: multipart/mixed; boundary=x\n\n--x \t\n\n--xy\n--x-- trailing\n--x--  \nafter').mime();
    expect(root.children.map((c) => c.decodedText())).toEqual(['--xy\r\n--x-- trailing']);
    expect(root.epilogue).toBe('after');
  });

  it('a multipart without a boundary (or without delimiters) keeps its body as preamble', () => {
    expect(msg('Content-Type: multipart/mixed\n\nstuff').mime().preamble).toBe('stuff');
    const r = msg('Content-Type: multipart/mixed; boundary=zz\n\nno delimiters here').mime();
    expect(r.children).toEqual([]);
    expect(r.preamble).toBe('no delimiters here');
  });

  it('an empty part and a part without header', () => {
    const root = msg('Content-Type: multipart/mixed; boundary=x\n\n--x\n--x\n\nbare\n--x--').mime();
    expect(root.children.map((c) => [c.contentType, c.decodedText()])).toEqual([
      ['text/plain', ''],
      ['text/plain', 'bare'],
    ]);
  });

  it('a message without body is one empty text/plain part', () => {
    const root = msg('Subject: x').mime();
    expect(outline(root)).toBe('text/plain');
    expect(root.params['charset']).toBe('us-ascii');
    expect(root.rawBody.length).toBe(0);
    expect(root.decodedText()).toBe('');
  });

  it.each([
    ['no Content-Type', 'Subject: x', 'text/plain', 'us-ascii'],
    ['invalid Content-Type', 'Content-Type: text', 'text/plain', 'us-ascii'],
    ['garbage Content-Type', 'Content-Type: ;;;', 'text/plain', 'us-ascii'],
    ['case and comments', 'Content-Type: Text/HTML (markup); CharSet="UTF-8"', 'text/html', 'UTF-8'],
    ['explicit text/plain without charset', 'Content-Type: text/plain', 'text/plain', undefined],
  ])('defaults: %s', (_n, header, type, charset) => {
    const root = msg(`${header}\n\nbody`).mime();
    expect(root.contentType).toBe(type);
    expect(root.params['charset']).toBe(charset);
  });

  it('converts body charsets and never throws on unknown ones', () => {
    const body = (cs: string, bytes: Uint8Array) =>
      parseMessage(concat(utf8(`Content-Type: text/plain; charset=${cs}\r\n\r\n`), bytes)).mime().decodedText();
    expect(body('windows-1252', latin1('\x80 \x93q\x94'))).toBe('€ “q”');
    expect(body('x-unknown', utf8('é'))).toBe('é');
    expect(body('x-unknown', latin1('\xe9'))).toBe('é');
    expect(body('us-ascii', latin1('\xe9'))).toBe('é');
    expect(body('iso-2022-jp', new Uint8Array([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x1b, 0x28, 0x42]))).toBe('日');
  });

  it('non-text leaves are read as UTF-8-or-latin1 text', () => {
    const root = msg('Content-Type: application/json\n\n{"a":"é"}').mime();
    expect(root.decodedText()).toBe('{"a":"é"}');
  });

  it(`stops nesting at depth ${MAX_MIME_DEPTH}`, () => {
    let body = 'Content-Type: text/plain\n\ndeep';
    for (let i = 0; i < 60; i++) body = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n${body}\n--b${i}--`;
    let p = msg(body).mime();
    let depth = 0;
    while (p.children.length > 0) {
      p = p.children[0]!;
      depth++;
    }
    expect(depth).toBe(MAX_MIME_DEPTH);
    expect(p.contentType).toBe('multipart/mixed');
  });

  it('mime() is cached', () => {
    const m = msg(ALTERNATIVE);
    expect(m.mime()).toBe(m.mime());
  });
});

describe('Content-Type parameters', () => {
  it.each([
    ['text/plain; charset=utf-8', { charset: 'utf-8' }],
    ['text/plain; CHARSET="utf-8"; format=flowed', { charset: 'utf-8', format: 'flowed' }],
    ['a/b; name="x\\"y"', { name: 'x"y' }],
    ['a/b; name="semi;colon"; x=1', { name: 'semi;colon', x: '1' }],
    ['a/b; name=my file.pdf', { name: 'my file.pdf' }],
    ['a/b; junk; x=1', { x: '1' }],
    ['a/b; x=1; x=2', { x: '1' }],
    ['a/b; name*0="long"; name*1="name.txt"', { name: 'longname.txt' }],
    ['a/b; name*1="second"; name*0="first-"', { name: 'first-second' }],
    ["a/b; name*=utf-8''%E2%82%AC", { name: '€' }],
    ["a/b; name*=UTF-8'en'a%20b", { name: 'a b' }],
    ["a/b; name*0*=iso-8859-1''caf%E9; name*1=.txt", { name: 'café.txt' }],
    ['a/b; name*0="a"; name*2="c"', { name: 'a' }],
    ["a/b; name=fallback; name*=utf-8''%C3%A9", { name: 'é' }],
    ['a/b; name="=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?="', { name: 'résumé.pdf' }],
    ["a/b; name*=x-unknown''%C3%A9", { name: 'é' }],
    ['a/b (comment); x=1 (c2)', { x: '1' }],
  ])('%s', (input, params) => {
    expect({ ...parseParamValue(input).params }).toEqual(params);
  });

  it('has no inherited keys, and "__proto__" is an ordinary parameter', () => {
    const p = parseParamValue('a/b; x=1; __proto__=evil').params;
    expect(p['toString']).toBeUndefined();
    expect(Object.getPrototypeOf(p)).toBeNull();
    expect(Object.keys(p)).toEqual(['x', '__proto__']);
    expect(p['__proto__']).toBe('evil');
  });
});

describe('transfer encodings', () => {
  const dec = (b: Uint8Array) => new TextDecoder().decode(b);
  it.each([
    ['aGVsbG8=', 'hello'],
    ['aGVs\r\nbG8=\r\n', 'hello'],
    ['aGVsbG8', 'hello'],
    ['aGVs bG8 !!', 'hello'],
    ['aGk=aGk=', 'hihi'],
    ['a', ''],
    ['', ''],
  ])('base64 %j', (input, out) => {
    expect(dec(decodeBase64(utf8(input)))).toBe(out);
  });

  it('base64 of a Buffer, a Buffer slice and a Uint8Array give the same bytes (property)', async () => {
    const fc = (await import('fast-check')).default;
    const text = fc.array(fc.constantFrom(...'ABab09+/=\r\n !é'.split('')), { maxLength: 80 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, fc.string({ maxLength: 5 }), (t, pad) => {
        const plain = utf8(t);
        const buffer = Buffer.from(pad + t + pad);
        const slice = buffer.subarray(Buffer.byteLength(pad), Buffer.byteLength(pad) + plain.length);
        const want = Array.from(decodeBase64(plain));
        expect(Array.from(decodeBase64(slice))).toEqual(want);
        expect(Array.from(decodeBase64(Buffer.from(plain)))).toEqual(want);
        expect(Array.from(decodeBase64(t))).toEqual(Array.from(decodeBase64(latin1(t.replace(/[^\x00-\x7f]/g, '\x80')))));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['a=3Db', 'a=b'],
    ['a=3db', 'a=b'],
    ['soft=\r\nbreak', 'softbreak'],
    ['soft=\nbreak', 'softbreak'],
    ['soft=  \r\nbreak', 'softbreak'],
    ['trailing   \r\nspace', 'trailing\r\nspace'],
    ['inner  space', 'inner  space'],
    ['bad =ZZ escape', 'bad =ZZ escape'],
    ['end=', 'end'],
    ['=C3=A9', 'é'],
  ])('quoted-printable %j', (input, out) => {
    expect(dec(decodeQuotedPrintable(utf8(input)))).toBe(out);
  });

  it('malformed base64 bodies decode without throwing', () => {
    const root = msg('Content-Transfer-Encoding: base64\n\n****aGVsbG8*=\n==').mime();
    expect(root.decodedText()).toBe('hello');
  });

  it('unknown transfer encodings pass through', () => {
    expect(msg('Content-Transfer-Encoding: x-uuencode\n\nbegin 644').mime().decodedText()).toBe('begin 644');
  });
});

describe('htmlToText', () => {
  it('reduces HTML to text without wrapping', () => {
    const long = 'word '.repeat(40).trim();
    expect(htmlToText(`<html><body><p>Hello <b>World</b></p><p>${long}</p></body></html>`)).toBe(`Hello World\n\n${long}`);
  });

  it('is not applied by decodedText()', () => {
    expect(msg('Content-Type: text/html\n\n<p>x</p>').mime().decodedText()).toBe('<p>x</p>');
  });
});
