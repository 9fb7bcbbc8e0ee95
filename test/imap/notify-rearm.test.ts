/**
 * The notify-mode keepalive sends NOTIFY NONE, NOTIFY SET, LIST-STATUS. When the server
 * refuses that NOTIFY SET, the session gets no pushes at all (NONE went through): the watcher
 * must not wait for the next keepalive (2 min) but retry soon, poll with LIST-STATUS meanwhile,
 * and say so once ('notify' event; one log line in the daemon), the recovery too, also when
 * it comes with a new session after the connection dropped (here: `doveadm kick`).
 *
 * Dovecot 2.3 takes any well-formed NOTIFY SET for a session it already took one from (even
 * for mailboxes that were deleted meanwhile; measured), so the refusal is provoked on the
 * wire: the next NOTIFY SET the client writes asks for AnnotationChange too, and the real
 * Dovecot answers `NO [BADEVENT AnnotationChange]`, as a server would refuse any NOTIFY SET.
 */
import { ImapFlow } from 'imapflow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MailboxWatcher, type MailboxChange, type WatcherEvents } from '../../src/connectors/imap/index.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { useDaemonFixture } from '../daemon/daemon-fixture.js';
import { message, waitFor } from '../daemon/helpers.js';

/** The next `count` NOTIFY SET commands written by any ImapFlow ask for an event Dovecot does not support. */
function refuseNextNotifySet(count: number): { refused: () => number } {
  let left = count;
  let refused = 0;
  const proto = ImapFlow.prototype as unknown as { write(chunk: unknown): unknown };
  const original = proto.write;
  vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, chunk: unknown) {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('latin1') : undefined;
    if (left > 0 && text !== undefined && / NOTIFY SET /.test(text)) {
      left--;
      refused++;
      return original.call(this, text.replace('(MessageNew MessageExpunge)', '(MessageNew MessageExpunge AnnotationChange)'));
    }
    return original.call(this, chunk);
  });
  return { refused: () => refused };
}

/**
 * Every NOTIFY SET written, from now on, by the ImapFlow that writes the next one is refused as
 * above; other clients (the session a reconnect opens) are left alone.
 */
function refuseNotifySetOfOneClient(): { refused: () => number; others: () => number } {
  let target: unknown;
  let refused = 0;
  let others = 0;
  const proto = ImapFlow.prototype as unknown as { write(chunk: unknown): unknown };
  const original = proto.write;
  vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, chunk: unknown) {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('latin1') : undefined;
    if (text !== undefined && / NOTIFY SET /.test(text)) {
      if ((target ??= this) !== this) others++;
      else {
        refused++;
        return original.call(this, text.replace('(MessageNew MessageExpunge)', '(MessageNew MessageExpunge AnnotationChange)'));
      }
    }
    return original.call(this, chunk);
  });
  return { refused: () => refused, others: () => others };
}

