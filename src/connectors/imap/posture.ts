/**
 * The posture: what the watcher's connection does when nobody uses it, taken once the queue has
 * been quiet for `settleMs` after our own or the executor's commands.
 * - notify: nothing selected, because Dovecot 2.3 pushes nothing for the selected mailbox
 *   (measured); after the UNSELECT one STATUS catches what happened while it was selected.
 * - idle: the idle mailbox EXAMINEd (its state taken from the EXAMINE) and IDLE (RFC 2177).
 * - poll: nothing.
 * PostureScheduler decides when: after `settleMs` of quiet, once per burst of commands, never
 * while a job is queued or a fetchNew() is being iterated.
 */
import type { ImapFlow } from 'imapflow';
import { runCommand } from './imapflow-internals.js';
import type { SerialQueue } from './serial-queue.js';
import type { WatchMode } from './types.js';
import type { WatchedMailboxes } from './watched-mailboxes.js';

export interface PostureContext {
  mode: WatchMode | undefined;
  idleMailbox: string | undefined;
  mailboxes: WatchedMailboxes;
  /** A failing IDLE, which runs on after this returns. */
  onIdleError(err: unknown): void;
}

export async function takePosture(client: ImapFlow, { mode, idleMailbox, mailboxes, onIdleError }: PostureContext): Promise<void> {
  if (mode === 'notify') {
    const selected = client.mailbox;
    if (!selected) return;
    const path = selected.path;
    // UNSELECT (RFC 3691). Without it, only a read-only mailbox may be CLOSEd (CLOSE on a
    // read-write one would expunge \Deleted messages); else it stays selected until resync.
    if (client.capabilities.has('UNSELECT') || selected.readOnly) await runCommand(client, 'CLOSE', { unselect: true });
    if (mailboxes.matches(path)) await mailboxes.refreshOne(client, path, 'operation');
    return;
  }
  if (mode === 'idle' && idleMailbox) {
    const selected = client.mailbox;
    if (!selected || selected.path !== idleMailbox || !selected.readOnly) {
      const box = await client.mailboxOpen(idleMailbox, { readOnly: true });
      mailboxes.applyStatus(
        { mailbox: box.path, fields: { uidNext: box.uidNext, uidValidity: Number(box.uidValidity), messages: box.exists, ...(box.highestModseq !== undefined && { highestModseq: box.highestModseq }) } },
        'operation',
      );
    }
    if (!client.idling) client.idle().catch(onIdleError);
  }
}

export interface PostureHost {
  readonly queue: SerialQueue;
  readonly settleMs: number;
  /** The watcher's session counter now: a timer set for an ended session does nothing. */
  session(): number;
  watching(): boolean;
  /** Takes the posture for that session (a queued job). */
  take(session: number): Promise<void>;
  onError(err: unknown): void;
}

export class PostureScheduler {
  private timer: NodeJS.Timeout | undefined;
  /** A command ran since the posture was last taken. */
  private dirty = false;

  constructor(private readonly host: PostureHost) {}

  markDirty(): void {
    this.dirty = true;
  }

  /** The queue went quiet. */
  onQueueIdle(): void {
    if (this.dirty) this.schedule(this.host.settleMs);
  }

  schedule(delay: number): void {
    clearTimeout(this.timer);
    if (!this.host.watching()) return;
    const id = this.host.session();
    this.timer = setTimeout(() => {
      if (id !== this.host.session() || this.host.queue.busy || !this.dirty) return;
      this.dirty = false;
      this.host.queue.run(() => this.host.take(id)).catch((err) => this.host.onError(err));
    }, delay);
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}
