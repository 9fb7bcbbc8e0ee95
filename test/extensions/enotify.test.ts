/**
 * enotify (RFC 5435) with the mailto (RFC 5436), sms and tel methods. Every mailto
 * case was run through Pigeonhole 0.5.19's sieve-test; sms and tel are mailsift's own.
 */
import { describe, expect, it } from 'vitest';
import { encodeUrl, enotify, optionProblem } from '../../src/extensions/enotify.js';
import { parseSieveAddress } from '../../src/extensions/notify-methods/address.js';
import { formatMailto, parseMailto } from '../../src/extensions/notify-methods/mailto.js';
import { lookupMethod, uriProblem } from '../../src/extensions/notify-methods/registry.js';
import { parseSms } from '../../src/extensions/notify-methods/sms.js';
import { parseTelephoneSubscriber } from '../../src/extensions/notify-methods/tel.js';
import { defaultRegistry } from '../../src/extensions/index.js';
import type { NotifyAction } from '../../src/runtime/actions.js';
import { dryRun } from '../../src/runtime/dry-run.js';


const MESSAGE = new TextEncoder().encode('From: alice@example.org\r\nTo: me@example.com\r\nSubject: Hello\r\n\r\nBody.\r\n');
const run = (src: string) => dryRun(src, MESSAGE, { envelopeFrom: 'alice@example.org', envelopeTo: 'me@example.com', compile: { registry: defaultRegistry } });
const N = 'require "enotify"; ';

function notes(src: string): NotifyAction[] {
  const r = run(src);
  expect(r.error).toBeUndefined();
  return r.actions.filter((a): a is NotifyAction => a.type === 'notify');
}

describe('notify compiles', () => {
  it.each([
    'notify "mailto:a@example.com";',
    'notify "MAILTO:a@example.com";',
    'notify :message "M" :from "f@example.com" :importance "1" "mailto:a@example.com";',
    'notify :options ["foo=bar", "x.y-z_1=any value"] "mailto:a@example.com";',
    'notify "mailto:a@example.com%2Cb@example.com";',
    'notify "mailto:a@example.com?cc=b@example.com&subject=Hi%20there&body=xyz";',
    'notify "mailto:";',
    'notify "mailto:?to=a@example.com";',
    'notify "mailto:a@example.com?bcc=z@example.com&from=y@example.com";',
    'notify "mailto:a@example.com?subject=x=y";',
    'notify "mailto:a@example.com?subject";',
    'notify "mailto:a@example.com?=x";',
    'notify "mailto:a@example.com?subject=a%09b&body=a%0D%0Ab";',
    'notify "mailto:Name%20%3Ca@example.com%3E";',
    'notify "mailto:%22a%20b%22@example.com";',
    'notify "mailto:a..b@example.com";',
    'notify "sms:+15551234567";',
    'notify "sms:+1-555-123-4567,+15557654321?body=hello%20there";',
    'notify "tel:+1-201-555-0123";',
    'notify "tel:7042;phone-context=example.com";',
  ])('%s', (src) => {
    expect(run(N + src).error).toBeUndefined();
  });
});

describe('notify compile errors (Pigeonhole: "validation failed")', () => {
  it.each([
    ['notify "mailto:a@example.com,b@example.com";', 'invalid-value', 27],
    ['notify "mailto:bad";', 'invalid-value', 27],
    ['notify "notauri";', 'invalid-value', 27],
    ['notify "xmpp:a@example.com";', 'invalid-value', 27],
    ['notify :importance "4" "mailto:a@example.com";', 'invalid-value', 39],
    ['notify :importance "high" "mailto:a@example.com";', 'invalid-value', 39],
    ['notify :options ["foo"] "mailto:a@example.com";', 'invalid-value', 37],
    ['notify :options ["a=b", "=c"] "mailto:a@example.com";', 'invalid-value', 44],
    ['notify :options ["a b=c"] "mailto:a@example.com";', 'invalid-value', 37],
    ['notify :from "bad" "mailto:a@example.com";', 'invalid-value', 33],
    ['notify "mailto:a@example.com?subject=a/b";', 'invalid-value', 27],
    ['notify "mailto:a@example.com?subject=%00";', 'invalid-value', 27],
    ['notify "mailto:a@example.com?subject=%zz";', 'invalid-value', 27],
    ['notify "mailto:a@example.com?bad%20name=x";', 'invalid-value', 27],
    ['notify "mailto:a@example.com?subject=caf%C3%A9";', 'invalid-value', 27],
    ['notify "mailto:a@example.com?subject=a%0D%0Ab";', 'invalid-value', 27],
    ['notify "mailto:a@example.com?&subject=x";', 'invalid-value', 27],
    ['notify "mailto:a@example.com?cc=";', 'invalid-value', 27],
    ['notify "mailto:a@example.com?cc=b@example.com,";', 'invalid-value', 27],
    ['notify "mailto:a@[1.2.3.4]";', 'invalid-value', 27],
    ['notify "mailto:a@example..com";', 'invalid-value', 27],
    ['notify "sms:5551234";', 'invalid-value', 27],
    ['notify "sms:";', 'invalid-value', 27],
    ['notify "sms:+15551234567?body=a&body=b";', 'invalid-value', 27],
    ['notify "tel:+1-555-abc";', 'invalid-value', 27],
    ['notify :message "x";', 'missing-argument', 20],
    ['notify :importance 1 "mailto:a@example.com";', 'missing-argument', 39],
  ])('%s → %s', (src, code, column) => {
    expect(run(N + src).error).toMatchObject({ phase: 'compile', code, line: 1, column });
  });

  it('needs require "enotify"', () => {
    expect(run('notify "mailto:a@example.com";').error).toMatchObject({ code: 'undeclared-capability', column: 1 });
  });

  it(':importance from a variable is refused, as Pigeonhole does', () => {
    expect(run('require ["enotify", "variables"]; set "i" "1"; notify :importance "${i}" "mailto:a@example.com";').error)
      .toMatchObject({ phase: 'compile', code: 'invalid-value' });
  });
});

