/**
 * The local file-out targets (storeInMaildir, storeInMbox) on a really full disk (a tmpfs
 * filled to ENOSPC, test/support/full-disk.ts): STORE_WRITE_FAILED with one line naming the
 * path; no file left in the Maildir (not even in tmp/); the mbox cut back to its old bytes
 * after a partial write, and no lock file left behind; the next store after space is freed
 * works at once.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeInMaildir, storeInMbox } from '../../src/actions/local-store.js';
import { MailsiftError } from '../../src/errors.js';
import { fullDiskUnavailable, smallDisk } from '../support/full-disk.js';

const OLD_MBOX = 'From someone@example.test Mon Jan  1 10:00:00 2024\nFrom: someone@example.test\nSubject: already there\n\nold body\n\n';

/** Bigger than a page, so a write that starts in the room left is cut off midway. */
const BIG = Buffer.from(`From: a@example.test\r\nSubject: big\r\nMessage-ID: <big@example.test>\r\n\r\n${'0123456789abcdef'.repeat(1024)}\r\n`);

async function storeError(p: Promise<unknown>): Promise<MailsiftError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MailsiftError);
  return err as MailsiftError;
}

// Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
describe.skipIf(fullDiskUnavailable !== undefined)('local stores on a full disk', () => {
  it('Maildir: STORE_WRITE_FAILED naming tmp/, nothing left in cur/ new/ tmp/, works after free', async () => {
    const disk = smallDisk();
    const root = join(disk.dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(root, sub), { recursive: true });
    for (const leave of [0, 4096]) {
      disk.fill({ leave });
      const err = await storeError(storeInMaildir(root, 'INBOX', BIG, { flags: [], create: false }));
      expect(err.code).toBe('STORE_WRITE_FAILED');
      expect(err.message).toContain(join(root, 'tmp') + '/');
      expect(err.message).toMatch(/: no space left on device$/);
      expect(['cur', 'new', 'tmp'].flatMap((s) => readdirSync(join(root, s)))).toEqual([]);
      disk.free();
    }
    const path = await storeInMaildir(root, 'INBOX', BIG, { flags: [], create: false });
    expect(readFileSync(path)).toEqual(BIG);
    disk.dispose();
  });

  it('mbox: a partial write is cut back to the old bytes, a lock that could not take its pid is removed, the next append works at once', async () => {
    const disk = smallDisk();
    const mbox = join(disk.dir, 'old.mbox');
    writeFileSync(mbox, OLD_MBOX);
    const lock = { timeoutMs: 2000 };

    // Not a byte free: the lock file is created (a name needs no data block) but its pid does not fit.
    disk.fill();
    let err = await storeError(storeInMbox(mbox, BIG, { flags: [], lock }));
    expect(err.code).toBe('STORE_WRITE_FAILED');
    expect(err.message).toBe(`cannot create lock file ${mbox}.lock: no space left on device`);
    expect(existsSync(`${mbox}.lock`)).toBe(false);
    disk.free();

    // One page free: the lock fits, the message is written in part, then ENOSPC.
    disk.fill({ leave: 4096 });
    err = await storeError(storeInMbox(mbox, BIG, { flags: [], lock }));
    expect(err.code).toBe('STORE_WRITE_FAILED');
    expect(err.message).toBe(`cannot write to ${mbox}: no space left on device`);
    expect(readFileSync(mbox, 'latin1')).toBe(OLD_MBOX);
    expect(existsSync(`${mbox}.lock`)).toBe(false);
    disk.free();

    await storeInMbox(mbox, BIG, { flags: [], lock });
    const text = readFileSync(mbox, 'latin1');
    expect(text.startsWith(OLD_MBOX)).toBe(true);
    expect(text.slice(OLD_MBOX.length)).toMatch(/^From MAILER-DAEMON .*\nFrom: a@example.test\r\nSubject: big\r\n/);
    expect(text.match(/^From /gm)).toHaveLength(2);
    disk.dispose();
  });
});
