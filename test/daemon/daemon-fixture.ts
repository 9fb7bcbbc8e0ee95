/**
 * The hooks a describe block of in-process daemon tests needs, in one place: one Dovecot with
 * alice's extra mailboxes created (useDovecot), an IMAP client for alice (Mailboxes), the
 * test's daemon stopped after each test (or, with `stopDaemon: 'after-all'`, once after the
 * block, for a daemon the block starts in its own beforeAll), and the Dovecot, the client and
 * every TestSetup removed after the block. Register it at the top of the describe block; a
 * test starts its daemon with `env.daemon = await startDaemon(...)`.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Daemon } from '../../src/daemon/daemon.js';
import type { DovecotInstance } from '../support/dovecot.js';
import { useDovecot, type DovecotFixtureOptions } from '../support/dovecot-fixture.js';
import { Mailboxes, TestSetup } from './helpers.js';

export interface DaemonFixture {
  /** The Dovecot (after beforeAll). */
  readonly d: DovecotInstance;
  /** alice's mailboxes on it (after beforeAll). */
  readonly mail: Mailboxes;
  /** The daemon the running test (or the block's beforeAll) started; stopped as `stopDaemon` says. */
  daemon: Daemon | undefined;
  /** A config and state directory, removed after the block. */
  setup(label: string): TestSetup;
}

export interface DaemonFixtureOptions extends DovecotFixtureOptions {
  mailboxes: string[];
  /** 'after-each' (default): every test starts its own daemon. 'after-all': one for the block. */
  stopDaemon?: 'after-each' | 'after-all';
}

export function useDaemonFixture(options: DaemonFixtureOptions): DaemonFixture {
  const d = useDovecot(options);
  let mail: Mailboxes | undefined;
  const setups: TestSetup[] = [];
  const fixture: DaemonFixture = {
    d,
    get mail() {
      return mail!;
    },
    daemon: undefined,
    setup(label) {
      const s = new TestSetup(label);
      setups.push(s);
      return s;
    },
  };
  const stopDaemon = async () => {
    await fixture.daemon?.stop();
    fixture.daemon = undefined;
  };

  beforeAll(() => {
    mail = new Mailboxes(d);
  });
  if (options.stopDaemon !== 'after-all') afterEach(stopDaemon);
  // Registered after useDovecot's, so it runs before the Dovecot is disposed.
  afterAll(async () => {
    await stopDaemon();
    await mail?.close();
    for (const s of setups) s.dispose();
  });
  return fixture;
}
