import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAddressList } from '../../src/runtime/message/address.js';
import { decodeWords } from '../../src/runtime/message/decode-words.js';
import { encodeHeaderValue } from '../../src/runtime/message/encode-words.js';
import { decodeHeaderValue } from '../../src/runtime/message/header-fields.js';
import { parseMessage } from '../../src/runtime/message/parse.js';
import { parseParamValue } from '../../src/runtime/message/content-type.js';
import type { MessageView, MimePart } from '../../src/runtime/message/types.js';
import { utf8 } from './helpers.js';

/** Touch every lazily computed part of a view; returns a count so work is not optimised away. */
function exercise(m: MessageView): number {
  let n = m.size + m.rawBody().length + (m.hasBody() ? 1 : 0);
  for (const f of m.fields()) {
    n += m.header(f.name).length;
    for (const a of m.addresses(f.name)) n += a.addresses.length + a.text.length;
  }
  const walk = (p: MimePart, depth: number): void => {
    expect(depth).toBeLessThanOrEqual(60);
    n += p.decodedText().length + p.preamble.length + p.epilogue.length + Object.keys(p.params).length;
    for (const c of p.children) walk(c, depth + 1);
  };
  walk(m.mime(), 0);
  return n;
}

/** Message-shaped bytes: header lines, folds, encoded words, MIME delimiters, junk, 8-bit. */
const piece = fc.oneof(
  fc.constantFrom(
    '\r\n', '\n', '\r\n\r\n', '\n\n', ': ', ' ', '\t', '--b', '--b--', '--c', '\r\n--b\r\n', '\r\n--b--\r\n',
    'Content-Type: multipart/mixed; boundary=b\r\n', 'Content-Type: multipart/alternative; boundary="c"\n',
    'Content-Type: message/rfc822\r\n', 'Content-Type: multipart/digest; boundary=b\r\n',
    'Content-Type: text/plain; charset=iso-2022-jp\r\n', 'Content-Type: text/plain; charset*=x\'\'%ZZ\r\n',
    'Content-Type: a/b; name*0*=utf-8\'\'%C3; name*1*=%A9\r\n', 'Content-Transfer-Encoding: base64\r\n',
    'Content-Transfer-Encoding: quoted-printable\r\n', 'From: ', 'To: ', 'Subject: ', 'X-A: ',
    '=?utf-8?q?=C3=A9?=', '=?iso-2022-jp?B?GyRCRnxLXDhsGyhC?=', '=?x?b?@@?=', '=?', '?=', '"', '(', ')', '<', '>',
    '@', ',', ';', ':', '[', ']', '\\', '=', '=\r\n', '=C3', 'aGVsbG8=', '\u00e9', '\x1b$B', 'a@b.c', 'Team:',
  ),
  fc.string({ maxLength: 8 }),
);
const messageLike = fc
  .tuple(fc.array(piece, { maxLength: 60 }), fc.uint8Array({ maxLength: 16 }))
  .map(([parts, junk]) => {
    const text = utf8(parts.join(''));
    const out = new Uint8Array(text.length + junk.length);
    out.set(text);
    out.set(junk, text.length);
    return out;
  });

