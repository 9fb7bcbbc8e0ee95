import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSecret } from '../../src/config/secrets.js';
import type { SecretRef } from '../../src/config/types.js';

const dir = mkdtempSync(join(tmpdir(), 'mailsift-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveSecret: command', () => {
  it.each([
    ['plain output', `printf 'hunter2\\n'`, 'hunter2'],
    ['no trailing newline', `printf 'hunter2'`, 'hunter2'],
    ['only one newline trimmed', `printf 'hunter2\\n\\n'`, 'hunter2\n'],
    ['CRLF', `printf 'hunter2\\r\\n'`, 'hunter2'],
    ['a shell pipeline (run by /bin/sh -c)', `printf 'first\\nsecond\\n' | head -n 1`, 'first'],
    ['spaces kept', `printf ' pass word \\n'`, ' pass word '],
    ['environment visible', 'printf %s "$MAILSIFT_TEST_PW"', 's3cret'],
  ])('%s', async (_n, command, expected) => {
    await expect(resolveSecret({ command }, 'password of account work', { env: { ...process.env, MAILSIFT_TEST_PW: 's3cret' } })).resolves.toBe(expected);
  });

  it('reports a non-zero exit with its status but never the output', async () => {
    const err = await resolveSecret({ command: `printf 'top%s' secret; exit 3` }, 'password of account work').then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(err).toMatchObject({ code: 'SECRET_COMMAND_FAILED' });
    if (err === undefined) return;
    expect(err.message).toContain('exited with status 3');
    expect(err.message).toContain('password of account work');
    expect(err.message).not.toContain('topsecret');
    expect(JSON.stringify(err.cause ?? null)).not.toContain('topsecret');
  });

  it('kills the whole process group on timeout', async () => {
    const marker = join(dir, 'late');
    const started = Date.now();
    // The shell waits on a background job that would create the marker after 2 s.
    await expect(resolveSecret({ command: `(sleep 2; touch '${marker}') & wait` }, 'pw', { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'SECRET_COMMAND_FAILED',
      message: expect.stringContaining('timed out'),
    });
    expect(Date.now() - started).toBeLessThan(1800);
    await new Promise((r) => setTimeout(r, 2500));
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses empty output', async () => {
    await expect(resolveSecret({ command: 'echo' }, 'pw')).rejects.toMatchObject({ code: 'SECRET_EMPTY' });
  });

  it('stops a command that prints too much', async () => {
    await expect(resolveSecret({ command: 'yes' }, 'pw')).rejects.toMatchObject({ code: 'SECRET_COMMAND_FAILED', message: expect.stringContaining('KiB') });
  });
});

describe('resolveSecret: file', () => {
  it('reads it, trims one newline, and is quiet when only the owner can read it', async () => {
    const file = join(dir, 'pw');
    writeFileSync(file, 'hunter2\n');
    chmodSync(file, 0o600);
    const warnings: string[] = [];
    await expect(resolveSecret({ file }, 'pw', { onWarning: (m) => warnings.push(m) })).resolves.toBe('hunter2');
    expect(warnings).toEqual([]);
  });

  it('warns (and still works) when others can read it', async () => {
    const file = join(dir, 'pw-open');
    writeFileSync(file, 'hunter2');
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    await expect(resolveSecret({ file }, 'pw', { onWarning: (m) => warnings.push(m) })).resolves.toBe('hunter2');
    expect(warnings).toEqual([expect.stringContaining('chmod 600')]);
    expect(warnings[0]).not.toContain('hunter2');
  });

  it('reports a missing file as SECRET_UNREADABLE and an empty one as SECRET_EMPTY', async () => {
    await expect(resolveSecret({ file: join(dir, 'none') }, 'pw')).rejects.toMatchObject({ code: 'SECRET_UNREADABLE' });
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n', { mode: 0o600 });
    await expect(resolveSecret({ file: empty }, 'pw')).rejects.toMatchObject({ code: 'SECRET_EMPTY' });
  });
});

describe('resolveSecret: env and spec', () => {
  it('reads a variable, and refuses an unset or empty one', async () => {
    await expect(resolveSecret({ env: 'PW' }, 'pw', { env: { PW: 'x' } })).resolves.toBe('x');
    await expect(resolveSecret({ env: 'PW' }, 'pw', { env: {} })).rejects.toMatchObject({ code: 'SECRET_UNREADABLE', message: expect.stringContaining('PW is not set') });
    await expect(resolveSecret({ env: 'PW' }, 'pw', { env: { PW: '' } })).rejects.toMatchObject({ code: 'SECRET_EMPTY' });
  });

  it('takes a SecretRef from the config as it is', async () => {
    const ref: SecretRef = { kind: 'env', env: 'TOKEN' };
    await expect(resolveSecret(ref, 'auth token', { env: { TOKEN: 't' } })).resolves.toBe('t');
  });

  it.each([[{}], [{ command: 'x', env: 'Y' }]])('refuses %j: exactly one source', async (spec) => {
    await expect(resolveSecret(spec, 'pw')).rejects.toMatchObject({ code: 'SECRET_UNREADABLE' });
  });
});
