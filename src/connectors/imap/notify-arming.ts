/**
 * notify mode (RFC 5465): arming NOTIFY at session setup (or falling back to idle/poll),
 * re-arming it on the keepalive, and what happens when the server refuses the re-arm.
 *
 * Dovecot 2.3.19 follows two transaction logs for NOTIFY (the mailbox list index's, and
 * INBOX's own index log); once it rotates one of them, the session can get no more pushes
 * for those mailboxes, and NOOP does not wake it (bench/README.md, "Findings"). Nothing on
 * the wire tells that this happened, so the keepalive sets NOTIFY up again and takes one
 * LIST-STATUS right after, as at session setup, so a change that fell into a silent stretch,
 * or between the commands, is seen too. It also proves the connection alive, which is all
 * the NOOP it replaces did.
 *
 * `NOTIFY NONE` first: a plain second `NOTIFY SET` on a session turns Dovecot 2.3.19's pushes
 * OFF (a third turns them on again, and so on: measured with a raw session), whereas
 * NONE then SET leaves them on every time (RFC 5465 §3 has SET replace the previous one).
 */
import type { ImapFlow } from 'imapflow';
import { normalizePath } from 'imapflow/lib/tools.js';
import type { MailsiftError } from '../../errors.js';
import { notifyNone, notifySet, type NotifyFilter } from './commands.js';
import { commandError, isConnectionLost, type ErrorPlace } from './errors.js';
import { chooseMode, notifyFilters } from './mode.js';
import type { WatchMode } from './types.js';
import type { BackgroundJob, WatcherEvents, WatcherOptions } from './watcher-options.js';

export interface NotifyArmingHost {
  readonly account: string;
  readonly specs: readonly string[];
  readonly options: Pick<WatcherOptions, 'rearmRetryMs' | 'pollIntervalMs' | 'keepaliveMs'>;
  /** The watcher's session counter and connection now: a retry timer outlives neither. */
  session(): number;
  client(): ImapFlow | undefined;
  readonly background: BackgroundJob;
  /** The LIST-STATUS that follows every re-arm, armed or not. */
  resync(client: ImapFlow): Promise<unknown>;
  recordError(err: unknown): MailsiftError;
  place(): ErrorPlace;
  emit(event: WatcherEvents['notify'][0]): void;
}

export class NotifyArming {
  /** The NOTIFY filter the server took at session setup (re-sent by rearm). */
  private filter: NotifyFilter | undefined;
  /** Why the last NOTIFY SET was refused (trySet). */
  private refusal: unknown;
  /** Re-arm retries since NOTIFY SET was last refused (0 = armed). Per session. */
  private failures = 0;
  /**
   * "Pushes stopped" was said and "back" not yet. Outlives the session: a reconnect whose new
   * session takes NOTIFY ends the outage too, and must say so (connected()).
   */
  private outageSaid = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly host: NotifyArmingHost) {}

  /**
   * Session setup: the mode to watch in, the best the server offers up to `requested`; notify
   * only if the server takes one of our NOTIFY SETs, else idle (or poll without IDLE).
   */
  async setUp(client: ImapFlow, requested: WatchMode | 'auto'): Promise<WatchMode> {
    this.filter = undefined;
    this.failures = 0;
    const mode = chooseMode(client.capabilities, requested);
    if (mode === 'notify' && !(await this.trySet(client))) return client.capabilities.has('IDLE') ? 'idle' : 'poll';
    return mode;
  }

  /**
   * The session is up in `mode` (after the watcher's 'connected'): if an earlier session said
   * pushes stopped, a new one in notify mode says they are back. One in idle or poll mode
   * ends that outage silently: its 'connected' names the mode it watches in.
   */
  connected(mode: WatchMode): void {
    if (mode === 'notify') this.saidBack();
    else this.outageSaid = false;
  }

  cancelRetry(): void {
    clearTimeout(this.retryTimer);
  }

  /**
   * NOTIFY SET with our filter, then with `personal` (a missing literal mailbox may be refused);
   * the one the session took first when re-arming. False if the server refuses them all.
   */
  async trySet(client: ImapFlow): Promise<boolean> {
    const filters = notifyFilters(this.host.specs, (s) => normalizePath(client, s));
    const current = this.filter;
    const ordered = current ? [current, ...filters.filter((f) => f.kind !== current.kind)] : filters;
    for (const filter of ordered) {
      try {
        await notifySet(client, filter);
        this.filter = filter;
        return true;
      } catch (err) {
        if (isConnectionLost(err) || !client.usable) throw err;
        this.refusal = err;
      }
    }
    return false;
  }

  /** The keepalive: NOTIFY NONE, NOTIFY SET again, one LIST-STATUS (see the file comment). */
  async rearm(client: ImapFlow): Promise<void> {
    if (!this.filter) return;
    clearTimeout(this.retryTimer);
    await notifyNone(client);
    if (await this.trySet(client)) this.armed();
    else this.refused(client);
    // Armed or not, one LIST-STATUS: what arrived while nothing was pushed is seen now.
    await this.host.resync(client);
  }

  private armed(): void {
    this.failures = 0;
    this.saidBack();
  }

  private saidBack(): void {
    if (!this.outageSaid) return;
    this.outageSaid = false;
    this.host.emit({ account: this.host.account, armed: true });
  }

  /**
   * NOTIFY NONE went through and NOTIFY SET was refused: the session gets no pushes now. Not
   * left until the next keepalive (2 min): retried soon, with backoff up to the poll interval,
   * each retry with its LIST-STATUS, as the idle and poll modes see changes. Said once.
   */
  private refused(client: ImapFlow): void {
    const { options } = this.host;
    const id = this.host.session();
    const base = options.rearmRetryMs ?? 5_000;
    const cap = Math.max(base, Math.min(options.pollIntervalMs ?? 60_000, options.keepaliveMs ?? 120_000));
    const delay = Math.min(cap, base * 2 ** Math.min(this.failures, 16));
    this.failures++;
    const error = this.host.recordError(commandError(this.refusal, this.host.place(), 'NOTIFY SET'));
    if (this.failures === 1) {
      this.outageSaid = true;
      this.host.emit({ account: this.host.account, armed: false, error, retryInMs: delay });
    }
    this.retryTimer = setTimeout(() => id === this.host.session() && client === this.host.client() && this.host.background((c) => this.rearm(c)), delay);
    this.retryTimer.unref();
  }
}
