import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/runtime/message/parse.js';
import { splitHeader, unfold } from '../../src/runtime/message/header-fields.js';
import { concat, latin1, msg, utf8 } from './helpers.js';

describe('header block splitting', () => {
  it.each([
    ['CRLF', 'A: 1\r\nB: 2\r\n\r\nbody', 12, 14],
    ['LF only', 'A: 1\nB: 2\n\nbody', 10, 11],
    ['no blank line: all header', 'A: 1\r\nB: 2', 10, 10],
    ['leading blank line: no header', '\r\nA: 1\r\n', 0, 2],
    ['leading LF: no header', '\nA: 1\n', 0, 1],
    ['empty message', '', 0, 0],
    ['blank line right at the end', 'A: 1\r\n\r\n', 6, 8],
    ['mixed: LF line then CRLF blank line', 'A: 1\n\r\nbody', 5, 7],
  ])('%s', (_name, text, headerEnd, bodyStart) => {
    expect(splitHeader(utf8(text))).toEqual({ headerEnd, bodyStart });
  });

  it('a message starting with a blank line has no fields and a body', () => {
    const m = msg('\nSubject: not a header\n');
    expect(m.fields()).toEqual([]);
    expect(m.hasBody()).toBe(true);
    expect(m.rawBody()).toBe('Subject: not a header\r\n');
  });

  it('no blank line: every line is header, no body', () => {
    const m = msg('Subject: x\nFrom: a@b');
    expect(m.header('from')).toEqual(['a@b']);
    expect(m.hasBody()).toBe(false);
    expect(m.rawBody()).toBe('');
  });

  it('empty body after the blank line is no body', () => {
    expect(msg('Subject: x\n\n').hasBody()).toBe(false);
    expect(msg('Subject: x\n\n\n').hasBody()).toBe(true);
  });

  it('size is the raw byte length without CRLF conversion', () => {
    const raw = utf8('Subject: é\n\nbody\n');
    const m = parseMessage(raw);
    expect(m.size).toBe(18);
    expect(m.raw).toBe(raw);
  });
});

describe('field parsing', () => {
  it('keeps order, original case and every same-named field', () => {
    const m = msg('Received: one\nX-A: a\nreceived: two\nRECEIVED: three\n\n');
    expect(m.fields().map((f) => [f.name, f.lname, f.raw])).toEqual([
      ['Received', 'received', ' one'],
      ['X-A', 'x-a', ' a'],
      ['received', 'received', ' two'],
      ['RECEIVED', 'received', ' three'],
    ]);
    expect(m.header('Received')).toEqual(['one', 'two', 'three']);
  });

  it('returns [] for a missing field', () => {
    expect(msg('A: 1\n\n').header('B')).toEqual([]);
  });

  it('keeps folds in raw (as CRLF) and unfolds values', () => {
    const lf = msg('Subject: a\n  b\n\tc\nX: y\n\n', true);
    expect(lf.fields()[0]!.raw).toBe(' a\r\n  b\r\n\tc');
    expect(lf.header('subject')).toEqual(['a  b c']);
    const crlf = msg('Subject: a\n  b\n\tc\nX: y\n\n');
    expect(crlf.fields()[0]!.raw).toBe(' a\r\n  b\r\n\tc');
  });

  it.each([
    ['CRLF SP', 'a\r\n b', 'a b'],
    ['CRLF TAB becomes one space (Pigeonhole)', 'a\r\n\tb', 'a b'],
    ['CRLF SP SP keeps the second space', 'a\r\n  b', 'a  b'],
    ['LF TAB', 'a\n\tb', 'a b'],
    ['no fold', 'a\tb', 'a\tb'],
  ])('unfold: %s', (_n, raw, out) => {
    expect(unfold(raw)).toBe(out);
  });

  it.each([
    ['leading/trailing whitespace is trimmed', 'X:   spaced out  \t\n\n', 'spaced out'],
    ['empty value', 'X:\n\n', ''],
    ['value without space after colon', 'X:tight\n\n', 'tight'],
    ['colon inside the value', 'X: a: b: c\n\n', 'a: b: c'],
    ['fold-only continuation', 'X: a\n \n\n', 'a'],
    ['NBSP is not trimmed', 'X: \u00a0a\n\n', '\u00a0a'],
  ])('value: %s', (_n, text, value) => {
    expect(msg(text).header('x')).toEqual([value]);
  });

  it('skips lines that are neither a field nor a continuation, with their continuations', () => {
    const m = msg('From bounce@x Mon Jan 1 00:00:00 2024\nA: 1\nno colon here\n  continued junk\n: empty name\nBad Name: x\nB: 2\n\n');
    expect(m.fields().map((f) => f.name)).toEqual(['A', 'B']);
    expect(m.header('a')).toEqual(['1']);
  });

  it('skips a continuation line before the first field', () => {
    const m = msg(' orphan\nA: 1\n\n');
    expect(m.fields().map((f) => f.name)).toEqual(['A']);
  });

  it('accepts whitespace before the colon (RFC 5322 §4.5 obs-optional)', () => {
    const m = msg('Subject  : hi\n\n');
    expect(m.fields()[0]!.name).toBe('Subject');
    expect(m.header('subject')).toEqual(['hi']);
  });

  it('strips a UTF-8 BOM before the first field', () => {
    const m = parseMessage(concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8('Subject: bom\r\n\r\n')));
    expect(m.header('subject')).toEqual(['bom']);
  });

  it('field names are looked up case-insensitively', () => {
    expect(msg('X-Spam-Flag: YES\n\n').header('x-SPAM-flag')).toEqual(['YES']);
  });
});

describe('8-bit header bytes', () => {
  it('reads valid UTF-8 as UTF-8 (RFC 6532)', () => {
    const m = msg('Subject: Grüße 日本\n\n');
    expect(m.header('subject')).toEqual(['Grüße 日本']);
  });

  it('reads invalid UTF-8 as latin1, not U+FFFD', () => {
    const m = parseMessage(latin1('Subject: caf\xe9 cr\xe8me\r\n\r\n'));
    expect(m.header('subject')).toEqual(['café crème']);
  });

  it('decides per line: one latin1 field does not spoil a UTF-8 one', () => {
    const raw = concat(utf8('Subject: Grüße\r\n'), latin1('From: Ren\xe9 <r@x>\r\n\r\n'));
    const m = parseMessage(raw);
    expect(m.header('subject')).toEqual(['Grüße']);
    expect(m.header('from')).toEqual(['René <r@x>']);
    expect(m.addresses('from')[0]!.addresses[0]!.name).toBe('René');
  });

  it('a latin1 continuation line makes the whole field latin1-read', () => {
    const m = parseMessage(latin1('Subject: a\r\n b\xe9\r\n\r\n'));
    expect(m.header('subject')).toEqual(['a bé']);
  });
});

describe('body access', () => {
  it('rawBody is undecoded and keeps the line ends', () => {
    const m = msg('Content-Transfer-Encoding: base64\n\naGVsbG8=\n', true);
    expect(m.rawBody()).toBe('aGVsbG8=\n');
  });

  it('rawBody reads a latin1 body as latin1', () => {
    const m = parseMessage(latin1('A: 1\r\n\r\nna\xefve\r\n'));
    expect(m.rawBody()).toBe('naïve\r\n');
  });
});
