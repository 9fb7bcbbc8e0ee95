/** Files read by a worker thread ahead of the caller (src/connectors/local/read-ahead.ts), and the readers that use it. */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { READ_AHEAD_FROM, ReadAhead } from '../../src/connectors/local/read-ahead.js';
import { readFileWithMtime } from '../../src/connectors/local/read-file.js';
import { readSource, type LocalMessage } from '../../src/connectors/local/source.js';

const base = mkdtempSync(join(tmpdir(), 'mailsift-read-ahead-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let counter = 0;
/** `n` files in a fresh directory: varied sizes, one empty, one bigger than a 64 KB chunk, 8-bit bytes. */
function files(n: number): string[] {
  const dir = join(base, String(++counter));
  mkdirSync(dir);
  return Array.from({ length: n }, (_, i) => {
    const path = join(dir, `m${String(i).padStart(4, '0')}.eml`);
    const body = i === 3 ? Buffer.alloc(0) : i === 5 ? Buffer.alloc(200_000, 0xe9) : Buffer.from(`Subject: ${i}\n\n${'x'.repeat(i * 37)}\xff\n`, 'latin1');
    writeFileSync(path, body);
    return path;
  });
}

async function collect(path: string): Promise<LocalMessage[]> {
  const out: LocalMessage[] = [];
  for await (const m of readSource(path)) out.push(m);
  return out;
}

describe('ReadAhead', () => {
  it('gives every file byte-exactly with its mtime, in order, as reading in place does', () => {
    const paths = files(300);
    const ahead = new ReadAhead(paths);
    try {
      paths.forEach((path, i) => {
        const got = ahead.read(i);
        const want = readFileWithMtime(path);
        expect(Buffer.compare(got.raw, want.raw)).toBe(0);
        expect(got.mtime.getTime()).toBe(want.mtime.getTime());
      });
    } finally {
      ahead.close();
    }
  });

  it('a file gone since the listing throws its fs error (ENOENT) when its turn comes; the rest still read', () => {
    const paths = files(200);
    for (const i of [0, 57, 199]) unlinkSync(paths[i]!);
    const ahead = new ReadAhead(paths);
    try {
      const outcomes = paths.map((_, i) => {
        try {
          return ahead.read(i).raw.length >= 0 ? 'ok' : 'empty';
        } catch (err) {
          return (err as NodeJS.ErrnoException).code;
        }
      });
      expect(outcomes.filter((o) => o !== 'ok')).toEqual(['ENOENT', 'ENOENT', 'ENOENT']);
      expect([outcomes[0], outcomes[57], outcomes[199]]).toEqual(['ENOENT', 'ENOENT', 'ENOENT']);
    } finally {
      ahead.close();
    }
  });

  it('can be closed early, and twice', () => {
    const paths = files(150);
    const ahead = new ReadAhead(paths);
    expect(ahead.read(0).raw.toString('latin1')).toContain('Subject: 0');
    ahead.close();
    ahead.close();
  });
});

describe('readers that read ahead', () => {
  it(`an .eml directory of ${READ_AHEAD_FROM} files or more reads the same as file by file`, async () => {
    const paths = files(READ_AHEAD_FROM + 40);
    const messages = await collect(join(paths[0]!, '..'));
    expect(messages.map((m) => m.id)).toEqual(paths);
    messages.forEach((m, i) => {
      const want = readFileWithMtime(paths[i]!);
      expect(Buffer.compare(Buffer.from(m.raw), want.raw)).toBe(0);
      expect(m.internalDate?.getTime()).toBe(want.mtime.getTime());
    });
  });

  it('a big Maildir folder reads the same as file by file: ids, flags, bytes, dates', async () => {
    const root = join(base, `maildir-${++counter}`);
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(root, sub), { recursive: true });
    const paths: string[] = [];
    for (let i = 0; i < 150; i++) {
      const path = join(root, i % 3 === 0 ? 'new' : 'cur', `${1000 + i}.M1P1.host${i % 3 === 0 ? '' : ':2,S'}`);
      writeFileSync(path, `Subject: ${i}\n\nbody ${'y'.repeat(i)}\n`);
      paths.push(path);
    }
    const messages = await collect(root);
    expect(messages.map((m) => m.id)).toEqual(paths);
    messages.forEach((m, i) => {
      const want = readFileWithMtime(paths[i]!);
      expect(Buffer.compare(Buffer.from(m.raw), want.raw)).toBe(0);
      expect(m.internalDate?.getTime()).toBe(want.mtime.getTime());
      expect(m.flags).toEqual(i % 3 === 0 ? [] : ['\\Seen']);
    });
  });
});