describe('NOTIFY SET refused on the keepalive', () => {
  // Registered before the fixture, so that it runs after the fixture has stopped the test's daemon.
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const env = useDaemonFixture({ notify: true, name: 'notify-rearm', mailboxes: ['Lists/dev'] });
  const { d } = env;

  /**
   * The test's daemon (stopped by the fixture after the test), watching INBOX with a rule that
   * files "[dev]" mail into Lists/dev, a keepalive every second and re-arm retries after
   * 200 ms; once it is connected with NOTIFY. Its log.
   */
  async function startRearmDaemon(label: string): Promise<MemoryLogger> {
    const config = await env.setup(label).write({ accounts: [{ name: 'work', dovecot: d }], watches: [{ account: 'work', rules: 'require ["fileinto"];\nif header :contains "subject" "[dev]" { fileinto "Lists/dev"; }\n', start: 'new' }] });
    const logger = new MemoryLogger();
    env.daemon = await startDaemon(config, { logger, backoff: { baseMs: 100, maxMs: 500 }, watcher: { keepaliveMs: 1_000, rearmRetryMs: 200 } });
    await waitFor('connected', () => logger.events.some((e) => / connected to .*\(notify\)/.test(e.text)));
    return logger;
  }

  it('the watcher retries soon, polls meanwhile, and reports the outage and the recovery once each', async () => {
    // A keepalive that never comes by itself: only the retry can bring pushes back.
    const w = new MailboxWatcher(
      { name: 'rearm', host: d.host, port: d.imapPort, tls: 'none', user: 'alice', password: 'alice-secret' },
      { mailboxes: ['INBOX', 'Lists/*'], keepaliveMs: 3_600_000, resyncIntervalMs: 3_600_000, rearmRetryMs: 200 },
    );
    const changes: MailboxChange[] = [];
    const notify: WatcherEvents['notify'][0][] = [];
    w.on('change', (c) => changes.push(c));
    w.on('notify', (e) => notify.push(e));
    await w.start();
    try {
      expect(w.status().mode).toBe('notify');
      const refusal = refuseNextNotifySet(1);
      // The keepalive, now. It used to reject with the NO and leave the session without pushes.
      await w.rearmNotify().catch(() => undefined);
      expect(refusal.refused()).toBe(1);

      const n = changes.length;
      const { uid } = await d.append('alice', 'Lists/dev', Buffer.from('From: a@example.test\r\nSubject: after\r\nMessage-ID: <rearm-1@example.test>\r\n\r\nhi\r\n'));
      await waitFor('the append seen without a keepalive', () => changes.slice(n).find((c) => c.mailbox === 'Lists/dev' && c.uidNext === uid + 1), 5_000, 20);
      await waitFor('NOTIFY armed again', () => notify.find((e) => e.armed), 5_000, 20);
      expect(notify[0]).toMatchObject({ account: 'rearm', armed: false, retryInMs: 200, error: expect.objectContaining({ code: 'IMAP_COMMAND_FAILED', message: expect.stringContaining('NOTIFY SET failed: Unsupported NOTIFY events') }) });
      expect(notify.map((e) => e.armed)).toEqual([false, true]);

      // And pushes work again.
      const m = changes.length;
      const second = await d.append('alice', 'Lists/dev', Buffer.from('From: a@example.test\r\nSubject: pushed\r\nMessage-ID: <rearm-2@example.test>\r\n\r\nhi\r\n'));
      expect(await waitFor('a push', () => changes.slice(m).find((c) => c.mailbox === 'Lists/dev' && c.uidNext === second.uid + 1), 5_000, 20)).toMatchObject({ source: 'notify' });
    } finally {
      await w.stop();
    }
  });

  it('the daemon logs one line when pushes stop and one when they are back, and processes the mail that came meanwhile', async () => {
    const logger = await startRearmDaemon('notify-rearm');
    // A watch of INBOX alone sets `mailboxes (INBOX)`, and `personal` when that is refused: refuse both.
    const refusal = refuseNextNotifySet(2);
    await waitFor('the keepalive refused', () => refusal.refused() === 2, 10_000);
    await env.mail.append('INBOX', message('rearm-daemon', '[dev] while NOTIFY was refused'));
    await waitFor('the message processed', () => logger.messages.length >= 1, 10_000);
    expect(await env.mail.ids('Lists/dev')).toContain('rearm-daemon@example.test');
    await waitFor('the recovery line', () => logger.events.some((e) => /NOTIFY re-armed/.test(e.text)), 10_000);
    const lines = logger.events.filter((e) => /NOTIFY/.test(e.text)).map((e) => `${e.level} ${e.text}`);
    expect(lines).toEqual([expect.stringMatching(/^warn .*NOTIFY SET failed: Unsupported NOTIFY events.*no pushes now: polling with LIST-STATUS and re-arming NOTIFY in 1s/), expect.stringMatching(/^info work: NOTIFY re-armed/)]);
  });

  it('when the connection drops while NOTIFY is refused, the daemon says pushes are back once the new session takes it', async () => {
    const logger = await startRearmDaemon('notify-rearm-reconnect');
    // The first session never takes NOTIFY again (keepalive and retries alike): only a new one can.
    const refusal = refuseNotifySetOfOneClient();
    await waitFor('the warning', () => logger.events.some((e) => /no pushes now/.test(e.text)), 10_000);
    await d.doveadm(['kick', 'alice']);
    await waitFor('reconnected', () => logger.events.some((e) => / reconnected to .*\(notify\)/.test(e.text)), 10_000);
    await waitFor('the recovery line', () => logger.events.some((e) => /NOTIFY re-armed/.test(e.text)), 10_000);
    // Mail is processed by the new session; by then its keepalive has re-armed too, unsaid.
    await env.mail.append('INBOX', message('rearm-reconnect', '[dev] after the reconnect'));
    await waitFor('the message processed', () => logger.messages.length >= 1, 10_000);
    // Session setup's NOTIFY SET and a keepalive's.
    await waitFor('a keepalive of the new session', () => refusal.others() >= 2, 10_000);
    expect(refusal.refused()).toBeGreaterThanOrEqual(1);
    const lines = logger.events.filter((e) => /NOTIFY|reconnected/.test(e.text)).map((e) => `${e.level} ${e.text}`);
    expect(lines).toEqual([
      expect.stringMatching(/^warn .*NOTIFY SET failed: Unsupported NOTIFY events.*no pushes now/),
      expect.stringMatching(/^info work: reconnected to .*\(notify\)$/),
      expect.stringMatching(/^info work: NOTIFY re-armed, the server pushes changes again$/),
    ]);
  });
});
