/** The mail tokenizer: what a message becomes (tables of tokens present and absent). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripMboxFrom, tokenizeRaw } from '../../src/classify/tokenize.js';
import { fixture, message } from './helpers.js';

describe('tokenize: a MIME message with encoded headers, base64 latin-1 text, HTML and an attachment', () => {
  const tokens = new Set(tokenizeRaw(fixture('tokenize', 'mime.eml')));
  it.each([
    // decoded headers, prefixed by the field
    ['from:addr:juergen@sender.example.com'],
    ['from:dom:sender.example.com'],
    ['from:dom:example.com'],
    ['from:name:jürgen'],
    ['from:name:müller'],
    ['to:addr:other@example.net'],
    ['cc:dom:lists.example.org'],
    ['to:count:3-5'],
    ['subject:weekly'],
    ['subject:report'],
    ['subject:äpse'],
    ['subject:punct:!!!'],
    ['list-id:team.lists.example.org'],
    ['x-mailer:foo mailer #.#.#'],
    ['received:mail.sender.example.com'],
    ['received:ip:192.0.2'],
    ['thread:parent.1@example.org'],
    ['msgid:sender.example.com'],
    // MIME structure
    ['ct:multipart/alternative'],
    ['ct:text/html'],
    ['charset:iso-8859-1'],
    ['cte:base64'],
    ['file:.pdf'],
    // base64 + iso-8859-1 body, decoded
    ['grüße'],
    ['münchen'],
    ['straße'],
    // HTML reduced to text, link hosts and telling tags
    ['cheap'],
    ['watches'],
    ['url:shop.cheap-watches.example.net'],
    ['url:cheap-watches.example.net'],
    ['url:img.example.net'],
    ['html:img'],
    ['html:script'],
  ])('has %s', (token) => {
    expect(tokens.has(token)).toBe(true);
  });

  it.each([
    ['scriptword'], // script contents are not text
    ['<b>'],
    ['b'],
    ['JVBERi0xLjQK'.toLowerCase()], // attachment bytes are not words
    ['from sender@example.com'],
  ])('lacks %s', (token) => {
    expect(tokens.has(token)).toBe(false);
  });

  it('ignores an mbox "From " line in front', () => {
    expect([...tokens].some((t) => t.includes('mbox-sender'))).toBe(false);
    expect(stripMboxFrom(new TextEncoder().encode('From x  Thu\nA: b\n')).length).toBe(5);
  });
});

describe('tokenize: words', () => {
  const tokens = new Set(tokenizeRaw(fixture('tokenize', 'plain.eml')));
  it.each([
    ['see', true],
    ['and', true],
    ['ok', false], // shorter than 3
    ['skip:s 50', true], // longer than 20: only that there was one
    ['url:www.example.com', true],
    ['日本', true], // CJK: character pairs
    ['本語', true],
    ['from:noname', true],
  ])('%s → %s', (token, present) => {
    expect(tokens.has(token)).toBe(present);
  });

  it('lower-cases and trims punctuation at the ends, keeps a trailing ! $ %', () => {
    const t = tokenizeRaw(message({ body: '"Hello," (WORLD) FREE!!! 100% $$$money' }));
    expect(t).toEqual(expect.arrayContaining(['hello', 'world', 'free!!!', '100%', '$$$money']));
  });

  it('gives each token once, at most maxTokens of them', () => {
    const body = Array.from({ length: 500 }, (_, i) => `word${i} word${i}`).join(' ');
    const t = tokenizeRaw(message({ body }), { maxTokens: 100 });
    expect(t).toHaveLength(100);
    expect(new Set(t).size).toBe(100);
  });

  it('is deterministic and never throws on garbage', () => {
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    expect(tokenizeRaw(garbage)).toEqual(tokenizeRaw(garbage));
    expect(() => tokenizeRaw(new Uint8Array(0))).not.toThrow();
  });
});

describe('the hand-written scanners find what their regexes describe', () => {
  const ipRegex = /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}\b/g;
  it('received:ip: /\\b(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.\\d{1,3}\\b/ over a Received field', () => {
    const piece = fc.constantFrom('1', '12', '123', '1234', '.', 'a', '_', ' ', '(', '[', 'é', '10.0.0.1', '192.168.1.20', 'x1.2.3.4', '1.2.3.4a', '1.2.3.4.5', '1.2.3.4_', '01.02.003.4');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (parts) => {
        const v = parts.join('').trim();
        const expected = new Set([...v.matchAll(ipRegex)].map((m) => `received:ip:${m[1]}.${m[2]}.${m[3]}`));
        const got = new Set(tokenizeRaw(message({ body: 'x', headers: `Received: ${v}` })).filter((t) => t.startsWith('received:ip:')));
        expect(got).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('html:<tag>: /<([a-z][a-z0-9]{0,9})\\b/i, for the telling tags', () => {
    const telling = new Set(['img', 'font', 'table', 'form', 'script', 'iframe', 'center', 'map', 'area', 'input', 'style', 'a', 'b', 'p', 'br', 'div', 'span']);
    const piece = fc.constantFrom('<', '>', 'IMG', 'img', 'font', 'Table', 'a', 'b', 'p1', 'br', 'div_', 'span', 'center', 'centers', 'x', '9', ' ', '_', 'é', '</p>', '<<a');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (parts) => {
        const html = parts.join('');
        const expected = new Set([...html.matchAll(/<([a-z][a-z0-9]{0,9})\b/gi)].map((m) => m[1]!.toLowerCase()).filter((t) => telling.has(t)).map((t) => 'html:' + t));
        const raw = message({ body: `<html>${html}</html>`, headers: 'Content-Type: text/html' });
        const got = new Set(tokenizeRaw(raw).filter((t) => t.startsWith('html:') && t !== 'html:html'));
        expect(got).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
