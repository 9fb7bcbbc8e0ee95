/**
 * Runs async jobs one at a time, in order, and says when it has gone quiet. The watcher puts
 * every use of its single IMAP connection through one of these, so its own polls, fetchNew()
 * and the executor's withMailbox() never interleave on imapflow's one selected mailbox.
 */

export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private active = 0;

  /** `onIdle` runs (synchronously) each time the last job or hold finishes. */
  constructor(private readonly onIdle: () => void) {}

  /** True while a job is queued or running, or a hold() is open. */
  get busy(): boolean {
    return this.active > 0;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    this.active++;
    const result = this.tail.then(job);
    this.tail = result.then(
      () => this.release(),
      () => this.release(),
    );
    return result;
  }

  /** Keeps the queue "busy" without occupying it (e.g. while a caller iterates fetchNew()). Returns the release function. */
  hold(): () => void {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release();
    };
  }

  private release(): void {
    this.active--;
    if (this.active === 0) this.onIdle();
  }
}
