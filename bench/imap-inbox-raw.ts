/**
 * What Dovecot itself needs to move one new message out of a big INBOX, without mailsift:
 * a raw IMAP session (NOTIFY and CONDSTORE on, as the daemon's) on a throwaway instance with
 * N messages in INBOX (default 9,451, as the `imap` fixture), timing command sequences after
 * each APPEND: the daemon's (SELECT, UID FETCH n:*, UID MOVE), the one before it (EXAMINE,
 * UID FETCH, SELECT, UID MOVE) and the bare minimum (SELECT, UID MOVE). Prints each command's
 * round trip and Dovecot's own "(x + y + z secs)" timing, then medians.
 *
 *   npx tsx bench/imap-inbox-raw.ts            # N=9451 ROUNDS=8
 */
import { deliverDirect, message } from '../test/daemon/helpers.js';
import { startDovecot } from '../test/support/dovecot.js';
import { RawImapSession } from '../test/support/raw-imap.js';

const N = Number(process.env.N ?? 9451);
const ROUNDS = Number(process.env.ROUNDS ?? 8);
const ITEMS = '(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER] MODSEQ)';

const SEQUENCES: Record<string, (uid: number) => string[]> = {
  'SELECT, UID FETCH n:*, UID MOVE': (uid) => ['SELECT INBOX', `UID FETCH ${uid}:* ${ITEMS}`, `UID MOVE ${uid} Filed`],
  'EXAMINE, UID FETCH, SELECT, UID MOVE': (uid) => ['EXAMINE INBOX', `UID FETCH ${uid}:* ${ITEMS}`, 'SELECT INBOX', `UID MOVE ${uid} Filed`],
  'SELECT, UID MOVE': (uid) => ['SELECT INBOX', `UID MOVE ${uid} Filed`],
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const dovecotSecs = (line: string) => Number(/\(([\d.]+)(?: \+ [\d.]+)* secs\)/.exec(line)?.[1] ?? NaN) * 1000;

const d = await startDovecot({ notify: true, name: 'inbox-raw' });
try {
  await d.createMailbox('alice', 'Filed');
  deliverDirect(d, 'alice', '', Array.from({ length: N }, (_, i) => message(`fill-${i}`)));
  const warm = await RawImapSession.open(d.host, d.imapPort, 'alice', 'alice-secret');
  await warm.command('SELECT INBOX'); // indexes the Maildir once, as the fixture is
  await warm.logout();
  const s = await RawImapSession.open(d.host, d.imapPort, 'alice', 'alice-secret');
  await s.command('ENABLE CONDSTORE');
  await s.command('NOTIFY SET (personal (MessageNew MessageExpunge))');
  const server: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, sequence] of Object.entries(SEQUENCES)) {
      const { uid } = await d.append('alice', 'INBOX', message(`probe-${r}-${name.length}`, 'probe'));
      await new Promise((done) => setTimeout(done, 700)); // past Dovecot's 0.5 s NOTIFY delay
      const cells: string[] = [];
      for (const command of sequence(uid)) {
        const t = performance.now();
        const line = await s.command(command);
        const ms = dovecotSecs(line);
        (server[`${name}: ${command.split(' ').slice(0, 2).join(' ')}`] ??= []).push(ms);
        cells.push(`${command.split(' ').slice(0, 2).join(' ')} ${(performance.now() - t).toFixed(1)} ms (Dovecot ${ms.toFixed(0)} ms)`);
      }
      await s.command('UNSELECT');
      console.log(`${name.padEnd(38)} ${cells.join(' | ')}`);
    }
  }
  console.log(`\nmedian Dovecot time per command over ${ROUNDS} rounds, INBOX of ${N} messages:`);
  for (const [what, xs] of Object.entries(server)) console.log(`  ${what.padEnd(60)} ${median(xs).toFixed(0)} ms`);
  await s.logout();
} finally {
  await d.dispose();
}
