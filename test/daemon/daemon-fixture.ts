/**
 * The hooks a describe block of in-process daemon tests needs, in one place: one Dovecot with
 * alice's extra mailboxes created, an IMAP client for alice (Mailboxes), the test's daemon
 * stopped after each test, and the Dovecot, the client and every TestSetup removed after the
 * block. Register it at the top of the describe block; a test starts its daemon with
 * `env.daemon = await startDaemon(...)`.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Daemon } from '../../src/daemon/daemon.js';
import { startDovecot, type DovecotInstance } from '../support/dovecot.js';
import { Mailboxes, TestSetup } from './helpers.js';

export interface DaemonFixture {
  /** The Dovecot (after beforeAll). */
  readonly d: DovecotInstance;
  /** alice's mailboxes on it (after beforeAll). */
  readonly mail: Mailboxes;
  /** The daemon the running test started; stopped after each test. */
  daemon: Daemon | undefined;
  /** A config and state directory, removed after the block. */
  setup(label: string): TestSetup;
}

export function useDaemonFixture(options: { notify: boolean; name: string; mailboxes: string[]; extraConfig?: string }): DaemonFixture {
  let d: DovecotInstance | undefined;
  let mail: Mailboxes | undefined;
  const setups: TestSetup[] = [];
  const fixture: DaemonFixture = {
    get d() {
      return d!;
    },
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

  beforeAll(async () => {
    d = await startDovecot({ notify: options.notify, name: options.name, ...(options.extraConfig !== undefined && { extraConfig: options.extraConfig }) });
    for (const m of options.mailboxes) await d.createMailbox('alice', m);
    mail = new Mailboxes(d);
  });
  afterEach(async () => {
    await fixture.daemon?.stop();
    fixture.daemon = undefined;
  });
  afterAll(async () => {
    await mail?.close();
    await d?.dispose();
    for (const s of setups) s.dispose();
  });
  return fixture;
}
