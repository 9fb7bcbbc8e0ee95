/** The command line, run in-process with captured output: check and test. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir('mailsift-cli-');
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const MESSAGE = 'From: Alice <alice@example.com>\r\nTo: me@example.com\r\nSubject: Quarterly report\r\n\r\nHi\r\n';

describe('mailsift check', () => {
  it('exits 0 for a valid file', async () => {
    const r = await run('check', file('ok.sieve', 'require "fileinto";\nfileinto "A";\n'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok');
  });

  it('reports every error with file:line:column, code, source line and caret; exits 1', async () => {
    const path = file('bad.sieve', 'require "fileinto";\nfrob;\nif header :nosuch "a" "b" { keep; }\n');
    const r = await run('check', path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:2:1: error[unknown-command]`);
    expect(r.stderr).toContain(`${path}:3:11: error[unknown-tag]`);
    expect(r.stderr).toContain('3 | if header :nosuch "a" "b" { keep; }');
    expect(r.stderr).toMatch(/\n {2}\| {11}\^{7}\n/);
    expect(r.stderr).toContain('2 errors');
  });

  it('--json gives the diagnostics as data', async () => {
    const r = await run('check', '--json', file('bad2.sieve', 'fileinto "x";'));
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.diagnostics).toEqual([expect.objectContaining({ code: 'undeclared-capability', line: 1, column: 1 })]);
  });

  it('a missing file is a one-line error with exit 2', async () => {
    const r = await run('check', join(dir, 'nope.sieve'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('nope.sieve');
  });
});

describe('mailsift test', () => {
  const rules = file('rules.sieve', 'require "fileinto";\nif header :contains "subject" "report" { fileinto "Reports"; }\n');

  it('prints From, Subject and the actions of each message', async () => {
    const r = await run('test', rules, file('m1.eml', MESSAGE));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('From:    Alice <alice@example.com>');
    expect(r.stdout).toContain('Subject: Quarterly report');
    expect(r.stdout).toContain('→ fileinto "Reports"');
    expect(r.stdout).toContain('1 message: 1 fileinto');
  });

  it('--json prints one object per message in the documented shape', async () => {
    const r = await run('test', '--json', rules, file('m2.eml', MESSAGE));
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { message: join(dir, 'm2.eml'), status: 'ok', actions: [{ type: 'fileinto', mailbox: 'Reports', flags: [], copy: false, create: false }] },
    ]);
  });

  it('--trace shows the tests and the decoded values compared', async () => {
    const r = await run('test', '--trace', rules, file('m3.eml', MESSAGE));
    expect(r.stdout).toContain('test header is true  :contains i;ascii-casemap ["Quarterly report"] against ["report"]');
  });

  it('--mailbox-exists feeds mailboxexists for bare files', async () => {
    const r2 = file('mb.sieve', 'require ["mailbox", "fileinto"];\nif mailboxexists "Work" { fileinto "Work"; }\n');
    const without = await run('test', '--json', r2, file('m4.eml', MESSAGE));
    const withIt = await run('test', '--json', '--mailbox-exists', 'Work', r2, file('m5.eml', MESSAGE));
    expect(JSON.parse(without.stdout).actions[0].type).toBe('keep');
    expect(JSON.parse(withIt.stdout).actions[0]).toMatchObject({ type: 'fileinto', mailbox: 'Work' });
  });

  it('a compile error gives the implicit keep per message in --json, exit 1', async () => {
    const r = await run('test', '--json', file('broken.sieve', 'fileinto "x";'), file('m6.eml', MESSAGE));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({
      status: 'error',
      error: { phase: 'compile', code: 'undeclared-capability', line: 1, column: 1 },
      actions: [{ type: 'keep', implicit: true, flags: [] }],
    });
  });

  it('runs the shipped rules.example over the shipped sample mailbox', async () => {
    const r = await run('test', '--json', 'rules.example', 'examples/mailbox');
    expect(r.code).toBe(0);
    const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(results.length).toBeGreaterThanOrEqual(30);
    expect(results.every((x) => x.status === 'ok')).toBe(true);
    const byFolder = (name: string) => results.filter((x) => x.actions.some((a: { mailbox?: string }) => a.mailbox === name));
    expect(byFolder('Junk').length).toBeGreaterThanOrEqual(1);
    expect(byFolder('Lists/dev').length).toBeGreaterThanOrEqual(2);
  });
});

describe('message ids of a single .eml file that starts with a From_ line', () => {
  // Saved by a mail client or `formail`: one message, with an mbox separator line in front.
  const withFromLine = () => file('from-line.eml', `From alice@example.com Mon Jan  5 10:00:00 2026\n${MESSAGE.replace(/\r\n/g, '\n')}`);
  const rules = file('ids.sieve', 'keep;\n');

  it('mailsift test shows the plain path, and the From_ line is not part of the message', async () => {
    const path = withFromLine();
    const r = await run('test', '--json', '--trace', rules, path);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ message: path, status: 'ok' });
    const human = await run('test', rules, path);
    expect(human.stdout.split('\n')[0]).toBe(path);
    expect(human.stdout).toContain('Subject: Quarterly report');
  });

  it('mailsift classify shows the same plain path', async () => {
    const model = join(dir, 'ids-model');
    expect((await run('train', '--model', model, '--bucket', 'ham', file('ham.eml', MESSAGE))).code).toBe(0);
    expect((await run('train', '--model', model, '--bucket', 'spam', file('spam.eml', MESSAGE.replace('Quarterly report', 'Cheap pills')))).code).toBe(0);
    const path = withFromLine();
    const r = await run('classify', '--model', model, '--json', path);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ message: path });
    expect((await run('classify', '--model', model, path)).stdout.startsWith(`${path}: `)).toBe(true);
  });

  it('an .eml file that really holds two messages keeps "path#N" per message', async () => {
    const path = file('two.eml', `From a@b Mon Jan  5 10:00:00 2026\nSubject: one\n\nx\n\nFrom a@b Mon Jan  5 10:00:00 2026\nSubject: two\n\ny\n`);
    const r = await run('test', '--json', rules, path);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).message)).toEqual([`${path}#1`, `${path}#2`]);
  });
});
