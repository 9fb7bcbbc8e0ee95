/**
 * sweep() itself over a Maildir or an mbox, without the command line: a folder the store does
 * not have is MAILBOX_MISSING for every caller (as IMAP_MAILBOX_MISSING is for an IMAP
 * sweep), not "0 messages"; a sweep that is not a dry run is refused before anything is read.
 * The command line's lines for the same cases: test/cli/error-lines.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Executor } from '../../src/actions/types.js';
import type { MaildirAccount, MboxAccount } from '../../src/config/types.js';
import { compile } from '../../src/dsl/compile.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { sweep, type SweepDeps } from '../../src/daemon/sweep.js';
import { openState } from '../../src/state/db.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir('mailsift-sweep-local-');
const state = openState(join(dir, 'state'));
afterAll(() => state.close());

const compiled = compile('keep;\n');
if (!compiled.ok) throw new Error('keep; does not compile');
const plan = compiled.plan;

/** A local dry run lists its operations itself: the host's executor is never asked. */
const refusingExecutor: Executor = {
  execute() {
    throw new Error('a local dry run called the executor');
  },
};

function deps(): SweepDeps {
  return { state, executor: refusingExecutor, logger: new MemoryLogger(), mailboxExists: async () => false };
}

const maildir: MaildirAccount = { type: 'maildir', name: 'sample', path: join(import.meta.dirname, '../../examples/mailbox') };
const mboxPath = join(dir, 'old.mbox');
writeFileSync(mboxPath, 'From a@example.test Mon Jan  1 10:00:00 2024\nFrom: a@example.test\nSubject: one\n\nbody\n\n');
const mbox: MboxAccount = { type: 'mbox', name: 'old', path: mboxPath };

describe('sweep() of a local store', () => {
  it('a Maildir folder it does not have: MAILBOX_MISSING naming the store and its folders', async () => {
    await expect(sweep({ account: maildir, mailbox: 'Lsits', plan, dryRun: true }, deps())).rejects.toMatchObject({
      code: 'MAILBOX_MISSING',
      path: maildir.path,
      message: `maildir account "sample" (${maildir.path}) has no folder "Lsits"; it has: INBOX, Lists, Receipts`,
    });
  });

  it('an mbox has only INBOX: any other name is MAILBOX_MISSING', async () => {
    await expect(sweep({ account: mbox, mailbox: 'Archive', plan, dryRun: true }, deps())).rejects.toMatchObject({
      code: 'MAILBOX_MISSING',
      path: mboxPath,
      message: `mbox account "old" (${mboxPath}) has no folder "Archive"; it has: INBOX`,
    });
  });

  it('folders it has are swept: a Maildir subfolder, an mbox as INBOX in any case', async () => {
    const lists = await sweep({ account: maildir, mailbox: 'Lists', plan, dryRun: true }, deps());
    expect(lists).toMatchObject({ messages: 3, actions: { keep: 3 }, errors: 0, interrupted: false });
    const inbox = await sweep({ account: mbox, mailbox: 'inbox', plan, dryRun: true }, deps());
    expect(inbox).toMatchObject({ messages: 1, actions: { keep: 1 }, errors: 0, interrupted: false });
  });

  it('not a dry run: SWEEP_UNSUPPORTED, before the folder is looked for', async () => {
    await expect(sweep({ account: maildir, mailbox: 'Lsits', plan, dryRun: false }, deps())).rejects.toMatchObject({ code: 'SWEEP_UNSUPPORTED' });
    await expect(sweep({ account: maildir, mailbox: 'Lists', plan, dryRun: false }, deps())).rejects.toMatchObject({ code: 'SWEEP_UNSUPPORTED' });
  });

  it('a store that cannot be read: SOURCE_UNREADABLE from the source, not MAILBOX_MISSING', async () => {
    const gone: MaildirAccount = { type: 'maildir', name: 'gone', path: join(dir, 'no-such-Maildir') };
    await expect(sweep({ account: gone, mailbox: 'INBOX', plan, dryRun: true }, deps())).rejects.toMatchObject({ code: 'SOURCE_UNREADABLE' });
  });
});
