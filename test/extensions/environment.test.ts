/**
 * environment (RFC 5183). Expected behaviour measured with Pigeonhole 0.5.19's
 * sieve-test, except the item values, which name mailsift (see
 * docs/rules/environment.md).
 */
import { describe, expect, it } from 'vitest';
import { MAILSIFT_VERSION } from '../../src/extensions/environment.js';
import { dryRun } from '../../src/runtime/dry-run.js';

const MESSAGE = new TextEncoder().encode('From: a@example.org\r\nTo: b@example.com\r\nSubject: s\r\n\r\nbody\r\n');
const R = 'require ["environment", "variables", "fileinto", "relational", "comparator-i;ascii-numeric"];\n';

function mailboxes(src: string, settings?: Record<string, unknown>): string[] {
  const out = dryRun(R + src, MESSAGE, { settings });
  expect(out.error).toBeUndefined();
  return out.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}

const item = (name: string) => `if environment :matches "${name}" "*" { fileinto "${name}=\${1}"; }`;

describe('items', () => {
  it.each([
    ['location', 'location=MS'],
    ['name', 'name=mailsift'],
    ['phase', 'phase=post'],
    ['version', `version=${MAILSIFT_VERSION}`],
  ])('built in: %s', (name, expected) => {
    expect(mailboxes(item(name))).toEqual([expected]);
  });

  it.each([['domain'], ['host'], ['remote-host'], ['remote-ip'], ['bogus']])('%s is unset without the host: false even for "*"', (name) => {
    expect(mailboxes(item(name))).toEqual([]);
  });

  it('the host provides items and may override built-in ones', () => {
    const settings = { environment: { host: 'mx.example.com', domain: 'example.com', 'remote-ip': '192.0.2.1', 'vnd.acme.x': 'y', location: 'MS' } };
    expect(mailboxes([item('host'), item('domain'), item('remote-ip'), item('vnd.acme.x'), item('location')].join('\n'), settings)).toEqual([
      'host=mx.example.com',
      'domain=example.com',
      'remote-ip=192.0.2.1',
      'vnd.acme.x=y',
      'location=MS',
    ]);
  });

  it.each([
    ['unknown item: false whatever the match type', 'if environment :contains "bogus" "" { fileinto "A"; }\nif environment :count "eq" :comparator "i;ascii-numeric" "bogus" "0" { fileinto "B"; }', []],
    ['a known item counts 1', 'if environment :count "eq" :comparator "i;ascii-numeric" "name" "1" { fileinto "one"; }', ['one']],
    ['item names are case-sensitive', 'if environment :is "NAME" "mailsift" { fileinto "A"; }', []],
    ['values compare with the comparator', 'if environment :is "name" "MAILSIFT" { fileinto "casemap"; }\nif environment :is :comparator "i;octet" "name" "MAILSIFT" { fileinto "octet"; }', ['casemap']],
    ['the name may come from a variable', 'set "n" "phase";\nif environment "${n}" "post" { fileinto "A"; }', ['A']],
  ])('%s', (_name, src, expected) => {
    expect(mailboxes(src)).toEqual(expected);
  });
});

describe('compile errors', () => {
  it('needs require "environment"', () => {
    expect(dryRun('if environment "name" "x" { stop; }', MESSAGE).error).toMatchObject({ phase: 'compile', code: 'undeclared-capability', line: 1 });
  });

  it.each([
    ['if environment "name" { stop; }', 'missing-argument'],
    ['if environment ["name", "host"] "x" { stop; }', 'bad-argument'],
    ['if environment :regex "name" "x" { stop; }', 'undeclared-capability'],
  ])('%s → %s', (src, code) => {
    expect(dryRun(R + src, MESSAGE).error).toMatchObject({ phase: 'compile', code, line: 2 });
  });
});
