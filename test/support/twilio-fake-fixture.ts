/**
 * One fake Twilio API (twilio-fake.ts) per test file or describe block, with its hooks in one
 * place: started in beforeAll, closed in afterAll (useStarted), as useSmtpSink does for the
 * SMTP sink. Reads and writes go to the started fake (`fake.reply = ...`, `fake.requests`).
 *
 *   const fake = useTwilioFake({ reset: 'after-each' });
 *   it('...', async () => { ... { baseUrl: fake.baseUrl } ...; expect(fake.requests).toHaveLength(1); });
 */
import { afterEach } from 'vitest';
import { startTwilioFake, type TwilioFake } from './twilio-fake.js';
import { useStarted } from './use-started.js';

export interface TwilioFakeFixtureOptions {
  /** 'after-each': forget the requests and the overridden reply after every test (default: keep them). */
  reset?: 'after-each';
}

export function useTwilioFake(options: TwilioFakeFixtureOptions = {}): TwilioFake {
  const fake = useStarted('the fake Twilio', startTwilioFake, (f) => f.close());
  if (options.reset === 'after-each') {
    // Registered before the block's own afterEach hooks, so it runs after them.
    afterEach(() => {
      fake.requests.length = 0;
      fake.reply = undefined;
    });
  }
  return fake;
}
