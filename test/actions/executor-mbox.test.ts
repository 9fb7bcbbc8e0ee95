/** mbox-append.ts: mboxrd escaping, From_ lines, and the dotlock under concurrent writers (several processes too). */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendToMbox, asctime, dotlock, escapeFromLines } from '../../src/actions/mbox-append.js';
import { readMbox } from '../../src/connectors/local/mbox.js';
import { MailsiftError } from '../../src/errors.js';

async function entries(path: string) {
  const out = [];
  for await (const m of readMbox(path)) out.push(m);
  return out;
}

describe('appendToMbox', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mbox-append-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a From_ line, escapes From lines (mboxrd), and reads back byte for byte', async () => {
    const path = join(dir, 'a.mbox');
    const raw = Buffer.from('From: x@example.test\nSubject: s\n\nFrom here\n>From there\n>>From far\nFromage\n');
    await appendToMbox(path, raw, { date: new Date('2026-01-08T09:15:02Z'), sender: 'bounce@example.test' });
    const text = readFileSync(path, 'latin1');
    expect(text).toBe('From bounce@example.test Thu Jan  8 09:15:02 2026\nFrom: x@example.test\nSubject: s\n\n>From here\n>>From there\n>>>From far\nFromage\n\n');
    const [e] = await entries(path);
    expect(Buffer.from(e!.raw).equals(raw)).toBe(true);
    expect(e!.internalDate?.toISOString()).toBe('2026-01-08T09:15:02.000Z');
  });

  it('takes the sender from Return-Path, adds a missing final line end, and separates from a previous message', async () => {
    const path = join(dir, 'b.mbox');
    writeFileSync(path, 'From a Thu Jan  8 09:15:02 2026\nSubject: old\n\nno blank line after me\n');
    await appendToMbox(path, Buffer.from('Return-Path: <r@example.test>\r\nSubject: new\r\n\r\nbody'));
    const all = await entries(path);
    expect(all.map((e) => e.raw.toString())).toEqual(['Subject: old\n\nno blank line after me\n', 'Return-Path: <r@example.test>\r\nSubject: new\r\n\r\nbody\r\n']);
    expect(readFileSync(path, 'latin1')).toMatch(/\n\nFrom r@example\.test /);
  });

  it('writes flags as Status / X-Status / X-Keywords, which the reader turns back into flags', async () => {
    const path = join(dir, 'c.mbox');
    await appendToMbox(path, Buffer.from('Subject: f\r\n\r\nx\r\n'), { flags: ['\\Seen', '\\Flagged', '\\Answered', 'work'] });
    const [e] = await entries(path);
    expect([...e!.flags].sort()).toEqual(['\\Answered', '\\Flagged', '\\Seen', 'work']);
    expect(e!.raw.toString()).toBe('Subject: f\r\nStatus: RO\r\nX-Status: AF\r\nX-Keywords: work\r\n\r\nx\r\n');
  });

  it('escapes only at line starts', () => {
    expect(escapeFromLines(Buffer.from('From a\nxFrom b\n>From c')).toString()).toBe('>From a\nxFrom b\n>>From c');
    expect(asctime(new Date('2026-11-28T23:05:09Z'))).toBe('Sat Nov 28 23:05:09 2026');
  });

  it('50 concurrent appends in one process and 3 other processes × 10: every message intact, none lost', async () => {
    const path = join(dir, 'busy.mbox');
    const script = join(dir, 'writer.mts');
    writeFileSync(
      script,
      `import { appendToMbox } from ${JSON.stringify(join(process.cwd(), 'src/actions/mbox-append.ts'))};\n` +
        `const id = process.argv[2];\nfor (let i = 0; i < 10; i++) await appendToMbox(${JSON.stringify(path)}, Buffer.from('Subject: p' + id + '-' + i + '\\n\\nFrom the child\\n'));\n`,
    );
    const children = [1, 2, 3].map(
      (n) =>
        new Promise<void>((resolve, reject) => {
          const c = spawn(process.execPath, ['--import', 'tsx', script, String(n)], { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          c.stderr.on('data', (d) => (err += d));
          c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${n} exited ${code}: ${err}`))));
        }),
    );
    const local = Array.from({ length: 50 }, (_, i) => appendToMbox(path, Buffer.from(`Subject: l${i}\n\nFrom the parent\n`)));
    await Promise.all([...local, ...children]);
    const subjects = (await entries(path)).map((e) => /Subject: (\S+)/.exec(e.raw.toString())![1]);
    expect(subjects).toHaveLength(80);
    expect(new Set(subjects).size).toBe(80);
    expect(existsSync(`${path}.lock`)).toBe(false);
  }, 60_000);

  it('breaks a stale lock and a lock of a dead process; waits for a live one and then gives up with STORE_LOCKED', async () => {
    const path = join(dir, 'locked.mbox');
    writeFileSync(`${path}.lock`, '');
    const old = new Date(Date.now() - 600_000);
    utimesSync(`${path}.lock`, old, old);
    await appendToMbox(path, Buffer.from('Subject: 1\n\nx\n'), { lockTimeoutMs: 1000 });

    writeFileSync(`${path}.lock`, '999999999\n'); // no such pid
    const aWhileAgo = new Date(Date.now() - 5_000);
    utimesSync(`${path}.lock`, aWhileAgo, aWhileAgo);
    await appendToMbox(path, Buffer.from('Subject: 2\n\nx\n'), { lockTimeoutMs: 1000 });

    const release = await dotlock(path);
    const err = await appendToMbox(path, Buffer.from('Subject: 3\n\nx\n'), { lockTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailsiftError);
    expect((err as MailsiftError).code).toBe('STORE_LOCKED');
    await release();
    expect((await entries(path)).length).toBe(2);
  });
});
