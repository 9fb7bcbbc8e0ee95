/**
 * body (RFC 5173). Every expected result here was measured with Pigeonhole 0.5.19's
 * sieve-test on the same messages.
 */
import { describe, expect, it } from 'vitest';
import { htmlText } from '../../src/extensions/lib/html-text.js';
import { dryRun } from '../../src/runtime/dry-run.js';

const enc = new TextEncoder();
const crlf = (s: string): Uint8Array => enc.encode(s.replace(/\r?\n/g, '\r\n'));
const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

const PLAIN = crlf('From: a@example.org\nSubject: plain\nContent-Type: text/plain; charset=utf-8\n\nHi Bob,\n\ncan we meet tomorrow about the Q2 budget?\nviele Grüße\n');

const MULTIPART = crlf(`From: a@example.org
Subject: newsletter
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

This is the preamble.
--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Caf=E9 news: the spring sale starts on Monday. This line is long enough to=
 need a soft line break.
--alt
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PGh0bWw+PGJvZHk+PHA+Q2Fmw6kgbmV3czogdGhlIDxiPnNwcmluZyBzYWxlPC9iPiBzdGFydHMg
b24gTW9uZGF5LjwvcD48L2JvZHk+PC9odG1sPgo=
--alt--
--outer
Content-Type: application/pdf; name="price-list.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCg==
--outer--
This is the epilogue.
`);

const NESTED = crlf(`From: a@example.org
Subject: nested
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

pre
--XX
Content-Type: text/plain

outer text part
--XX
Content-Type: message/rfc822

Subject: inner subject
From: inner@example.org
Content-Type: text/html; charset=utf-8

<p>Inner &AMP; &Eacute;t&eacute; &agrave;&bogus;x &#65;&#x42;</p><script>var s="hidden";</script><!-- comment --> tail&nbsp;end
--XX
Content-Type: bogus

invalid type part
--XX
Content-Type: text/plain
--XX
Content-Type: application/xhtml+xml

<html><b>xhtml</b>text</html>
--XX--
epi
`);

const HTML = crlf(`From: a@example.org
Subject: order
Content-Type: text/html; charset=utf-8

<html><head><style>p { color: red; }</style></head>
<body><p>Your order <b>#77</b> has shipped.</p><p>Tracking&nbsp;code: XY&amp;Z</p></body></html>
`);

const EMPTY_PARTS = crlf('From: a@example.org\nSubject: h\nContent-Type: multipart/mixed; boundary=Q\n\n--Q\nContent-Type: text/plain\n\n--Q\n\n--Q\nContent-Type: text/plain\n--Q--\n');

const DIGEST = crlf(`From: a@example.org
Subject: digest
Content-Type: multipart/digest; boundary="D"

--D

Subject: first digested

first body text
--D
Content-Type: message/rfc822

Subject: second digested

second body text
--D--
`);

const R = 'require ["body", "fileinto", "relational", "comparator-i;ascii-numeric", "variables"];\n';

function mailboxes(src: string, message: Uint8Array): string[] {
  const out = dryRun(R + src, message);
  expect(out.error).toBeUndefined();
  return out.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}

/** Does `body <test>` hold on this message? */
function holds(test: string, message: Uint8Array): boolean {
  return mailboxes(`if body ${test} { fileinto "Yes"; }`, message).length === 1;
}

/** How many parts `body <transform>` compares. */
function count(transform: string, message: Uint8Array): number {
  for (let n = 0; n < 10; n++) {
    if (holds(`${transform} :count "eq" :comparator "i;ascii-numeric" "${n}"`, message)) return n;
  }
  throw new Error('no count');
}

describe('compile', () => {
  it.each([
    ['if body :contains "x" { keep; }', 'undeclared-capability', 1],
    ['require "body";\nif body :raw :text :contains "x" { keep; }', 'conflicting-tags', 2],
    ['require "body";\nif body :content :contains "x" { keep; }', 'missing-argument', 2],
    ['require "body";\nif body :raw { keep; }', 'missing-argument', 2],
    ['require "body";\nif body :content "text" :content "html" "x" { keep; }', 'duplicate-tag', 2],
    ['require "body";\nif body :raw "a" "b" { keep; }', 'too-many-arguments', 2],
  ])('%s → %s', (src, code, line) => {
    expect(dryRun(src, PLAIN).error).toMatchObject({ phase: 'compile', code, line });
  });

  it('marks the plan as needing the body', () => {
    expect(dryRun('require ["body"]; if body :content ["a b", "/plain", "text/*"] :contains "x" { keep; }', PLAIN).status).toBe('ok');
  });
});

