import { describe, expect, it } from 'vitest';
import { encodeHeaderValue } from '../../src/runtime/message/encode-words.js';
import { decodeHeaderValue } from '../../src/runtime/message/header-fields.js';
import { parseMessage } from '../../src/runtime/message/parse.js';
import { concat, latin1, msg, utf8 } from './helpers.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const names = (m: { fields(): readonly { name: string }[] }) => m.fields().map((f) => f.name);

describe('fork and edit (RFC 5293)', () => {
  it('adds at the top by default and at the end with `last`; the original is unchanged', () => {
    const m = msg('Subject: hi\nFrom: a@b\n\nbody\n');
    const before = m.raw.slice();
    const f = m.fork();
    f.addField('X-Top', 'one');
    f.addField('X-End', 'two', { last: true });
    expect(names(f)).toEqual(['X-Top', 'Subject', 'From', 'X-End']);
    expect(f.header('x-top')).toEqual(['one']);
    expect(f.header('X-END')).toEqual(['two']);
    expect(names(m)).toEqual(['Subject', 'From']);
    expect(m.header('x-top')).toEqual([]);
    expect(m.raw).toEqual(before);
  });

  it('removes fields by their index in fields()', () => {
    const f = msg('A: 1\nB: 2\nA: 3\nC: 4\n\n').fork();
    f.removeFields([0, 2, 99]);
    expect(names(f)).toEqual(['B', 'C']);
    expect(f.header('a')).toEqual([]);
    f.removeFields([]);
    expect(names(f)).toEqual(['B', 'C']);
  });

  it('serialises the edited header with CRLF and leaves the body bytes alone', () => {
    const m = msg('Subject: hi\nX-Old: folded\n  value\n\nline1\nline2\n', true);
    const f = m.fork();
    f.addField('X-New', 'v');
    f.removeFields([1]);
    expect(text(f.toBuffer())).toBe('X-New: v\r\nX-Old: folded\r\n  value\r\n\r\nline1\nline2\n');
    expect(f.size).toBe(f.toBuffer().length);
    expect(f.raw).toEqual(f.toBuffer());
    expect(m.size).toBe(47);
  });

  it('an unedited fork serialises to the original bytes', () => {
    const m = msg('Subject: hi\n\nbody\n', true);
    expect(m.fork().toBuffer()).toEqual(m.raw);
  });

  it('keeps latin1 header bytes as they were', () => {
    const raw = latin1('Subject: caf\xe9\r\n\r\nbody');
    const f = parseMessage(raw).fork();
    f.addField('X-A', 'b', { last: true });
    expect([...f.toBuffer()]).toEqual([...concat(latin1('Subject: caf\xe9\r\nX-A: b\r\n\r\nbody'))]);
    expect(parseMessage(f.toBuffer()).header('subject')).toEqual(['café']);
  });

  it('a message without a blank line gets one', () => {
    const f = msg('Subject: x').fork();
    f.addField('X-A', 'y');
    expect(text(f.toBuffer())).toBe('X-A: y\r\nSubject: x\r\n\r\n');
    expect(f.hasBody()).toBe(false);
  });

  it('RFC 2047 encodes non-ASCII values and reads them back', () => {
    const f = msg('A: 1\n\n').fork();
    f.addField('X-Name', 'Jörg Müller <j@x.de>');
    const raw = f.fields()[0]!.raw;
    expect(raw).toMatch(/^ =\?UTF-8\?[QB]\?[^?]+\?= <j@x\.de>$/);
    expect(f.header('x-name')).toEqual(['Jörg Müller <j@x.de>']);
    expect(f.addresses('x-name')[0]!.addresses).toEqual([
      { name: 'Jörg Müller', address: 'j@x.de', localPart: 'j', domain: 'x.de' },
    ]);
    expect(parseMessage(f.toBuffer()).header('x-name')).toEqual(['Jörg Müller <j@x.de>']);
  });

  it('leaves ASCII values alone and turns line breaks into spaces', () => {
    const f = msg('\n').fork();
    f.addField('X-A', 'plain = ?text?');
    f.addField('X-B', 'evil\r\nBcc: victim@x');
    expect(f.fields().map((x) => x.raw)).toEqual([' evil Bcc: victim@x', ' plain = ?text?']);
    expect(names(f)).toEqual(['X-B', 'X-A']);
  });

  it('rejects invalid field names', () => {
    const f = msg('\n').fork();
    expect(() => f.addField('Bad Name', 'x')).toThrow(TypeError);
    expect(() => f.addField('', 'x')).toThrow(TypeError);
    expect(() => f.addField('A:B', 'x')).toThrow(TypeError);
  });

  it('forks are independent of each other', () => {
    const m = msg('A: 1\n\n');
    const f1 = m.fork();
    f1.addField('B', '2');
    const f2 = f1.fork();
    f2.addField('C', '3');
    f1.removeFields([1]);
    expect(names(m)).toEqual(['A']);
    expect(names(f1)).toEqual(['B']);
    expect(names(f2)).toEqual(['C', 'B', 'A']);
    expect(text(f2.toBuffer())).toBe('C: 3\r\nB: 2\r\nA: 1\r\n\r\n');
  });

  it('mime() of a fork follows its edited Content-Type', () => {
    const m = msg('Content-Type: text/plain\n\n<b>x</b>');
    const f = m.fork();
    expect(f.mime().contentType).toBe('text/plain');
    f.removeFields([0]);
    f.addField('Content-Type', 'text/html');
    expect(f.mime().contentType).toBe('text/html');
    expect(m.mime().contentType).toBe('text/plain');
  });
});

describe('encodeHeaderValue', () => {
  it.each([
    ['ascii', 'ascii'],
    ['Grüße', 'Grüße'],
    ['Grüße an alle', 'Grüße an alle'],
    ['an  alle  Jörg  Müller  !', 'an  alle  Jörg  Müller  !'],
    ['日本語のテキスト', '日本語のテキスト'],
    ['€'.repeat(60), '€'.repeat(60)],
    ['é_=?x?= ' + 'ü'.repeat(80), 'é_=?x?= ' + 'ü'.repeat(80)],
    ['😀 emoji'.repeat(12), '😀 emoji'.repeat(12)],
  ])('round-trips %j', (value, back) => {
    const enc = encodeHeaderValue(value);
    expect(enc).toMatch(/^[\x20-\x7e\r\n\t]*$/);
    for (const line of enc.split('\r\n')) {
      for (const w of line.match(/=\?[^?]*\?[QB]\?[^?]*\?=/g) ?? []) expect(w.length).toBeLessThanOrEqual(75);
    }
    expect(decodeHeaderValue(' ' + enc)).toBe(back);
  });

  it('uses UTF-8 encoded-words', () => {
    expect(encodeHeaderValue('é')).toBe('=?UTF-8?Q?=C3=A9?=');
    expect(encodeHeaderValue('Grüße, Jörg!')).toBe('=?UTF-8?Q?Gr=C3=BC=C3=9Fe=2C_J=C3=B6rg!?=');
    expect(encodeHeaderValue('日本')).toBe('=?UTF-8?B?5pel5pys?=');
  });

  it('body bytes of the original and the fork are the same', () => {
    const raw = concat(utf8('A: 1\r\n\r\n'), new Uint8Array([0, 255, 13, 10, 128]));
    const f = parseMessage(raw).fork();
    f.addField('B', '2');
    expect([...f.toBuffer().subarray(-5)]).toEqual([0, 255, 13, 10, 128]);
  });
});