describe('the notify action', () => {
  it('carries method, message, from, importance and options', () => {
    expect(notes(N + 'notify :message "M" :from "f@example.com" :importance "1" :options "k=v" "mailto:a@example.com";')).toEqual([
      { type: 'notify', method: 'mailto:a@example.com', message: 'M', from: 'f@example.com', importance: 1, options: ['k=v'] },
    ]);
  });

  it('defaults: importance 2, no message, no from', () => {
    expect(notes(N + 'notify "mailto:a@example.com";')).toEqual([{ type: 'notify', method: 'mailto:a@example.com', importance: 2, options: [] }]);
  });

  it('keeps the implicit keep', () => {
    expect(run(N + 'notify "mailto:a@example.com";').actions.at(-1)).toEqual({ type: 'keep', implicit: true, flags: [] });
  });

  it.each([
    // [script, methods kept] — Pigeonhole drops recipients an earlier mailto notification reaches.
    ['notify "mailto:a@example.com"; notify "mailto:a@example.com";', ['mailto:a@example.com']],
    ['notify :message "x" "mailto:a@example.com"; notify :message "y" "mailto:a@example.com";', ['mailto:a@example.com']],
    ['notify "mailto:a@example.com"; notify "mailto:a@EXAMPLE.COM";', ['mailto:a@example.com']],
    ['notify "mailto:a@example.com?subject=one"; notify "mailto:A@EXAMPLE.com?subject=two";', ['mailto:a@example.com?subject=one', 'mailto:A@EXAMPLE.com?subject=two']],
    ['notify "mailto:a@example.com?cc=b@example.com"; notify "mailto:b@example.com?cc=c@example.com";', ['mailto:a@example.com?cc=b@example.com', 'mailto:?cc=c@example.com']],
    ['notify "mailto:a@example.com"; notify "mailto:b@example.com"; notify "mailto:a@example.com?cc=b@example.com";', ['mailto:a@example.com', 'mailto:b@example.com']],
    ['notify "mailto:Name%20%3Ca@example.com%3E"; notify "mailto:a@example.com";', ['mailto:Name%20%3Ca@example.com%3E']],
    ['notify "mailto:a@example.com?to=b@example.com&to=c@example.com"; notify "mailto:c@example.com?to=d@example.com";', ['mailto:a@example.com?to=b@example.com&to=c@example.com', 'mailto:d@example.com']],
    ['notify "mailto:"; notify "mailto:";', ['mailto:']],
    ['notify "sms:+15551234567"; notify "sms:+1-555-123-4567,+15550000000?body=x";', ['sms:+15551234567', 'sms:+15550000000?body=x']],
    ['notify "tel:+15551234567"; notify "tel:+1-555-123-4567";', ['tel:+15551234567']],
    ['notify "mailto:a@example.com"; notify "sms:+15551234567";', ['mailto:a@example.com', 'sms:+15551234567']],
  ])('%s', (src, methods) => {
    expect(notes(N + src).map((n) => n.method)).toEqual(methods);
  });

  it('the first of merged notifications keeps its importance', () => {
    expect(notes(N + 'notify :importance "1" "mailto:a@example.com"; notify :importance "3" "mailto:a@example.com";').map((n) => n.importance)).toEqual([1]);
  });

  it.each([
    ['an unknown method from a variable', 'set "m" "xmpp:a@example.com"; notify "${m}";', 'invalid-notify-method'],
    ['an invalid mailto URI from a variable', 'set "m" "mailto:bad";\nnotify "${m}";', 'invalid-notify-method'],
    ['an invalid :from from a variable', 'set "f" "bad"; notify :from "${f}" "mailto:a@example.com";', 'invalid-address'],
  ])('%s is a runtime error', (_name, body, code) => {
    const r = run('require ["enotify", "variables"]; ' + body);
    expect(r.error).toMatchObject({ phase: 'runtime', code });
    expect(r.actions).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
  });

  it('invalid :options from a variable are dropped (Pigeonhole 0.5.19 crashes on these)', () => {
    expect(notes('require ["enotify", "variables"]; set "o" "foo"; notify :options ["${o}", "a=b"] "mailto:a@example.com";')[0]!.options).toEqual(['a=b']);
  });

  it('expands variables in method, message and from', () => {
    const n = notes('require ["enotify", "variables"]; set "to" "a@example.com"; notify :message "to ${to}" :from "${to}" "mailto:${to}";');
    expect(n).toEqual([{ type: 'notify', method: 'mailto:a@example.com', message: 'to a@example.com', from: 'a@example.com', importance: 2, options: [] }]);
  });
});

