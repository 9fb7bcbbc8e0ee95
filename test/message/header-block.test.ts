/**
 * The lazily split header (src/runtime/message/header-block.ts) against the eager splitter
 * it replaced, kept here as the reference: every field, every lookup by name, in any order
 * of calls, gives the same fields (name, lower-case name, raw value, latin1 flag).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { latin1Decode, tryUtf8 } from '../../src/runtime/message/bytes.js';
import { HeaderBlock, parseFields } from '../../src/runtime/message/header-block.js';
import { decodeHeaderValue, splitHeader } from '../../src/runtime/message/header-fields.js';
import { parseMessage } from '../../src/runtime/message/parse.js';
import type { HeaderField } from '../../src/runtime/message/types.js';
import { latin1, utf8 } from './helpers.js';

interface RefField {
  name: string;
  lname: string;
  raw: string;
  latin1: boolean;
}

// ---- The reference: the eager splitter as it was (one Field per field, up front). ----

function refParseFields(block: Uint8Array): RefField[] {
  const start = block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf ? 3 : 0;
  const bytes = start ? block.subarray(start) : block;
  const text = tryUtf8(bytes);
  if (text !== null) return refParseText(text, null);
  const lines: string[] = [];
  const latin: boolean[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) nl = bytes.length;
    const line = bytes.subarray(pos, nl);
    const asUtf8 = tryUtf8(line);
    lines.push(asUtf8 ?? latin1Decode(line));
    latin.push(asUtf8 === null);
    pos = nl + 1;
  }
  return refParseText(lines.join('\n'), latin);
}

function refParseText(text: string, latin: readonly boolean[] | null): RefField[] {
  const fields: RefField[] = [];
  const len = text.length;
  let pos = 0;
  let lineNo = 0;
  let name = '';
  let vStart = -1;
  let vEnd = 0;
  let folded = false;
  let lat = false;
  while (pos < len) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = len;
    let end = nl;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    const c = text.charCodeAt(pos);
    const lineLatin = latin !== null && latin[lineNo] === true;
    if (c === 32 || c === 9) {
      if (vStart >= 0) {
        vEnd = end;
        folded = true;
        lat ||= lineLatin;
      }
    } else {
      if (vStart >= 0) fields.push(refField(text, name, vStart, vEnd, folded, lat));
      vStart = -1;
      const colon = text.indexOf(':', pos);
      if (colon > pos && colon < end) {
        name = refFieldName(text, pos, colon);
        if (name !== '') {
          vStart = colon + 1;
          vEnd = end;
          folded = false;
          lat = lineLatin;
        }
      }
    }
    pos = nl + 1;
    lineNo++;
  }
  if (vStart >= 0) fields.push(refField(text, name, vStart, vEnd, folded, lat));
  return fields;
}

function refField(text: string, name: string, s: number, e: number, folded: boolean, lat: boolean): RefField {
  let raw = text.slice(s, e);
  if (folded) raw = raw.replace(/\r?\n/g, '\r\n');
  return { name, lname: name.toLowerCase(), raw, latin1: lat };
}

function refFieldName(text: string, start: number, colon: number): string {
  let e = colon;
  while (e > start && (text.charCodeAt(e - 1) === 32 || text.charCodeAt(e - 1) === 9)) e--;
  if (e === start) return '';
  for (let i = start; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) return '';
  }
  return text.slice(start, e);
}

// ---- Generators ----

const NAMES = ['From', 'to', 'SUBJECT', 'Received', 'X-Spam-Score', 'List-Id', 'a', 'X', 'Content-Type', 'kelvin', 'Zz-Az', '@[]'];
/** Header-shaped text: names in any case, odd spacing before the colon, folds, junk lines, 8-bit. */
const piece = fc.oneof(
  fc.constantFrom(...NAMES).chain((n) => fc.constantFrom(n, n.toUpperCase(), n.toLowerCase())).map((n) => n + ':'),
  fc.constantFrom(
    '\r\n', '\n', '\r\n ', '\n\t', '\r\n\t', ' ', '\t', ': ', ':', ' :', '\t:', 'x y:', '\u00e9:', '\u00e9', 'K:', '\r',
    '=?utf-8?q?=C3=A9?=', '\x7f:', '\x00', 'value', 'a@b.c', '\ufeff',
  ),
  fc.string({ maxLength: 6 }),
);
const block = fc.tuple(fc.array(piece, { maxLength: 50 }), fc.boolean(), fc.boolean()).map(([parts, asLatin1, bom]) => {
  const text = parts.join('');
  const bytes = asLatin1 ? latin1(text.replace(/[^\x00-\xff]/g, '?')) : utf8(text);
  return bom ? Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]) : bytes;
});
/** Names to look up: present ones in other cases, absent ones, and the Kelvin sign (lower-cases to "k"). */
const lookups = fc.array(fc.oneof(fc.constantFrom(...NAMES, 'nope', '', 'k', '\u212Aelvin', 'x y'), fc.string({ maxLength: 3 })), { maxLength: 12 });

