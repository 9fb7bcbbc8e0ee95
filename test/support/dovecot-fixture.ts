/**
 * One throwaway Dovecot per test file or describe block, with its hooks in one place: started
 * in beforeAll (alice's extra mailboxes created), disposed in afterAll. Call it where the
 * block's hooks belong, before the block's own hooks: beforeAll hooks run in the order they
 * were registered and afterAll hooks in reverse, so the block's own set-up finds the Dovecot
 * running and its own clean-up (stop a daemon, close a client) runs before the Dovecot goes.
 *
 *   const src = useDovecot({ name: 'pop3-src' });
 *   it('...', async () => { await src.append('alice', 'INBOX', raw); });
 *
 * What it returns stands for the instance: every property and method is the started one's
 * (useStarted). Touching it before the beforeAll hook ran (at collection time) throws, saying so.
 */
import { startDovecot, type DovecotInstance, type DovecotOptions } from './dovecot.js';
import { useStarted } from './use-started.js';

export interface DovecotFixtureOptions extends DovecotOptions {
  /** alice's mailboxes to create (and subscribe) once the instance is up ('/' separated). */
  mailboxes?: readonly string[];
}

export function useDovecot(options: DovecotFixtureOptions = {}): DovecotInstance {
  const { mailboxes = [], ...dovecotOptions } = options;
  return useStarted(
    `the Dovecot${options.name ? ` "${options.name}"` : ''}`,
    async () => {
      const d = await startDovecot(dovecotOptions);
      try {
        for (const m of mailboxes) await d.createMailbox('alice', m);
      } catch (err) {
        await d.dispose();
        throw err;
      }
      return d;
    },
    (d) => d.dispose(),
  );
}
