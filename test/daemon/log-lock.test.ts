/** The daemon's log lines (text and JSON) and the state-directory lock, without a server. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireStateLock, lockHolder, processRunning, PID_FILE_NAME } from '../../src/daemon/lock.js';
import { createLogger, formatMessageText } from '../../src/daemon/log.js';
import { formatSweepSummary } from '../../src/daemon/sweep.js';
import { formatDuration } from '../../src/cli/status-command.js';
import { ROOT, waitFor } from './helpers.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'mailsift-lock-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('log lines', () => {
  const entry = { account: 'work', mailbox: 'INBOX', uid: 42, from: 'Ann <ann@example.com>', subject: 'Re: "quotes"\r\n and folding', actions: ['fileinto "Lists/dev"'], ruleLine: 12, status: 'ok' as const };

  it.each([
    [entry, 'work INBOX uid=42 from="Ann <ann@example.com>" subject="Re: \\"quotes\\" and folding" → fileinto "Lists/dev" (rule line 12)'],
    [{ ...entry, mailbox: 'My Box', actions: ['keep (implicit)'], ruleLine: undefined }, 'work "My Box" uid=42 from="Ann <ann@example.com>" subject="Re: \\"quotes\\" and folding" → keep (implicit)'],
    [{ ...entry, status: 'error' as const, error: 'IMAP account "work": MOVE failed' }, 'work INBOX uid=42 from="Ann <ann@example.com>" subject="Re: \\"quotes\\" and folding" → fileinto "Lists/dev" (rule line 12) — failed, message kept: IMAP account "work": MOVE failed'],
    [{ ...entry, status: 'skipped' as const, actions: [], error: 'seen before' }, 'work INBOX uid=42 from="Ann <ann@example.com>" subject="Re: \\"quotes\\" and folding" → skipped: seen before'],
    [{ ...entry, alreadyDone: 1, dryRun: true }, 'work INBOX uid=42 from="Ann <ann@example.com>" subject="Re: \\"quotes\\" and folding" → fileinto "Lists/dev" (rule line 12) [1 already done] [dry run]'],
  ])('text: %#', (e, line) => {
    expect(formatMessageText(e)).toBe(line);
  });

  it('text lines carry a timestamp, or the syslog priority for journald; JSON lines are objects', () => {
    const lines: string[] = [];
    const now = () => new Date('2024-05-01T10:00:00Z');
    createLogger({ format: 'text', write: (l) => lines.push(l), now, timestamps: true }).event('error', 'cannot connect', { code: 'IMAP_CONNECT_FAILED', account: 'work' });
    createLogger({ format: 'text', write: (l) => lines.push(l), now, timestamps: false, syslogPrefix: true }).event('warn', 'slow');
    const json = createLogger({ format: 'json', write: (l) => lines.push(l), now });
    json.message(entry);
    json.event('info', 'connected', { account: 'work', big: 5n });
    expect(lines[0]).toBe('2024-05-01T10:00:00.000Z error: [IMAP_CONNECT_FAILED] cannot connect\n');
    expect(lines[1]).toBe('<4>warning: slow\n');
    expect(JSON.parse(lines[2]!)).toEqual({ time: '2024-05-01T10:00:00.000Z', level: 'info', event: 'message', ...entry });
    expect(JSON.parse(lines[3]!)).toEqual({ time: '2024-05-01T10:00:00.000Z', level: 'info', event: 'log', msg: 'connected', account: 'work', big: '5' });
  });

  it('sweep summaries count messages per action type and operations by outcome', () => {
    const s = { messages: 3, actions: { keep: 3, fileinto: 2 }, operations: { done: 2, alreadyDone: 1, failed: 0, planned: 0 }, errors: 1, interrupted: false };
    expect(formatSweepSummary(s, false)).toBe('3 messages: 2 fileinto, 3 keep; 2 operations done, 1 already done before; 1 message kept after an error');
    expect(formatSweepSummary({ ...s, operations: { done: 0, alreadyDone: 0, failed: 0, planned: 2 }, errors: 0 }, true)).toBe('3 messages: 2 fileinto, 3 keep; 2 operations would run (dry run: nothing changed)');
    expect([850, 4_200, 42_000, 300_000, 7_200_000, 172_800_000].map(formatDuration)).toEqual(['850ms', '4.2s', '42s', '5m', '2h', '2d']);
  });
});

describe('state directory lock', () => {
  it('is exclusive, says who holds it, and is free again after release', () => {
    const dir = tmp();
    const lock = acquireStateLock(dir);
    expect(lockHolder(dir)).toBe(process.pid);
    expect(() => acquireStateLock(dir)).toThrow(expect.objectContaining({ code: 'DAEMON_LOCKED' }));
    lock.release();
    expect(existsSync(join(dir, PID_FILE_NAME))).toBe(false);
    acquireStateLock(dir).release();
  });

  it('is released by the kernel when its holder is killed with SIGKILL (no stale lock)', async () => {
    const dir = tmp();
    const script = `import { acquireStateLock } from ${JSON.stringify(join(ROOT, 'src/daemon/lock.ts'))}; acquireStateLock(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor('the child to lock', () => out.includes('locked'), 20_000);
    expect(() => acquireStateLock(dir)).toThrow(expect.objectContaining({ code: 'DAEMON_LOCKED', message: expect.stringContaining(`pid ${child.pid}`) }));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(processRunning(child.pid!)).toBe(false);
    acquireStateLock(dir).release();
  });
});