describe('default (:text) and :raw', () => {
  it.each([
    [':contains "Q2 budget"', PLAIN, true],
    [':contains "viele Grüße"', PLAIN, true],
    [':matches "*meet tomorrow*"', PLAIN, true],
    [':matches "Hi Bob*"', PLAIN, true],
    [':comparator "i;octet" :contains "hi bob"', PLAIN, false],
    [':comparator "i;octet" :contains "Hi Bob"', PLAIN, true],
    [':text :contains "Café news"', MULTIPART, true],
    [':text :contains "long enough to need a soft line break"', MULTIPART, true],
    [':text :contains "the spring sale starts"', MULTIPART, true],
    [':text :contains "<b>"', MULTIPART, false],
    [':text :contains "This is the preamble"', MULTIPART, false],
    [':raw :contains "PGh0bWw+"', MULTIPART, true],
    [':raw :contains "Caf=E9"', MULTIPART, true],
    [':raw :contains "--outer--"', MULTIPART, true],
    [':raw :contains "Café"', MULTIPART, false],
  ])('body %s', (test, message, expected) => {
    expect(holds(test, message)).toBe(expected);
  });
});

describe(':content', () => {
  it.each([
    [':content "text/html" :contains "<b>spring sale</b>"', MULTIPART, true],
    [':content "text/html" :contains "Café news: the"', MULTIPART, true],
    [':content "text" :contains "spring sale"', MULTIPART, true],
    [':content "text/plain" :contains "<b>"', MULTIPART, false],
    [':content "application/pdf" :contains "%PDF-1.4"', MULTIPART, true],
    [':content "application/pdf" :contains "JVBERi0"', MULTIPART, false],
    [':content "" :contains "spring sale"', MULTIPART, true],
    [':content "TEXT/PLAIN" :contains "outer"', NESTED, true],
    [':content "text/" :contains "outer"', NESTED, false],
    // A multipart shows only its preamble and epilogue.
    [':content "multipart" :contains "preamble"', MULTIPART, true],
    [':content "multipart" :contains "epilogue"', MULTIPART, true],
    [':content "multipart" :contains "spring sale"', MULTIPART, false],
    [':content "multipart/mixed" :contains "pre"', NESTED, true],
    // message/rfc822 shows the enclosed header; its body is a part of its own.
    [':content "message/rfc822" :contains "inner subject"', NESTED, true],
    [':content "message" :contains "Inner &AMP;"', NESTED, false],
    [':content "text/html" :contains "<p>Inner"', NESTED, true],
    // An unparsable Content-Type: only "" sees the part.
    [':content "" :contains "invalid type"', NESTED, true],
    [':content "bogus" :contains "invalid type"', NESTED, false],
    [':content "text" :contains "invalid type"', NESTED, false],
  ])('body %s', (test, message, expected) => {
    expect(holds(test, message)).toBe(expected);
  });

  it.each([
    ['', NESTED, 3],
    [':content ""', NESTED, 7],
    [':content "multipart"', NESTED, 2],
    [':content "message"', NESTED, 1],
    [':text', MULTIPART, 2],
    [':content ""', MULTIPART, 6],
    [':content "multipart"', MULTIPART, 3],
    // A part whose header has no blank line has no body; an empty body after one counts.
    ['', EMPTY_PARTS, 2],
    [':content ""', EMPTY_PARTS, 3],
    [':raw', EMPTY_PARTS, 1],
    // multipart/digest: parts without Content-Type are messages.
    [':text', DIGEST, 3],
    [':content "multipart"', DIGEST, 1],
    [':content ""', DIGEST, 5],
  ])('body %s compares %i parts', (transform, message, n) => {
    expect(count(transform, message)).toBe(n);
  });

  it('content types may come from variables', () => {
    expect(mailboxes('set "t" "application"; if body :content "${t}" :contains "%PDF" { fileinto "Pdf"; }', MULTIPART)).toEqual(['Pdf']);
  });

  it('digest parts: only a message/rfc822 part shows its enclosed header', () => {
    expect(holds(':text :contains "first body"', DIGEST)).toBe(true);
    expect(holds(':content "message/rfc822" :contains "second digested"', DIGEST)).toBe(true);
    expect(holds(':content "message/rfc822" :contains "first digested"', DIGEST)).toBe(false);
    expect(holds(':content "text/plain" :contains "first digested"', DIGEST)).toBe(false);
  });
});

