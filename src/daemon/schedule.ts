/**
 * `[[sweep]]` entries on their cron schedules (croner, local time). A sweep still running when
 * its next time comes is not started twice (`protect`); a failing sweep logs one line and
 * waits for its next time.
 */
import { Cron } from 'croner';
import type { SweepConfig } from '../config/types.js';
import type { DaemonLogger } from './log.js';

export class SweepScheduler {
  private jobs: Cron[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly logger: DaemonLogger,
    private readonly run: (entry: SweepConfig, index: number) => Promise<void>,
  ) {}

  /** Replace every scheduled sweep by these. */
  schedule(entries: readonly SweepConfig[]): void {
    this.cancel();
    entries.forEach((entry, index) => {
      try {
        const job = new Cron(entry.schedule, { protect: true, name: `sweep[${index}]` }, () => this.fire(entry, index));
        this.jobs.push(job);
      } catch (err) {
        // The config check validates patterns already; this is a second line of defence.
        this.logger.event('error', `sweep[${index}] (${entry.account} ${entry.mailbox}): invalid schedule ${JSON.stringify(entry.schedule)}: ${(err as Error).message}`, { account: entry.account, mailbox: entry.mailbox });
      }
    });
  }

  /** How many sweeps are scheduled (for the startup line). */
  get size(): number {
    return this.jobs.length;
  }

  cancel(): void {
    for (const j of this.jobs) j.stop();
    this.jobs = [];
  }

  /** Resolves when no sweep is running. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all(this.running);
  }

  private fire(entry: SweepConfig, index: number): Promise<void> {
    const p = this.run(entry, index)
      .catch((err: unknown) => {
        const code = (err as { code?: string }).code;
        this.logger.event('error', `sweep[${index}] (${entry.account} ${entry.mailbox}): ${(err as Error).message}`, { account: entry.account, mailbox: entry.mailbox, ...(code && { code }) });
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
    return p;
  }
}
