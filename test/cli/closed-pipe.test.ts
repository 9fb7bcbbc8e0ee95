/**
 * `mailsift test RULES ~/Maildir | head`: when the reader of the output goes away, the
 * command ends quietly instead of dying on an unhandled EPIPE with a stack trace; the daemon
 * ends too, but with status 1, which systemd's Restart=on-failure restarts. Runs the real
 * command in a child process (src/cli through tsx) with a pipe the test closes early.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { tempDir } from '../support/temp-dir.js';

const ROOT = join(import.meta.dirname, '../..');

function runAndCloseEarly(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/daemon/mailsift-child.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => void (stderr += t));
    // Like `head -1`: read the first chunk, then close the pipe while the command still writes.
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('output to a pipe that is closed early', () => {
  it('mailsift test stops without a stack trace', async () => {
    // 40 × the sample mailbox: ~200 KB of output, more than a pipe holds, so writes go on after the close.
    const sources = Array.from({ length: 40 }, () => 'examples/mailbox');
    const r = await runAndCloseEarly(['test', 'rules.example', ...sources]);
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);
});

describe('the daemon whose log reader goes away', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it('exits non-zero (so that Restart=on-failure starts it again), not 0 as a stopped report', async () => {
    const dir = tempDir('mailsift-closed-pipe-');
    const rules = join(dir, 'keep.sieve');
    writeFileSync(rules, 'keep;\n');
    const config = join(dir, 'config.toml');
    writeFileSync(config, [
      '[state]', `dir = "${join(dir, 'state')}"`,
      '[accounts.box]', 'type = "maildir"', `path = "${join(dir, 'Maildir')}"`,
      '[accounts.in]', 'type = "smtp-intake"', `listen_port = ${await freePort()}`, 'recipients = ["me@example.com"]', 'target_account = "box"',
      '[[watch]]', 'account = "in"', `rules = "${rules}"`, '',
    ].join('\n'));
    const c = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/daemon/mailsift-child.ts'), 'run', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let stderr = '';
    c.stderr.setEncoding('utf8').on('data', (t: string) => void (stderr += t));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => c.on('exit', (code, signal) => resolve({ code, signal })));
    // The startup line, then the reader goes away; a reload writes the next lines into the closed pipe.
    await new Promise<void>((resolve) => c.stdout.once('data', () => resolve()));
    c.stdout.destroy();
    c.kill('SIGHUP');
    const r = await exited;
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
  }, 60_000);
});