describe('never throws', () => {
  it('parseMessage and every accessor, on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (raw) => {
        expect(exercise(parseMessage(raw))).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 400 },
    );
  });

  it('parseMessage, addresses() and mime() on message-like bytes', () => {
    fc.assert(
      fc.property(messageLike, (raw) => {
        const m = parseMessage(raw);
        expect(exercise(m)).toBeGreaterThanOrEqual(0);
        const f = m.fork();
        f.addField('X-Prop', 'é value');
        f.removeFields([1]);
        expect(exercise(f)).toBeGreaterThanOrEqual(0);
        expect(m.fields().some((x) => x.name === 'X-Prop')).toBe(false);
      }),
      { numRuns: 600 },
    );
  });

  it('parseAddressList on arbitrary and on address-shaped strings', () => {
    const addrish = fc
      .array(fc.oneof(fc.constantFrom(...'<>@,;:."()[]\\ \t\r\nab=?é'.split(''), '=?utf-8?q?x?='), fc.string({ maxLength: 3 })), {
        maxLength: 40,
      })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), addrish), (s) => {
        const r = parseAddressList(s);
        expect(typeof r.invalid).toBe('boolean');
        for (const a of r.addresses) {
          expect(typeof a.address).toBe('string');
          if (a.domain !== '') expect(a.address.endsWith(a.domain) || a.address.endsWith(`[${a.domain}]`)).toBe(true);
          expect(a.address.startsWith(a.localPart)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('decodeWords and parseParamValue on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(typeof decodeWords(s)).toBe('string');
        expect(typeof decodeWords(`=?${s}?=`)).toBe('string');
        expect(typeof parseParamValue(`a/b; ${s}`).value).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});

describe('round trips', () => {
  const atom = fc.stringMatching(/^[a-z0-9!#$%&'*+\-/=?^_`{|}~]{1,8}$/);
  const dotAtom = fc.array(atom, { minLength: 1, maxLength: 3 }).map((a) => a.join('.'));

  it('well-formed address lists parse back exactly and are valid', () => {
    const mailbox = fc.record({
      local: dotAtom,
      domain: dotAtom,
      name: fc.option(fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,10}[A-Za-z]$/), { nil: undefined }),
      quote: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(mailbox, { minLength: 1, maxLength: 5 }), (boxes) => {
        const text = boxes
          .map((b) =>
            b.name === undefined ? `${b.local}@${b.domain}` : `${b.quote ? `"${b.name}"` : b.name} <${b.local}@${b.domain}>`,
          )
          .join(', ');
        const r = parseAddressList(text);
        expect(r.invalid).toBe(false);
        expect(r.addresses).toEqual(
          boxes.map((b) => ({
            name: b.name === undefined ? '' : b.quote ? b.name : b.name.replace(/ +/g, ' '),
            address: `${b.local}@${b.domain}`,
            localPart: b.local,
            domain: b.domain,
          })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('encodeHeaderValue then header decoding gives the value back', () => {
    const value = fc
      .string({ unit: 'grapheme', maxLength: 60 })
      .map((s) => s.replace(/[\r\n]/g, ' ').replace(/^[ \t]+|[ \t]+$/g, ''))
      .filter((s) => !s.includes('=?'));
    fc.assert(
      fc.property(value, (v) => {
        const enc = encodeHeaderValue(v);
        expect(enc).toMatch(/^[\x00-\x7f]*$/);
        expect(decodeHeaderValue(' ' + enc)).toBe(v);
      }),
      { numRuns: 500 },
    );
  });

  it('an edited fork serialises to a message with the same fields', () => {
    const op = fc.oneof(
      fc.record({ add: fc.constantFrom('X-A', 'Subject', 'X-Long-Name'), value: fc.string({ unit: 'grapheme', maxLength: 30 }), last: fc.boolean() }),
      fc.record({ remove: fc.nat(6) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 8 }), (ops) => {
        const m = parseMessage(utf8('Subject: s\r\nFrom: a@b\r\nX-F: one\r\n two\r\n\r\nbody\n'));
        const f = m.fork();
        for (const o of ops) {
          if ('add' in o) f.addField(o.add, o.value, { last: o.last });
          else f.removeFields([o.remove]);
        }
        const back = parseMessage(f.toBuffer());
        expect(back.fields().map((x) => [x.name, x.raw])).toEqual(f.fields().map((x) => [x.name, x.raw]));
        expect(back.rawBody()).toBe('body\n');
        expect(m.fields().map((x) => x.name)).toEqual(['Subject', 'From', 'X-F']);
      }),
      { numRuns: 300 },
    );
  });
});
