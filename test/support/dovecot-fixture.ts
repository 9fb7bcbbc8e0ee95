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
 * What it returns stands for the instance: every property and method is the started one's.
 * Touching it before the beforeAll hook ran (at collection time) throws, saying so.
 */
import { afterAll, beforeAll } from 'vitest';
import { startDovecot, type DovecotInstance, type DovecotOptions } from './dovecot.js';

export interface DovecotFixtureOptions extends DovecotOptions {
  /** alice's mailboxes to create (and subscribe) once the instance is up ('/' separated). */
  mailboxes?: readonly string[];
}

export function useDovecot(options: DovecotFixtureOptions = {}): DovecotInstance {
  const { mailboxes = [], ...dovecotOptions } = options;
  let started: DovecotInstance | undefined;

  beforeAll(async () => {
    started = await startDovecot(dovecotOptions);
    for (const m of mailboxes) await started.createMailbox('alice', m);
  });
  afterAll(async () => {
    await started?.dispose();
  });

  // A stand-in whose every read goes to the started instance, so tests use it as they would
  // the instance itself; methods are bound to the instance (they use its private state).
  return new Proxy({} as DovecotInstance, {
    get(_target, key) {
      if (!started) {
        // `then` and symbols are probed by await and by printers, which must not throw.
        if (key === 'then' || typeof key === 'symbol') return undefined;
        throw new Error(`the Dovecot${options.name ? ` "${options.name}"` : ''} is not started yet: use it inside a test or a hook`);
      }
      const value: unknown = Reflect.get(started, key, started);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(started) : value;
    },
  });
}