function plain(fields: readonly HeaderField[]): RefField[] {
  return fields.map((f) => ({ name: f.name, lname: f.lname, raw: f.raw, latin1: (f as { latin1?: boolean }).latin1 === true }));
}

describe('lazily split header = the eager reference', () => {
  it('parseFields gives the reference fields', () => {
    fc.assert(
      fc.property(block, (b) => {
        expect(plain(parseFields(b))).toEqual(refParseFields(b));
      }),
      { numRuns: 3000 },
    );
  });

  it('lookups by name, before and after the whole list, give the reference fields', () => {
    fc.assert(
      fc.property(block, lookups, fc.boolean(), (b, names, listFirst) => {
        const ref = refParseFields(b);
        const h = HeaderBlock.parse(b);
        if (listFirst) expect(plain(h.fields())).toEqual(ref);
        for (const name of names) {
          const lname = name.toLowerCase();
          expect(plain(h.named(lname))).toEqual(ref.filter((f) => f.lname === lname));
        }
        expect(plain(h.fields())).toEqual(ref);
      }),
      { numRuns: 3000 },
    );
  });

  it('a parsed message and its forks answer fieldsNamed and fields() as the reference does', () => {
    fc.assert(
      fc.property(block, lookups, (b, names) => {
        const raw = Uint8Array.from([...b, 0x0d, 0x0a, 0x0d, 0x0a, 0x42]);
        const ref = refParseFields(raw.subarray(0, splitHeader(raw).headerEnd));
        const m = parseMessage(raw);
        for (const name of names) expect(plain(m.fieldsNamed(name))).toEqual(ref.filter((f) => f.lname === name.toLowerCase()));
        expect(m.header('subject')).toEqual(ref.filter((f) => f.lname === 'subject').map((f) => decodeHeaderValue(f.raw)));
        expect(plain(m.fields())).toEqual(ref);
        const fork = m.fork();
        for (const name of names) expect(plain(fork.fieldsNamed(name))).toEqual(ref.filter((f) => f.lname === name.toLowerCase()));
        fork.addField('Subject', 'added');
        expect(fork.fieldsNamed('subject')[0]!.raw).toBe(' added');
        expect(plain(m.fieldsNamed('subject'))).toEqual(ref.filter((f) => f.lname === 'subject'));
      }),
      { numRuns: 2000 },
    );
  });

  it('fields are made once: lookups and the list share them', () => {
    const m = parseMessage(utf8('Subject: a\r\nReceived: x\r\nsubject: b\r\n\r\nbody'));
    const named = m.fieldsNamed('SUBJECT');
    expect(named.map((f) => f.raw)).toEqual([' a', ' b']);
    expect(m.fields()[0]).toBe(named[0]);
    expect(m.fields()[2]).toBe(named[1]);
    expect(m.fieldsNamed('subject')).toBe(named);
    expect(m.fieldsNamed('x-absent')).toEqual([]);
  });
});
