/**
 * A child process for the crash and concurrency tests: processes "messages"
 * uid = checkpoint + 1, +2, ... the way the daemon will. Per message: begin()
 * two actions (each committed on its own, before the "side effect"), then one
 * transaction that completes both, advances the checkpoint and logs the message.
 *
 *   node --import tsx writer.ts DIR [COUNT]
 *
 * Prints "ready" once started, then every 50th uid; with COUNT it stops after
 * that many messages, otherwise it runs until killed.
 */
import { openState } from '../../../src/state/db.js';
import { imapLedgerKey } from '../../../src/state/ledger.js';

const ACCOUNT = 'acct';
const MAILBOX = 'INBOX';
const UIDVALIDITY = 7n;
const ACTIONS = ['fileinto:Archive', 'addflag:\\Seen'] as const;

const [dir, countArg] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: writer.ts DIR [COUNT]');
const count = countArg === undefined ? Infinity : Number(countArg);

const state = openState(dir);
const start = state.checkpoints.get(ACCOUNT, MAILBOX) ?? state.checkpoints.reset({ account: ACCOUNT, mailbox: MAILBOX, uidvalidity: UIDVALIDITY, lastUid: 0 });
process.stdout.write('ready\n');
let inDoubt = 0;
for (let uid = start.lastUid + 1; uid <= start.lastUid + count; uid++) {
  const keys = ACTIONS.map((a) => imapLedgerKey(ACCOUNT, MAILBOX, UIDVALIDITY, uid, a));
  for (const key of keys) {
    const r = state.ledger.begin(key);
    if (r === 'in-doubt') inDoubt++;
    if (r === 'done') throw new Error(`uid ${uid} ${key.action} already done but not checkpointed`);
    // The side effect would happen here.
  }
  state.ledger.inTransaction(() => {
    for (const key of keys) state.ledger.complete(key, `uid ${uid}`);
    state.checkpoints.advance({ account: ACCOUNT, mailbox: MAILBOX, uidvalidity: UIDVALIDITY, lastUid: uid });
    state.events.logProcessed({ account: ACCOUNT, mailbox: MAILBOX, uid: String(uid), actions: 'fileinto "Archive"; addflag "\\\\Seen"', status: 'ok' });
  });
  if (uid % 50 === 0) process.stdout.write(`${uid}\n`);
}
process.stdout.write(`finished in-doubt=${inDoubt}\n`);
state.close();
