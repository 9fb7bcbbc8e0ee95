/**
 * The Pigeonhole side of the differential suite, testable without mailsift's engine: the report
 * parser, the normaliser, a handful of known Pigeonhole results, and the recorded snapshot.
 */
import { describe, expect, it } from 'vitest';
import { loadCases, loadSnapshot } from './cases.js';
import { normalize, normalizeFlags, parseMailto, strSanitize } from './normalize.js';
import { parseReport, parseRun, runPigeonhole, sieveTestInstalled, SIEVE_TEST } from './pigeonhole.js';
import type { DiffCase } from './types.js';

const installed = sieveTestInstalled();
const NOT_INSTALLED = `${SIEVE_TEST} is not installed: apt-get install dovecot-core dovecot-sieve (CI installs it)`;
const MESSAGE = Buffer.from('From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nHello\r\n');

function adHoc(script: string, mailboxes: string[] = []): DiffCase {
  return {
    name: 'ad-hoc', dir: '', compare: 'actions', envelopeFrom: 'alice@example.org', envelopeTo: 'bob@example.com',
    mailboxes, script: Buffer.from(script), message: MESSAGE,
  };
}

function live(script: string, mailboxes: string[] = []) {
  if (!installed) throw new Error(NOT_INSTALLED);
  return runPigeonhole(adHoc(script, mailboxes));
}

describe('parseReport', () => {
  it('reads stores with flags, copy and create, and the implicit keep', () => {
    const out = [
      '', 'Performed actions:', '',
      ' * store message in folder: Work',
      '        + add IMAP flags: \\seen Foo',
      '        + preserve implicit keep',
      '        + create mailbox if it does not exist',
      ' * store message in folder: INBOX',
      ' * redirect message to: <a@example.com>',
      '', 'Implicit keep:', '',
      ' * store message in folder: INBOX',
      '        + add IMAP flags: X', '',
    ].join('\n');
    expect(parseReport(out)).toEqual([
      { type: 'fileinto', mailbox: 'Work', flags: ['\\seen', 'Foo'], copy: true, create: true },
      { type: 'keep', implicit: false, flags: [] },
      { type: 'redirect', address: 'a@example.com', copy: false },
      { type: 'keep', implicit: true, flags: ['X'] },
    ]);
  });

  it('reads a vacation with a CRLF reason and an explicit handle', () => {
    const out = [
      'Performed actions:',
      ' * send vacation message:',
      '    => seconds : 86400',
      '    => subject : Away',
      '    => handle  : h1', '',
      'START MESSAGE', 'line1\r', 'line2\r', '', 'END MESSAGE', '',
      'Implicit keep:', '  (none)', '',
    ].join('\n');
    expect(parseReport(out)).toEqual([
      { type: 'vacation', reason: 'line1\r\nline2\r\n', seconds: 86400, subject: 'Away', handle: 'h1' },
    ]);
  });

  it('reads a notification with recipients, headers and body', () => {
    const out = [
      'Performed actions:',
      " * send notification with method 'mailto:':",
      '    => importance   : 3',
      '    => subject      : Hi there',
      '    => from         : me@example.com',
      '    => recipients   :',
      '       + To: a@example.com',
      '       + Cc: c@example.com',
      '    => headers      :',
      '       + X-Foo: bar',
      '    => body         : ',
      '--', 'Line1\r', 'Line2', '--', '',
      'Implicit keep:', '  (none; keep or equivalent action executed earlier)', '',
    ].join('\n');
    expect(parseReport(out)).toEqual([
      {
        type: 'notify', method: 'mailto:a@example.com?cc=c@example.com&body=Line1%0D%0ALine2',
        importance: 3, message: 'Hi there', from: 'me@example.com',
      },
    ]);
  });

  it('classifies exit codes', () => {
    expect(parseRun({ exitCode: 1, stdout: '', stderr: 'x: Info: final result: failed; resolved with successful implicit keep\n' }))
      .toMatchObject({ status: 'error', phase: 'runtime', actions: [{ type: 'keep', implicit: true }] });
    expect(parseRun({ exitCode: 89, stdout: '', stderr: "x: Fatal: failed to compile sieve script 'script.sieve'\n" }))
      .toMatchObject({ status: 'error', phase: 'compile' });
    expect(() => parseRun({ exitCode: 89, stdout: '', stderr: 'Fatal: Invalid -f parameter' })).toThrow(/unexpected/);
    expect(() => parseReport('Performed actions:\n * launch rockets\n')).toThrow(/unknown action/);
  });
});

