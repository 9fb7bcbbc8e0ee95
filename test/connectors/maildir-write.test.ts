/**
 * Maildir delivery as the SMTP intake drives it: many concurrent deliveries into one folder
 * (directory fsyncs shared), folders remembered as ready, and a remembered folder that was
 * removed meanwhile (resolved again, never a lost message).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverToMaildir } from '../../src/connectors/local/maildir-write.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const bytes = (s: string) => new TextEncoder().encode(s);

describe('deliverToMaildir under load', () => {
  it('stores 40 concurrent deliveries into one folder, each file complete and distinct', async () => {
    dir = mkdtempSync(join(tmpdir(), 'maildir-write-'));
    const paths = await Promise.all(Array.from({ length: 40 }, (_, i) => deliverToMaildir(dir!, 'Lists/dev', bytes(`Subject: ${i}\r\n\r\nbody ${i}\r\n`), { create: true })));
    expect(new Set(paths).size).toBe(40);
    const files = readdirSync(join(dir, '.Lists.dev', 'new'));
    expect(files).toHaveLength(40);
    const bodies = files.map((f) => readFileSync(join(dir!, '.Lists.dev', 'new', f), 'utf8')).sort();
    expect(bodies).toContain('Subject: 7\r\n\r\nbody 7\r\n');
    expect(readdirSync(join(dir, '.Lists.dev', 'tmp'))).toEqual([]);
  });

  it('resolves a remembered folder again when it was removed, creating it with create', async () => {
    dir = mkdtempSync(join(tmpdir(), 'maildir-write-'));
    await deliverToMaildir(dir, 'Work', bytes('a\r\n'), { create: true });
    rmSync(join(dir, '.Work'), { recursive: true });
    const path = await deliverToMaildir(dir, 'Work', bytes('b\r\n'), { create: true });
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('b\r\n');
  });

  it('reports a remembered folder that was removed as missing without create', async () => {
    dir = mkdtempSync(join(tmpdir(), 'maildir-write-'));
    await deliverToMaildir(dir, 'Gone', bytes('a\r\n'), { create: true });
    rmSync(join(dir, '.Gone', 'new'), { recursive: true });
    rmSync(join(dir, '.Gone', 'cur'), { recursive: true });
    await expect(deliverToMaildir(dir, 'Gone', bytes('b\r\n'), {})).rejects.toMatchObject({ code: 'MAILBOX_MISSING' });
    expect(readdirSync(join(dir, '.Gone', 'tmp'))).toEqual([]);
  });

  it('a folder found missing is delivered to as soon as mailsift itself creates it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'maildir-write-'));
    await deliverToMaildir(dir, 'INBOX', bytes('x\r\n'), { create: true });
    await expect(deliverToMaildir(dir, 'Later', bytes('a\r\n'), {})).rejects.toMatchObject({ code: 'MAILBOX_MISSING' });
    await deliverToMaildir(dir, 'Later', bytes('b\r\n'), { create: true });
    const path = await deliverToMaildir(dir, 'Later', bytes('c\r\n'), {});
    expect(readFileSync(path, 'utf8')).toBe('c\r\n');
  });
});
