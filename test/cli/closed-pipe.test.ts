/**
 * `mailsift test RULES ~/Maildir | head`: when the reader of the output goes away, the
 * command ends quietly instead of dying on an unhandled EPIPE with a stack trace. Runs the
 * real command in a child process (src/cli through tsx) with a pipe the test closes early.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
