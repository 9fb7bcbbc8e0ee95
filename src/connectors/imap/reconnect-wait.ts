/**
 * The wait between two connection attempts of a watcher: the next delay of its Backoff
 * (full jitter, 1 s → 5 min by default), announced first as a 'disconnected' event. stop()
 * cuts it short with wake().
 */
import type { MailsiftError } from '../../errors.js';
import type { Backoff } from './backoff.js';
import { wakeableSleep } from './wakeable-sleep.js';

export interface Disconnected {
  error: MailsiftError;
  retryInMs: number;
  attempt: number;
}

export class ReconnectWait {
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly backoff: Backoff,
    private readonly announce: (event: Disconnected) => void,
  ) {}

  /** Announces and waits out the next delay. */
  async wait(error: MailsiftError): Promise<void> {
    const attempt = this.backoff.attempt;
    const delay = this.backoff.next();
    this.announce({ error, retryInMs: delay, attempt });
    const sleep = wakeableSleep(delay);
    this.wakeUp = sleep.wake;
    await sleep.done;
    this.wakeUp = undefined;
  }

  /** Ends a wait now (stop()). */
  wake(): void {
    this.wakeUp?.();
  }

  /** A session came up: the next wait starts from the base delay again. */
  reset(): void {
    this.backoff.reset();
  }
}
