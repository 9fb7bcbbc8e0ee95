/**
 * The SMTP intake delivering into a Maildir on a really full disk (a tmpfs filled to ENOSPC,
 * test/support/full-disk.ts): the client gets 451 and keeps the message, nothing is left in
 * the Maildir (not even in tmp/), and once there is room again its retry is stored, once.
 * With the state directory on the full disk instead (`mailsift run`'s intake), mail is still
 * stored and answered 250; only its log row is missing, said in one line.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { STATE_FILE_NAME } from '../../src/state/db.js';
import { waitFor } from '../daemon/helpers.js';
import { freePort } from '../support/free-port.js';
import { fullDiskUnavailable, smallDisk, type SmallDisk } from '../support/full-disk.js';
import { tempDir } from '../support/temp-dir.js';
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

describe('SMTP intake with its state directory on a full disk', () => {
  // Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
  it.skipIf(fullDiskUnavailable !== undefined)('still stores and answers 250; the missing log row is one STATE_UNWRITABLE line naming the database', async () => {
    disk = smallDisk({ size: '2m' });
    const dir = tempDir('mailsift-intake-state-');
    const maildir = join(dir, 'Maildir');
    const stateDir = join(disk.dir, 'state');
    const port = await freePort();
    writeFileSync(join(dir, 'rules.sieve'), 'keep;\n');
    writeFileSync(
      join(dir, 'config.toml'),
      `[state]\ndir = ${JSON.stringify(stateDir)}\n\n[accounts.box]\ntype = "maildir"\npath = ${JSON.stringify(maildir)}\n\n` +
        `[accounts.in]\ntype = "smtp-intake"\nlisten_port = ${port}\nrecipients = ["me@example.test"]\ntarget_account = "box"\n\n` +
        `[[watch]]\naccount = "in"\nrules = ${JSON.stringify(join(dir, 'rules.sieve'))}\n`,
    );
    const logger = new MemoryLogger();
    const daemon = await startDaemon(await loadConfig(join(dir, 'config.toml')), { logger });
    try {
      await waitFor('the listener', () => logger.events.some((e) => / listening on /.test(e.text)));
      expect((await send(port)).response).toMatch(/^250 2\.0\.0 stored in box\/INBOX /);

      disk.fill();
      // Stored before the 250 (the Maildir is elsewhere): the client must not resend it.
      expect((await send(port)).response).toMatch(/^250 2\.0\.0 stored in box\/INBOX /);
      expect(allFiles(maildir)).toHaveLength(2);
      const warning = await waitFor('the warning', () => logger.events.find((e) => e.fields.code === 'STATE_UNWRITABLE'));
      expect(warning.level).toBe('warn');
      expect(warning.text).toMatch(new RegExp(`^in: cannot record message \\S+ in the state database ${join(stateDir, STATE_FILE_NAME).replaceAll('.', '\\.')}: no space left on device \\(SQLITE_FULL\\)$`));

      disk.free();
      expect((await send(port)).response).toMatch(/^250 /);
      expect(allFiles(maildir)).toHaveLength(3);
      await waitFor('the third row recorded', () => daemon.state.events.recent({ account: 'in' }).length === 2);
    } finally {
      await daemon.stop();
    }
  });
});
