/**
 * The beforeAll/afterAll pair of something a test file or describe block starts once (a
 * Dovecot, an SMTP sink): `start` in beforeAll, `stop` in afterAll. useDovecot and useSmtpSink
 * are built on it.
 *
 *   const sink = useStarted('the SMTP sink', () => startSmtpSink(), (s) => s.close());
 *   it('...', async () => { sink.refuseData = '554 no'; ... sink.port ... });
 *
 * What it returns stands for the started value: every read goes to it (methods bound to it,
 * as they may use its private state) and every write too (`sink.refuseRcpt = ...`). Touching
 * it before the beforeAll hook ran (at collection time) throws, saying so. Call it before the
 * block's own hooks: beforeAll hooks run in the order they were registered and afterAll hooks
 * in reverse (vitest's default `sequence.hooks: 'stack'`), so the block's own set-up finds it
 * started and its own clean-up runs before it is stopped.
 */
import { afterAll, beforeAll } from 'vitest';

export function useStarted<T extends object>(what: string, start: () => Promise<T>, stop: (started: T) => Promise<void>): T {
  let started: T | undefined;

  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    if (started) await stop(started);
  });

  const instance = (key: PropertyKey): T => {
    if (!started) throw new Error(`${what} is not started yet (reading ${String(key)}): use it inside a test or a hook`);
    return started;
  };
  return new Proxy({} as T, {
    get(_target, key) {
      // `then` and symbols are probed by await and by printers, which must not throw.
      if (!started && (key === 'then' || typeof key === 'symbol')) return undefined;
      const target = instance(key);
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set(_target, key, value) {
      return Reflect.set(instance(key), key, value);
    },
  });
}
