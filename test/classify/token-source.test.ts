/**
 * The tokenizer's light read of a raw message (token-source.ts: a MIME tree built from the
 * three MIME fields, not from the whole field list) gives exactly the tokens of the full
 * message view, on the fixtures and on generated MIME messages.
 */
import fc from 'fast-check';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { messageKey } from '../../src/classify/store/message-key.js';
import { tokenSource } from '../../src/classify/token-source.js';
import { sourceTokenHashes, stripMboxFrom, tokenHashes, tokenHashesRaw, tokenize, tokenizeRaw } from '../../src/classify/tokenize.js';
import { parseMessage } from '../../src/runtime/message/parse.js';
import { fixture, FIXTURES } from './helpers.js';

function emlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? emlFiles(join(dir, f)) : f.endsWith('.eml') ? [join(dir, f)] : []));
}

/** Tokens, hashes and key by the light path and by the full view must be the same. */
function expectSameTokens(raw: Uint8Array): void {
  const full = parseMessage(stripMboxFrom(raw));
  expect(tokenizeRaw(raw)).toEqual(tokenize(full));
  expect(Array.from(tokenHashesRaw(raw))).toEqual(Array.from(tokenHashes(full)));
  const source = tokenSource(stripMboxFrom(raw));
  expect(Array.from(sourceTokenHashes(source))).toEqual(Array.from(tokenHashes(full)));
  expect(messageKey(source.view, source.bytes, source.bodyStart)).toBe(messageKey(full, stripMboxFrom(raw)));
}

describe('token source: the light MIME read gives the full view’s tokens', () => {
  const files = emlFiles(FIXTURES);

  it('covers the shipped fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files.map((f) => [f.slice(FIXTURES.length + 1), f]))('%s', (_name, file) => {
    expectSameTokens(fixture(file.slice(FIXTURES.length + 1)));
  });

  it('reads only the first Content-Type, wherever it stands among the fields', () => {
    const raw = new TextEncoder().encode(
      [
        'Received: from a.example (a.example [192.0.2.1])',
        '\tby b.example; Sun, 22 Nov 2026 10:00:00 +0000',
        'content-TYPE: multipart/mixed; boundary="b1"',
        'Subject: two types',
        'Content-Type: text/plain',
        'Content-Transfer-Encoding: 7bit',
        '',
        'preamble words here',
        '--b1',
        'Content-Type: text/html; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        '<p>Gr=FC=DFe <a href=3D"http://www.shop.example/x">cheap</a></p>',
        '--b1',
        'Content-Disposition: attachment; filename="a.PDF"',
        'Content-Type: application/pdf',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0=',
        '--b1--',
        '',
      ].join('\r\n'),
    );
    expectSameTokens(raw);
    expect(tokenizeRaw(raw)).toEqual(expect.arrayContaining(['ct:multipart/mixed', 'ct:text/html', 'file:.pdf', 'url:shop.example', 'grüße']));
  });

  it('agrees on generated MIME messages (field order and case, nesting, encodings, mbox line)', () => {
    const word = fc.stringMatching(/^[a-zA-Zäöü0-9$!.-]{1,12}$/);
    const text = fc.array(word, { maxLength: 12 }).map((w) => w.join(' '));
    const leaf = fc.record({
      type: fc.constantFrom('text/plain', 'text/html', 'application/octet-stream', 'TEXT/Plain', 'bogus'),
      charset: fc.constantFrom(undefined, 'utf-8', 'iso-8859-1', 'us-ascii', 'x-unknown'),
      cte: fc.constantFrom(undefined, '7bit', 'quoted-printable', 'base64', 'Base64'),
      filename: fc.option(fc.constantFrom('a.txt', 'b.EXE', 'noext', '=?utf-8?q?r=C3=A9sum=C3=A9.pdf?='), { nil: undefined }),
      body: text,
    });
    const header = fc.array(fc.constantFrom('Subject: hi there', 'From: A <a@x.example>', 'To: b@y.example, c@z.example', 'X-Mailer: Foo 1.2', 'Received: from m.example ([198.51.100.7])'), { maxLength: 5 });
    fc.assert(
      fc.property(fc.array(leaf, { minLength: 1, maxLength: 4 }), header, fc.boolean(), fc.boolean(), fc.boolean(), (leaves, extra, multipart, mbox, lf) => {
        const eol = lf ? '\n' : '\r\n';
        const encode = (l: (typeof leaves)[number]): string => {
          const h: string[] = [`Content-Type: ${l.type}${l.charset ? `; charset=${l.charset}` : ''}`];
          if (l.cte) h.push(`Content-Transfer-Encoding: ${l.cte}`);
          if (l.filename) h.push(`Content-Disposition: attachment; filename="${l.filename}"`);
          const body = /base64/i.test(l.cte ?? '') ? Buffer.from(l.body, 'utf8').toString('base64') : l.body;
          return [...h.reverse(), '', body].join(eol);
        };
        let msg: string;
        if (multipart) {
          const parts = leaves.map((l) => `--XyZ${eol}${encode(l)}`).join(eol);
          msg = [...extra, 'Content-Type: multipart/mixed; boundary=XyZ', 'MIME-Version: 1.0', '', 'preamble', parts, '--XyZ--', ''].join(eol);
        } else {
          msg = [...extra, encode(leaves[0]!), ''].join(eol);
        }
        expectSameTokens(new TextEncoder().encode((mbox ? 'From someone Sun Nov 22 10:00:00 2026' + eol : '') + msg));
      }),
      { numRuns: 300 },
    );
  });
});