describe('valid_notify_method and notify_method_capability', () => {
  const decides = (test: string, pre = '') => run(`require ["enotify", "variables"]; ${pre} if ${test} { discard; }`).actions[0]!.type === 'discard';

  it.each([
    ['valid_notify_method "mailto:a@example.com"', true],
    ['valid_notify_method ["mailto:a@example.com", "sms:+15551234567", "tel:+15551234567"]', true],
    ['valid_notify_method ["mailto:a@example.com", "xmpp:x@y"]', false],
    ['valid_notify_method "mailto:bad"', false],
    ['valid_notify_method "mailto:a,b"', false],
    ['valid_notify_method ""', false],
    ['notify_method_capability "mailto:a@example.com" "online" "maybe"', true],
    ['notify_method_capability "mailto:a@example.com" "Online" "MAYBE"', true],
    ['notify_method_capability :comparator "i;octet" "mailto:a@example.com" "online" "MAYBE"', false],
    ['notify_method_capability "mailto:a@example.com" "online" ["yes", "no"]', false],
    ['notify_method_capability :matches "mailto:a@example.com" "online" "m*"', true],
    ['notify_method_capability "mailto:a@example.com" "foo" ""', false],
    ['notify_method_capability "mailto:a@example.com" "online" ""', false],
    ['notify_method_capability "xmpp:a@example.com" "online" "maybe"', false],
    ['notify_method_capability "mailto:bad" "online" "maybe"', false],
    ['notify_method_capability "bad uri" "online" "maybe"', false],
    ['notify_method_capability "sms:+15551234567" "online" "maybe"', true],
  ])('%s → %s', (test, expected) => {
    expect(decides(test)).toBe(expected);
  });

  it('take URIs from variables', () => {
    expect(decides('valid_notify_method "${m}"', 'set "m" "mailto:a@example.com";')).toBe(true);
    expect(decides('valid_notify_method "${m}"', 'set "m" "mailto:";')).toBe(true);
    expect(decides('valid_notify_method "${m}"', 'set "m" "nope";')).toBe(false);
  });

  it('valid_notify_method [] is a syntax error', () => {
    expect(run(N + 'if valid_notify_method [] { keep; }').error).toMatchObject({ phase: 'compile' });
  });
});

describe(':encodeurl (RFC 5435 §7)', () => {
  it.each([
    ['a b/é~-._*!()\'', 'a%20b%2F%C3%A9~-._%2A%21%28%29%27'], // sieve-test output
    ['A%20B', 'A%2520B'],
    ['', ''],
    ['😀', '%F0%9F%98%80'],
    ['a\r\nb', 'a%0D%0Ab'],
  ])('encodeUrl(%j) = %j', (input, out) => {
    expect(encodeUrl(input)).toBe(out);
  });

  it('is a tag of set only when enotify is required', () => {
    const r = run('require ["enotify", "variables"]; set :encodeurl "x" "a b"; notify :message "${x}" "mailto:a@example.com";');
    expect(r.actions[0]).toMatchObject({ message: 'a%20b' });
    expect(run('require "variables"; set :encodeurl "x" "a b";').error).toMatchObject({ phase: 'compile', code: 'undeclared-capability' });
  });
});

