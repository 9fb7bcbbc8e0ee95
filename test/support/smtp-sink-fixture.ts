/**
 * One SMTP sink (smtp-sink.ts) per test file or describe block, with its hooks in one place:
 * started in beforeAll, closed in afterAll (useStarted). Call it before the hooks of whatever
 * sends to it (a daemon, an intake), so that the sink closes only after they have stopped.
 *
 *   const sink = useSmtpSink({ auth: { user: 'me', pass: 'pw' }, reset: 'after-each' });
 *   it('...', async () => { sink.refuseRcpt = (to) => '550 no such user'; ... sink.port ... });
 *
 * What it returns stands for the started sink: reads and writes go to it, so a test sets
 * `sink.refuseRcpt` and `sink.refuseData` and reads `sink.messages` as on the sink itself.
 */
import { afterEach } from 'vitest';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
import { useStarted } from './use-started.js';

export interface SmtpSinkFixtureOptions {
  /** AUTH the sink requires (default: none offered). */
  auth?: { user: string; pass: string };
  /** 'after-each': forget the messages and the refusals after every test (default: keep them). */
  reset?: 'after-each';
}

export function useSmtpSink(options: SmtpSinkFixtureOptions = {}): SmtpSink {
  const sink = useStarted('the SMTP sink', () => startSmtpSink(options.auth ? { auth: options.auth } : {}), (s) => s.close());
  if (options.reset === 'after-each') {
    // Registered before the block's own afterEach hooks, so it runs after them (after a daemon
    // or an intake that may still send has been closed).
    afterEach(() => {
      sink.messages.length = 0;
      sink.refuseRcpt = undefined;
      sink.refuseData = undefined;
    });
  }
  return sink;
}