describe('messages without a body', () => {
  it.each([
    ['all header, no blank line', 'From: a@example.org\r\nSubject: header only, not even a blank line\r\n', ':contains ""', false],
    ['blank line, empty body', 'From: a@example.org\r\nSubject: x\r\n\r\n', ':contains ""', true],
    ['blank line, empty body', 'From: a@example.org\r\nSubject: x\r\n\r\n', ':content "text" :contains ""', true],
    ['blank line, empty body', 'From: a@example.org\r\nSubject: x\r\n\r\n', ':raw :contains ""', false],
    ['a non-text body', 'Subject: x\r\nContent-Type: application/octet-stream\r\n\r\ndata\r\n', ':contains ""', false],
  ])('%s: body %s → %s', (_name, message, test, expected) => {
    expect(holds(test, enc.encode(message))).toBe(expected);
  });
});

describe('charsets', () => {
  it.each([
    ['text/plain', bytes('caf\xe9 latin'), false],
    ['text/plain; charset=us-ascii', bytes('caf\xe9 latin'), false],
    ['text/plain; charset=us-ascii', enc.encode('café utf'), true],
    ['text/plain; charset=x-unknown', enc.encode('café utf'), true],
    ['application/octet-stream; charset=iso-8859-1', bytes('caf\xe9 latin'), true],
    ['application/octet-stream', bytes('caf\xe9 latin'), false],
  ])('%s: "café" found = %s', (type, body, expected) => {
    const message = new Uint8Array([...enc.encode(`From: a@example.org\r\nContent-Type: ${type}\r\n\r\n`), ...body]);
    expect(holds(':content "" :contains "café"', message)).toBe(expected);
    expect(holds(':content "" :contains "caf\ufffd"', message)).toBe(!expected);
  });
});

describe('HTML as text', () => {
  it.each([
    ['<p>', false],
    ['Your order #77 has shipped', false],
    ['#77  has', true],
    ['shipped. Tracking', true],
    ['color: red', false],
    ['XY&Z', true],
    ['Tracking code', false],
    ['Tracking\u00a0code', true],
  ])('html.eml :text contains %j → %s', (key, expected) => {
    expect(holds(`:text :contains "${key}"`, HTML)).toBe(expected);
  });

  it.each([
    ['Inner  É', true], ['hidden', false], ['comment', false], ['x AB', true], ['xhtml text', true],
    ['inner subject', false], ['pre', false], ['&', false],
  ])('nested :text contains %j → %s', (key, expected) => {
    expect(holds(`:text :contains "${key}"`, NESTED)).toBe(expected);
  });

  it.each([
    ['<p>a</p><p>b</p>', 'a b '],
    ['a <b>x</b> y', 'a x  y'],
    ['<!-- c --> d', ' d'],
    ['a<!-- c -- x -- >b', 'ab'],
    ['a<script type="x">s</script>b<STYLE>t</style>c', 'a b c'],
    ['a<style>t</style >c', 'a'],
    ['a<!-- c --->b', 'a'],
    ['x&#0;y', 'x\0y'],
    ['<![CDATA[<x>]]>y', '<x>y'],
    ['<a href="x>y">z</a>', 'z '],
    ["[&apos;] [&AMP;] [&#X41;] [&#0041;] [&#xZZ;] [&eacute;&Eacute;]", "['] [] [] [)] [] [éÉ]"],
    ['a & b', 'a  b'],
    ['[&abcdefghij;] [&abcdefghi;]', '[abcdefghij;] []'],
    ['AT&T', 'AT'],
    ['x <unclosed', 'x '],
  ])('htmlText(%j) = %j', (html, text) => {
    expect(htmlText(html)).toBe(text);
  });
});

describe('match variables', () => {
  it('body leaves ${1} as it was (Pigeonhole does not set them for body)', () => {
    expect(mailboxes('if header :matches "subject" "*" { set "x" "1"; } if body :matches "*" { fileinto "b=${1}"; }', PLAIN)).toEqual(['b=plain']);
  });
});