describe('mailto URIs (RFC 5436, Pigeonhole-compatible)', () => {
  it('parses recipients, cc, subject, body and other headers', () => {
    expect(parseMailto('a@example.com?cc=b@example.com,c@example.com&subject=Hi%20there&X-Foo=bar&body=line%0D%0Atwo')).toEqual({
      recipients: [
        { full: 'a@example.com', address: { localPart: 'a', domain: 'example.com', address: 'a@example.com' }, cc: false },
        { full: 'b@example.com', address: { localPart: 'b', domain: 'example.com', address: 'b@example.com' }, cc: true },
        { full: 'c@example.com', address: { localPart: 'c', domain: 'example.com', address: 'c@example.com' }, cc: true },
      ],
      headers: [{ name: 'X-Foo', value: 'bar' }],
      subject: 'Hi there',
      body: 'line\r\ntwo',
    });
  });

  it.each([
    ['a@example.com?cc=b@example.com&to=b@example.com', [['a@example.com', false], ['b@example.com', false]]], // a Cc that is also a To becomes a To
    ['a@example.com?cc=a@EXAMPLE.com,A@example.com', [['a@example.com', false], ['A@example.com', true]]],
    ['1@x.org?to=2@x.org,3@x.org,4@x.org,5@x.org,6@x.org,7@x.org,8@x.org,9@x.org', [1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`${i}@x.org`, false])],
    ['a@example.com?to=%20b@example.com', [['a@example.com', false], [' b@example.com', false]]],
  ])('%s', (body, expected) => {
    const p = parseMailto(body);
    expect('error' in p ? p.error : p.recipients.map((r) => [r.full, r.cc])).toEqual(expected);
  });

  it('first subject and body win, reserved and repeated unique headers are dropped', () => {
    const p = parseMailto('a@example.com?subject=one&subject=two&body=b1&body=b2&reply-to=x@example.com&reply-to=y@example.com&in-reply-to=x&x-a=1&x-a=2');
    expect(p).toMatchObject({ subject: 'one', body: 'b1', headers: [{ name: 'reply-to', value: 'x@example.com' }, { name: 'x-a', value: '1' }, { name: 'x-a', value: '2' }] });
  });

  it('formatMailto writes a URI that parses back to the same thing', () => {
    const p = parseMailto('a@example.com?to=b@example.com&cc=Name%20%3Cc@example.com%3E&subject=Hi%20%26%20bye%3F&X-A=1&body=x%0D%0Ay%2C');
    if ('error' in p) throw new Error(p.error);
    expect(parseMailto(formatMailto(p).slice('mailto:'.length))).toEqual(p);
  });

  it.each([
    ['a@example.com', 'a@example.com'],
    ['Name <a@example.com>', 'a@example.com'],
    [' a@example.com ', 'a@example.com'],
    ['"a b"@example.com', '"a b"@example.com'],
  ])('parseSieveAddress(%j)', (text, address) => {
    expect(parseSieveAddress(text)).toMatchObject({ address });
  });

  it.each(['', 'bad', 'not an address', 'a@', '@example.com', 'a@example..com', 'a@b, c@d', 'Name <a@example.com'])('parseSieveAddress(%j) fails', (text) => {
    expect(parseSieveAddress(text)).toHaveProperty('error');
  });
});

describe('sms and tel URIs (RFC 5724, RFC 3966)', () => {
  it.each([
    ['+15551234567', '+15551234567'],
    ['+1-555-123-4567', '+15551234567'],
    ['+1 (555) 123', undefined],
    ['+1(555)123.4567;ext=12', '+15551234567'],
    ['7042;phone-context=example.com', '7042;example.com'],
    ['7042;phone-context=+1-555', '7042;+1555'],
    ['7042', undefined],
    ['+15551234567;phone-context=example.com', undefined],
    ['+', undefined],
    ['+1;ext=1;ext=2', undefined],
  ])('telephone-subscriber %j', (text, key) => {
    const n = parseTelephoneSubscriber(text);
    expect('error' in n ? undefined : n.key).toBe(key);
  });

  it('sms: several recipients and a body', () => {
    expect(parseSms('+15551234567,+15557654321?body=hello%20there')).toMatchObject({
      recipients: [{ key: '+15551234567' }, { key: '+15557654321' }],
      body: 'hello there',
    });
  });

  it('lookupMethod and uriProblem', () => {
    expect(lookupMethod('SMS:+15551234567')).toMatchObject({ ok: true, body: '+15551234567' });
    expect(uriProblem('tel:+15551234567')).toBeUndefined();
    expect(uriProblem('tel:12')).toMatch(/^tel URI: /);
    expect(uriProblem('1mailto:a@b')).toMatch(/invalid scheme/);
  });

  it('optionProblem', () => {
    expect(optionProblem('a=b')).toBeUndefined();
    expect(optionProblem('a=')).toBeUndefined();
    expect(optionProblem('a=b\nc')).toMatch(/invalid value/);
    expect(optionProblem('-a=b')).toMatch(/invalid option name/);
  });
});
