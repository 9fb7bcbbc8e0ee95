/**
 * An action whose ledger row the state database refuses: the state directory is on a tmpfs
 * (test/support/full-disk.ts) that is filled to ENOSPC after the database was opened, so the
 * open works and the next write, the ledger's `started` row, needs the -wal to grow and gets
 * SQLITE_FULL. The IMAP executor used to report that as IMAP_COMMAND_FAILED and POP3 delivery
 * as STORE_WRITE_FAILED ('database or disk is full'), and a daemon that could still commit
 * would then record the message as failed, never to be tried again. Now the ledger throws
 * STATE_UNWRITABLE naming the database (src/state/ledger.ts), both report that code, nothing
 * is acted on, and processMessage commits nothing and throws it (the worker retries).
 * Real pieces: Dovecot, the state database, a Maildir, the full tmpfs.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/actions/executor.js';
import { planOperations } from '../../src/actions/plan-operations.js';
import type { MailboxWatcher } from '../../src/connectors/imap/index.js';
import { deliverPop3Message, POP3_FOLDER } from '../../src/connectors/pop3/deliver.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { processMessage } from '../../src/daemon/process-message.js';
import { compile } from '../../src/dsl/compile.js';
import { openState, STATE_FILE_NAME, type StateDb } from '../../src/state/db.js';
import { useDovecot } from '../support/dovecot-fixture.js';
import { executorDeps } from '../support/executor-deps.js';
import { fullDiskUnavailable, smallDisk, type SmallDisk } from '../support/full-disk.js';
import { tempDir } from '../support/temp-dir.js';
import { fileinto, find, imapAccount, input, put, startWatcher } from './executor-helpers.js';

// Skipped where no tmpfs can be mounted (not root): only a real ENOSPC is worth testing here.
describe.skipIf(fullDiskUnavailable !== undefined)('a ledger row the full state disk refuses', () => {
  const d = useDovecot({ notify: false, name: 'ledger-full', mailboxes: ['Archive'] });
  let watcher: MailboxWatcher;
  let disk: SmallDisk;
  let state: StateDb;
  let file: string;
  const accounts = () => ({ work: imapAccount('work', d) });

  beforeAll(async () => {
    watcher = await startWatcher('work', d);
    disk = smallDisk({ size: '1m' });
    state = openState(join(disk.dir, 'state'));
    file = join(disk.dir, 'state', STATE_FILE_NAME);
  });
  afterAll(async () => {
    state?.close();
    await watcher?.stop();
    disk?.dispose();
  });

  const refusal = () => `cannot write the state database ${file}: no space left on device (SQLITE_FULL)`;

  it('fails the IMAP operation with STATE_UNWRITABLE naming the database, moves nothing, and moves once when there is room', async () => {
    const m = await put(d, 'work');
    const i = input(m.ref, [fileinto('Archive')]);
    const run = () => createExecutor(executorDeps({ state, accounts: accounts(), watchers: { work: watcher } })).execute(i);
    disk.fill();
    try {
      const out = await run();
      expect(out).toMatchObject({ status: 'failed', code: 'STATE_UNWRITABLE', error: refusal() });
      expect(out.results.map((r) => r.status)).toEqual(['failed']);
      expect(await find(d, 'INBOX', m.messageId)).toHaveLength(1);
      expect(await find(d, 'Archive', m.messageId)).toEqual([]);
    } finally {
      disk.free();
    }
    expect(await run()).toMatchObject({ status: 'done' });
    expect(await find(d, 'INBOX', m.messageId)).toEqual([]);
    expect(await find(d, 'Archive', m.messageId)).toHaveLength(1);
  });

  it('processMessage commits nothing and throws STATE_UNWRITABLE (not a failed message: it is tried again)', async () => {
    const m = await put(d, 'work');
    const logger = new MemoryLogger();
    const ctx = { state, executor: createExecutor(executorDeps({ state, accounts: accounts(), watchers: { work: watcher } })), logger, mailboxExists: async () => true, transient: () => false };
    const compiled = compile('require "fileinto";\nfileinto "Archive";\n');
    if (!compiled.ok) throw new Error('rules do not compile');
    let committed = false;
    disk.fill();
    try {
      const message = { ...m.ref, raw: m.raw, headersOnly: false, size: m.raw.length, flags: [] };
      const attempt = processMessage(ctx, compiled.plan, message, { commit: () => (committed = true) });
      await expect(attempt).rejects.toMatchObject({ code: 'STATE_UNWRITABLE', message: `work INBOX: ${refusal()}; the message stays and is tried again` });
      expect(committed).toBe(false);
      expect(logger.messages).toEqual([]);
      expect(await find(d, 'INBOX', m.messageId)).toHaveLength(1);
    } finally {
      disk.free();
    }
    expect(state.db.prepare('SELECT count(*) AS n FROM processed WHERE uid = ?').get(String(m.ref.uid))).toEqual({ n: 0 });
  });

  it('fails a POP3 delivery with STATE_UNWRITABLE naming the database, and stores nothing', async () => {
    const maildir = join(tempDir('ledger-full-pop3-'), 'Maildir');
    const raw = new TextEncoder().encode('From: a@example.org\r\nSubject: pop\r\nMessage-ID: <pop-full@example.org>\r\n\r\nBody.\r\n');
    const plan = planOperations([{ type: 'fileinto', mailbox: 'INBOX', flags: [], copy: false, create: true, account: 'home' }], { mailbox: POP3_FOLDER });
    const deps = executorDeps({ state, accounts: { home: { type: 'maildir', name: 'home', path: maildir } } });
    disk.fill();
    try {
      const out = await deliverPop3Message(deps, { account: 'pop', uidl: 'u-full', raw, plan });
      expect(out).toMatchObject({ status: 'failed', delivered: false, code: 'STATE_UNWRITABLE', error: refusal() });
      const stored = ['new', 'cur'].flatMap((s) => (existsSync(join(maildir, s)) ? readdirSync(join(maildir, s)) : []));
      expect(stored).toEqual([]);
    } finally {
      disk.free();
    }
    // Stored once there is room.
    expect(await deliverPop3Message(deps, { account: 'pop', uidl: 'u-full', raw, plan })).toMatchObject({ status: 'done', delivered: true });
    expect(readdirSync(join(maildir, 'new'))).toHaveLength(1);
  });
});
