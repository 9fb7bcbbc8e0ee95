/**
 * The SMTP intake delivering into a Maildir on a really full disk (a tmpfs filled to ENOSPC,
 * test/support/full-disk.ts): the client gets 451 and keeps the message, nothing is left in
 * the Maildir (not even in tmp/), and once there is room again its retry is stored, once.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fullDiskUnavailable, smallDisk, type SmallDisk } from '../support/full-disk.js';
import { allFiles, MESSAGE, startIntake, transport, type Intake } from './harness.js';

let intake: Intake | undefined;
let disk: SmallDisk | undefined;
afterEach(async () => {
  // The mount sits inside the intake's directory: it goes first, or removing that fails.
  disk?.dispose();
  disk = undefined;
  await intake?.close();
  intake = undefined;
});

const send = (port: number) => transport(port).sendMail({ envelope: { from: 'a@example.org', to: ['me@example.test'] }, raw: MESSAGE });

describe('SMTP intake on a full disk', () => {
  // Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
  it.skipIf(fullDiskUnavailable !== undefined)('answers 451 with nothing stored, and stores the retry once after space is freed', async () => {
    intake = await startIntake('require ["fileinto"];\nfileinto "Lists/in";');
    mkdirSync(intake.maildir);
    // The Maildir root is the tmpfs: mounted over the (empty) directory the intake stores into.
    const { maildir } = intake;
    disk = smallDisk({ at: maildir });
    // Folders made while there was room (the intake caches a prepared folder): only the message write meets ENOSPC.
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, '.Lists.in', sub), { recursive: true });
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
    disk.fill();
    expect(disk.freeBytes()).toBe(0);

    const err = await send(intake.port).catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 451 });
    expect(allFiles(maildir).filter((f) => !f.endsWith('.filler'))).toEqual([]);
    const [row] = intake.state.events.recent({ account: 'in' });
    expect(row).toMatchObject({ status: 'error' });
    expect(row!.error).toMatch(/no space left on device/);
    expect(row!.error).toContain(join(maildir, '.Lists.in', 'tmp'));
    expect(row!.error).not.toContain('\n');

    disk.free();
    const ok = await send(intake.port);
    expect(ok.response).toMatch(/^250 /);
    expect(intake.files('Lists/in')).toHaveLength(1);
    expect(readdirSync(join(maildir, '.Lists.in', 'tmp'))).toEqual([]);
    expect(intake.files('INBOX')).toEqual([]);
  });
});
