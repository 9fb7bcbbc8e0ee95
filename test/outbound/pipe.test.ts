/** vnd.dovecot.pipe: the Sieve side (compile, actions) and the runner (allow-listed programs, stdin, timeout, output cap). */
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { compile } from '../../src/dsl/compile.js';
import { defaultRegistry } from '../../src/extensions/index.js';
import { actionsOf, mail, world, type World } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'pipe-bin-'));
const out = mkdtempSync(join(tmpdir(), 'pipe-out-'));
function program(name: string, script: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, name), 0o755);
}
program('save', `cat > "${out}/saved-$1"; echo "$MAILSIFT_ACCOUNT $MAILSIFT_UID" > "${out}/env-$1"`);
program('fails', 'echo "cannot file it" >&2; exit 3');
program('sleeps', 'exec sleep 30');
program('chatty', 'yes chatter');
writeFileSync(join(dir, 'not-executable'), '#!/bin/sh\nexit 0\n');
symlinkSync('/bin/true', join(dir, 'linked-true'));

let w: World | undefined;
afterEach(() => {
  w?.dispose();
  w = undefined;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

const make = (timeoutMs = 10_000, maxOutputBytes = 4096): World => (w = world({ pipe: { dir, timeoutMs, maxOutputBytes } }));

describe('the Sieve side', () => {
  it.each([
    ['require "vnd.dovecot.pipe"; pipe "save";', { type: 'pipe', program: 'save', args: [], copy: false }],
    ['require "vnd.dovecot.pipe"; pipe :copy "save" ["a", "b"];', { type: 'pipe', program: 'save', args: ['a', 'b'], copy: true }],
    ['require ["vnd.dovecot.pipe", "variables"]; set "p" "save"; pipe :try "${p}" ["${p}"];', { type: 'pipe', program: 'save', args: ['save'], copy: false }],
  ])('%s', (rules, action) => {
    const actions = actionsOf(rules, mail({}));
    expect(actions).toContainEqual(action);
    expect(actions.some((a) => a.type === 'keep')).toBe(action.copy);
  });

  it.each([
    ['pipe "save";', 'undeclared-capability'],
    ['require "vnd.dovecot.pipe"; pipe "../bin/sh";', 'invalid-value'],
    ['require "vnd.dovecot.pipe"; pipe ".hidden";', 'invalid-value'],
  ])('refuses %s', (rules, code) => {
    const r = compile(rules, { registry: defaultRegistry });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.diagnostics.map((d) => d.code)).toContain(code);
  });
});

describe('running programs', () => {
  it('gives the message on stdin, with the arguments and the environment', async () => {
    const w = make();
    const raw = mail({ Subject: 'to the ticket system' });
    const res = await w.run('require ["vnd.dovecot.pipe", "copy"]; pipe :copy "save" ["one"];', raw, 5);
    expect(res).toMatchObject({ status: 'done', results: [{ status: 'done', detail: 'piped to save one' }] });
    expect(readFileSync(join(out, 'saved-one'))).toEqual(Buffer.from(raw));
    expect(readFileSync(join(out, 'env-one'), 'utf8')).toBe('home 5\n');
  });

  it('runs a symlink the administrator placed in the directory', async () => {
    expect((await make().run('require "vnd.dovecot.pipe"; pipe :copy "linked-true";', mail({}), 1)).status).toBe('done');
  });

  it.each([
    ['a non-zero exit', 'fails', 'exit status 3: cannot file it'],
    ['a missing program', 'nothing-here', `no such program in ${dir}`],
    ['a program that is not executable', 'not-executable', 'not executable'],
    ['a timeout', 'sleeps', 'timed out after 0.5s'],
    ['too much output', 'chatty', 'printed more than 4096 bytes'],
  ])('%s fails the pipe and keeps the message', async (_what, name, why) => {
    const w = make(500);
    const res = await w.run(`require "vnd.dovecot.pipe"; pipe "${name}";`, mail({}), 1);
    expect(res.status).toBe('failed');
    expect(res.results.map((r) => r.status)).toEqual(['failed', 'skipped']);
    expect(res.error).toBe(`pipe to ${name}: ${why}`);
  });

  it('without a [pipe] section, pipe fails and the message stays', async () => {
    w = world({});
    expect((await w.run('require "vnd.dovecot.pipe"; pipe "save";', mail({}), 1)).error).toMatch(/no \[pipe\] section/);
  });
});
