/**
 * The daemon as the conformance suite drives it for IMAP, POP3 and SMTP intake: a
 * configuration file read by the real loader, `startDaemon`, a stop and a start again on the
 * same state directory, and waits on the messages it logs.
 */
import { chmodSync } from 'node:fs';
import { startDaemon, type Daemon } from '../../../../src/daemon/daemon.js';
import { MemoryLogger } from '../../../../src/daemon/log.js';
import type { Config } from '../../../../src/config/types.js';
import { openState } from '../../../../src/state/db.js';
import { TestSetup, waitFor, type AccountSpec, type WatchSpec } from '../../../daemon/helpers.js';
import type { SourceEnv } from '../suite.js';

export class DaemonRun {
  readonly setup: TestSetup;
  logger = new MemoryLogger();
  private daemon: Daemon | undefined;
  private config: Config | undefined;

  constructor(
    label: string,
    private readonly env: SourceEnv,
  ) {
    this.setup = new TestSetup(`conformance-${label}`);
  }

  /** A password file only its owner can read (the loader warns otherwise). */
  secret(name: string, text: string): string {
    const file = this.setup.file(name, `${text}\n`);
    chmodSync(file, 0o600);
    return file;
  }

  /** Writes the configuration (with the suite's SMTP server as [outgoing]) and starts the daemon. */
  async start(spec: { accounts: AccountSpec[]; watches: WatchSpec[]; extra?: string }): Promise<void> {
    const outgoing = `[outgoing]\nhost = "127.0.0.1"\nport = ${this.env.outgoingPort}\ntls = "none"\nfrom = "alice@example.test"\n`;
    this.config = await this.setup.write({ ...spec, extra: `${spec.extra ?? ''}\n${outgoing}` });
    await this.boot();
  }

  private async boot(): Promise<void> {
    this.logger = new MemoryLogger();
    this.daemon = await startDaemon(this.config!, { logger: this.logger, backoff: { baseMs: 100, maxMs: 400 } });
  }

  async stop(): Promise<void> {
    const d = this.daemon;
    this.daemon = undefined;
    await d?.stop();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.boot();
  }

  /** Until the daemon logged each subject (since its last start) with a status; returns the entries. */
  async handled(subjects: readonly string[], what = 'messages handled', timeoutMs = 30_000): Promise<void> {
    await waitFor(`${what}: ${subjects.join(', ')}`, () => subjects.every((s) => this.logger.messages.some((m) => m.subject === s)), timeoutMs, 50);
  }

  /** Subjects of the processed log, one row per message processed, read as `mailsift status` does. */
  processed(account: string): string[] {
    const state = openState(this.setup.stateDir, { readonly: true });
    try {
      return state.events.recent({ account, limit: 10_000 }).map((e) => e.subject ?? '');
    } finally {
      state.close();
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.setup.dispose();
  }
}
