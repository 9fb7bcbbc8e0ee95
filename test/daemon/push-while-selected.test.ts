/**
 * Since fetchNew SELECTs the watched mailbox and the actions run on that selection, the
 * mailbox is selected while a message is being processed. Mail that arrives in that window
 * must still be noticed by the push (NOTIFY), not only by the keepalive's LIST-STATUS: here
 * the keepalive and the safety resync are far away (10 minutes), so only a push can do it.
 * A program run by `execute` holds the first message's evaluation open until the second
 * message has been delivered (no sleeps: it waits for a file the test creates).
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { message, waitFor } from './helpers.js';

describe('daemon: mail that arrives while the watched mailbox is selected', () => {
  const env = useDaemonFixture({ notify: true, name: 'push-selected', mailboxes: [] });

  it('is processed on its push, without waiting for the keepalive', async () => {
    const { d, mail } = env;
    const setup = env.setup('push-selected');
    const bin = join(setup.dir, 'programs');
    mkdirSync(bin);
    const go = join(setup.dir, 'go');
    const started = join(setup.dir, 'started');
    writeFileSync(join(bin, 'hold'), `#!/bin/sh\n: > ${JSON.stringify(started)}\nwhile [ ! -e ${JSON.stringify(go)} ]; do sleep 0.02; done\n`);
    chmodSync(join(bin, 'hold'), 0o755);
    const rules = 'require ["vnd.dovecot.execute"];\nif header :contains "subject" "hold" { execute "hold"; }\nkeep;\n';
    const config = await setup.write({ accounts: [{ name: 'work', dovecot: d }], watches: [{ account: 'work', rules, start: 'new' }], extra: `[pipe]\ndir = ${JSON.stringify(bin)}\n` });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, backoff: { baseMs: 100, maxMs: 500 }, watcher: { keepaliveMs: 600_000, resyncIntervalMs: 600_000 } });
    await waitFor('the daemon to connect', () => logger.events.some((e) => / connected to .*\(notify\)/.test(e.text)));
    const processed = (id: string) => logger.messages.some((m) => m.messageId === `${id}@example.test`);

    await mail.append('INBOX', message('first', 'hold'));
    // The first message's rules now wait in `hold`, INBOX selected by the fetch.
    await waitFor('the program to start', () => existsSync(started));
    expect(processed('first')).toBe(false);
    await mail.append('INBOX', message('second', 'plain'));
    writeFileSync(go, '');
    await waitFor('the first message', () => processed('first'));
    await waitFor('the second message, by its push', () => processed('second'), 15_000);
  });
});
