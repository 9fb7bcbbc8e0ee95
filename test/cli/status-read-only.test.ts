/**
 * `mailsift status` reads the state database without writing beside it: it used to open the
 * WAL database with SQLite's plain read-only open, which left an empty mailsift.db-wal and a
 * mailsift.db-shm behind once the daemon had stopped, and failed with
 * SQLITE_READONLY_DIRECTORY on a state directory the user may read but not write. It now
 * opens it as the read-only models are opened (src/state/read-only-open.ts).
 *
 * Root ignores file modes, so as root the reader runs as `nobody` (setpriv, uid and gid
 * 65534, no groups), as test/classify/read-only-model.test.ts does: the real refusal.
 */
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openState } from '../../src/state/db.js';
import { runCli } from '../support/run-cli.js';
import { readerCli } from '../support/run-cli-as-reader.js';

const { work, run: runAsReader } = readerCli('mailsift-ro-status-');

/** A state directory as a stopped daemon leaves it (one mailbox row, one processed message), and a config naming it. */
function stoppedDaemonState(name: string): { dir: string; config: string } {
  const base = join(work, name);
  mkdirSync(base, { mode: 0o755 });
  chmodSync(base, 0o755);
  const dir = join(base, 'state');
  const state = openState(dir);
  state.events.setStatus('work', 'INBOX', { mode: 'idle' });
  state.events.logProcessed({ account: 'work', mailbox: 'INBOX', uid: '7', actions: 'fileinto "Done"', status: 'ok', at: Date.now() });
  state.close();
  const config = join(base, 'mailsift.toml');
  writeFileSync(config, `[state]\ndir = ${JSON.stringify(dir)}\n`);
  chmodSync(config, 0o644);
  return { dir, config };
}

const listing = (dir: string): string[] => readdirSync(dir).sort();

describe('mailsift status on a stopped daemon\'s state', () => {
  it('leaves no -wal or -shm behind', async () => {
    const s = stoppedDaemonState('owned');
    expect(listing(s.dir)).toEqual(['mailsift.db']);
    const r = await runCli('status', '--json', '--config', s.config);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { mailboxes: { account: string; mailbox: string; processed: number }[] };
    expect(report.mailboxes).toEqual([expect.objectContaining({ account: 'work', mailbox: 'INBOX', processed: 1 })]);
    expect(listing(s.dir)).toEqual(['mailsift.db']);
  });

  it('works on a state directory the user may read but not write, and creates nothing', async () => {
    const s = stoppedDaemonState('read-only');
    chmodSync(join(s.dir, 'mailsift.db'), 0o444);
    chmodSync(s.dir, 0o555);
    const r = await runAsReader('status', '--config', s.config);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^work +INBOX +offline .* 1 /m);
    expect(listing(s.dir)).toEqual(['mailsift.db']);
  });

  it('still sees what a running writer holds in its -wal (SQLite\'s own read-only open), creating nothing more', async () => {
    const s = stoppedDaemonState('live');
    const writer = openState(s.dir); // as the running daemon keeps it open
    try {
      writer.events.logProcessed({ account: 'work', mailbox: 'INBOX', uid: '8', actions: 'keep', status: 'ok', at: Date.now() });
      const before = listing(s.dir);
      expect(before).toEqual(['mailsift.db', 'mailsift.db-shm', 'mailsift.db-wal']);
      const r = await runCli('status', '--json', '--config', s.config);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { mailboxes: { processed: number }[] }).mailboxes[0]!.processed).toBe(2);
      expect(listing(s.dir)).toEqual(before);
    } finally {
      writer.close();
    }
  });
});