describe('normalize', () => {
  it('sanitizes like Dovecot str_sanitize (measured on Pigeonhole 0.5.19)', () => {
    expect(strSanitize('a\r\nb\tc\x7f')).toBe('a??b?c\x7f');
    expect(strSanitize('x'.repeat(128))).toBe('x'.repeat(128));
    expect(strSanitize('0123456789'.repeat(16))).toBe('0123456789'.repeat(12) + '01234...');
    expect(strSanitize('é'.repeat(114))).toBe('é'.repeat(62) + '...');
  });

  it('treats keep, fileinto "INBOX" and the implicit keep as one store, and drops copy/discard', () => {
    const a = normalize({
      status: 'ok',
      actions: [
        { type: 'fileinto', mailbox: 'Work', flags: ['\\Seen'], copy: true, create: false },
        { type: 'keep', implicit: true, flags: [] },
      ],
    });
    const b = normalize({
      status: 'ok',
      actions: [
        { type: 'fileinto', mailbox: 'Work', flags: ['\\seen'], copy: false, create: false },
        { type: 'fileinto', mailbox: 'inbox', flags: [], copy: false, create: false },
      ],
    });
    expect(a).toEqual(b);
    expect(a).toEqual({ status: 'ok', keep: { flags: [] }, actions: [{ type: 'fileinto', mailbox: 'Work', flags: ['\\seen'], create: false }] });
    expect(normalize({ status: 'ok', actions: [{ type: 'discard' }] })).toEqual({ status: 'ok', keep: null, actions: [] });
  });

  it('compares flags as a set, system flags case-insensitively', () => {
    expect(normalizeFlags(['\\SEEN Foo', 'foo', '\\Seen'])).toEqual(['Foo', '\\seen', 'foo']);
  });

  it('compares notifications by recipients and subject, vacations in seconds', () => {
    expect(parseMailto('mailto:a%40example.com?cc=b@example.com,c@example.com&subject=Hi%20you&bcc=z@example.com'))
      .toEqual({ to: ['a@example.com'], cc: ['b@example.com', 'c@example.com'], subject: 'Hi you' });
    const n = normalize({ status: 'ok', actions: [{ type: 'notify', method: 'mailto:a@example.com?subject=S' }] });
    expect(n.actions).toEqual([{ type: 'notify', method: 'mailto:', to: ['a@example.com'], cc: [], message: 'S', importance: 2, from: '', body: '' }]);
    const v = normalize({ status: 'ok', actions: [{ type: 'vacation', reason: 'r', days: 3 } as never] });
    expect(v.actions).toEqual([{ type: 'vacation', reason: 'r', subject: '', from: '', seconds: 259200 }]);
  });

  it('keeps only status and phase for compile errors and "status" cases', () => {
    expect(normalize({ status: 'error', phase: 'compile', actions: [] })).toEqual({ status: 'error', phase: 'compile' });
    expect(normalize({ status: 'ok', actions: [{ type: 'discard' }] }, 'status')).toEqual({ status: 'ok' });
    expect(normalize({ status: 'error', phase: 'runtime', actions: [{ type: 'keep', implicit: true, flags: ['X'] }] }))
      .toEqual({ status: 'error', phase: 'runtime', keep: { flags: [] } });
  });
});

describe('Pigeonhole known results (live sieve-test)', () => {
  it('sieve-test is installed', () => {
    if (!installed) throw new Error(NOT_INSTALLED);
  });

  it('merges fileinto "A"; fileinto "A" into one store', () => {
    expect(live('require "fileinto";\nfileinto "A";\nfileinto "A";\n')).toMatchObject({
      status: 'ok',
      actions: [{ type: 'fileinto', mailbox: 'A', flags: [], copy: false, create: false }],
    });
  });

  it('reports reject + fileinto as a runtime error resolved with the implicit keep', () => {
    const r = live('require ["reject", "fileinto"];\nfileinto "A";\nreject "no";\n');
    expect(r).toMatchObject({ status: 'error', phase: 'runtime' });
    expect(r.diagnostics.join('\n')).toMatch(/reject\/ereject action conflicts with other action/);
  });

  it('reports a missing require as a compile error', () => {
    expect(live('fileinto "A";\n')).toMatchObject({ status: 'error', phase: 'compile' });
  });

  it('prints system flags lower-case and keeps the implicit keep after fileinto :copy', () => {
    const r = live('require ["fileinto", "copy", "imap4flags"];\nfileinto :copy :flags "\\\\Seen Foo" "A";\n');
    expect(r.actions).toEqual([
      { type: 'fileinto', mailbox: 'A', flags: ['\\seen', 'Foo'], copy: true, create: false },
      { type: 'keep', implicit: true, flags: [] },
    ]);
  });

  it('sees pre-created nested folders through mailboxexists', () => {
    const r = live('require ["mailbox", "fileinto"];\nif mailboxexists "Lists/Dev" { fileinto "Yes"; }\n', ['Lists', 'Lists/Dev']);
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'Yes', flags: [], copy: false, create: false }]);
  });

  it('sanitizes reject reasons (CRLF of text: strings become "??")', () => {
    const r = live('require "reject";\nreject text:\nline1\nline2\n.\n;\n');
    expect(r.actions).toEqual([{ type: 'reject', reason: 'line1??line2??' }]);
  });
});

describe('recorded snapshot', () => {
  const cases = loadCases();
  const snapshot = loadSnapshot();
  const recorded = cases.filter((c) => !c.mailsiftOnly);

  it('has a result for every case and none for deleted cases', () => {
    expect(Object.keys(snapshot.cases).sort()).toEqual(recorded.map((c) => c.name).sort());
  });

  it('covers at least 220 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(220);
  });

  it('equals a live run of every case', () => {
    if (!installed) throw new Error(NOT_INSTALLED);
    const diffs: string[] = [];
    for (const c of recorded) {
      const r = runPigeonhole(c);
      if (JSON.stringify(r) !== JSON.stringify(snapshot.cases[c.name])) {
        diffs.push(`${c.name}:\n  live     ${JSON.stringify(r)}\n  recorded ${JSON.stringify(snapshot.cases[c.name])}`);
      }
    }
    expect(diffs, 'Pigeonhole differs from pigeonhole-results.json: re-record with npx tsx test/differential/record.ts').toEqual([]);
  }, 120_000);
});
