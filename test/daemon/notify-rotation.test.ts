/**
 * Dovecot 2.3.19's NOTIFY follows two transaction logs: the mailbox list index's
 * (`dovecot.list.index.log`, every mailbox but INBOX) and INBOX's own `dovecot.index.log`.
 * Once it rotates one of them, a session that set NOTIFY up earlier gets no more pushes for
 * those mailboxes (bench/README.md, "Findings"). Here tiny rotation sizes make a few dozen
 * APPENDs rotate both logs; mail that arrives after that must still be processed, within the
 * watcher's keepalive (which re-arms NOTIFY), not only by the 15-minute safety LIST-STATUS.
 * The daemon's keepalive is 1 s here; the test allows 30 s, far below those 15 minutes.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import type { DovecotInstance } from '../support/dovecot.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { message, waitFor } from './helpers.js';

/** Dovecot rotates a log past max_size, or past min_size once it is min_time old. */
const ROTATE_SOON = ['mail_index_log_rotate_min_size = 1k', 'mail_index_log_rotate_max_size = 2k', 'mail_index_log_rotate_min_age = 0'].join('\n');

const KEEP_RULES = `# every message stays where it is: the test only counts what was processed
keep;
`;

/** Inode of each log NOTIFY follows; a rotation renames the log to .2 and starts a new file. */
function logInodes(d: DovecotInstance): { inbox: number; list: number } {
  const root = d.maildir('alice');
  return { inbox: statSync(join(root, 'dovecot.index.log')).ino, list: statSync(join(root, 'dovecot.list.index.log')).ino };
}

describe('daemon: NOTIFY after Dovecot rotated its index logs', () => {
  const env = useDaemonFixture({ notify: true, name: 'notify-rotation', mailboxes: ['Lists/dev', 'Unwatched'], extraConfig: ROTATE_SOON });

  it('still processes mail that arrives after both logs rotated (NOTIFY is re-armed on the keepalive)', async () => {
    const d = env.d;
    const config = await env.setup('notify-rotation').write({ accounts: [{ name: 'work', dovecot: d }], watches: [{ account: 'work', mailboxes: ['INBOX', 'Lists/*'], rules: KEEP_RULES, start: 'new' }] });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, backoff: { baseMs: 100, maxMs: 500 }, watcher: { keepaliveMs: 1000 } });
    await waitFor('the daemon to connect', () => logger.events.some((e) => / connected to .*\(notify\)/.test(e.text)));
    const processed = (mailbox: string, id: string) => logger.messages.some((m) => m.mailbox === mailbox && m.messageId === `${id}@example.test`);

    // Pushes work before any rotation.
    await d.append('alice', 'INBOX', message('before-inbox'));
    await d.append('alice', 'Lists/dev', message('before-dev'));
    await waitFor('the messages before the rotation', () => processed('INBOX', 'before-inbox') && processed('Lists/dev', 'before-dev'));

    // Rotate both logs: INBOX's by mail into INBOX (which the daemon processes as it comes),
    // the list index's by mail into a mailbox the daemon does not watch.
    const start = logInodes(d);
    const burst: string[] = [];
    for (let i = 0; i < 400; i++) {
      const now = logInodes(d);
      if (now.inbox !== start.inbox && now.list !== start.list) break;
      if (now.inbox === start.inbox) {
        burst.push(`burst-${i}`);
        await d.append('alice', 'INBOX', message(`burst-${i}`));
      }
      if (now.list === start.list) await d.append('alice', 'Unwatched', message(`unwatched-${i}`));
    }
    const rotated = logInodes(d);
    expect(rotated.inbox).not.toBe(start.inbox);
    expect(rotated.list).not.toBe(start.list);

    // Mail after the rotation, in both logs' mailboxes: processed, as is all of the burst.
    await d.append('alice', 'INBOX', message('after-inbox'));
    await d.append('alice', 'Lists/dev', message('after-dev'));
    await waitFor('the messages after the rotation', () => processed('INBOX', 'after-inbox') && processed('Lists/dev', 'after-dev'), 30_000);
    await waitFor('every message of the burst', () => burst.every((id) => processed('INBOX', id)), 30_000);
    expect(logger.messages.filter((m) => m.mailbox === 'INBOX')).toHaveLength(burst.length + 2);
  }, 120_000);
});
