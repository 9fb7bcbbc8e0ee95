/**
 * MailboxWatcher: ONE IMAP connection per account that reports changes in many mailboxes
 * (names or LIST patterns such as `Lists/*`) and carries the commands that act on them.
 *
 * Modes, best first (WatchMode):
 * - notify (RFC 5465): `NOTIFY SET (personal|mailboxes ... (MessageNew MessageExpunge))`.
 *   The server pushes `* STATUS` for any changed mailbox; nothing stays selected, because
 *   Dovecot 2.3 pushes nothing for the selected mailbox (measured). After our own commands the
 *   mailbox is UNSELECTed and one STATUS catches what happened while it was selected.
 * - idle (RFC 2177): EXAMINE the idle mailbox (INBOX by default) and IDLE on it; EXISTS/EXPUNGE
 *   and a timer trigger one `LIST "" (patterns) RETURN (STATUS (...))` (RFC 5819) for all.
 * - poll: the same LIST-STATUS on a timer only.
 *
 * Every use of the connection goes through one SerialQueue; when it goes quiet the watcher
 * returns to its "posture" (unselected / IDLE). See README.md for what callers must know.
 * This file holds the public API and the session's life (connect, set up, reconnect); the
 * mailbox states, NOTIFY arming, timers, posture and reconnect wait are in their own files.
 */
import { EventEmitter } from 'node:events';
import type { ImapFlow } from 'imapflow';
import { normalizePath } from 'imapflow/lib/tools.js';
import { MailsiftError } from '../../errors.js';
import { Backoff } from './backoff.js';
import { installCommands, statusAnswer } from './commands.js';
import { connectImap } from './connect.js';
import { commandError, connectError, isConnectionLost, watcherError, where } from './errors.js';
import { fetchNew, type FetchNewOptions } from './fetch-new.js';
import { checkInternals, setUntaggedHandler } from './imapflow-internals.js';
import { patternMatcher } from './mailbox-state.js';
import { NotifyArming } from './notify-arming.js';
import { PostureScheduler, takePosture } from './posture.js';
import { ReconnectWait } from './reconnect-wait.js';
import { SerialQueue } from './serial-queue.js';
import { startSessionTimers } from './session-timers.js';
import type { FetchedMessage, ImapAccountConfig, MailboxState, WatchMode, WatcherStatus } from './types.js';
import { WatchedMailboxes } from './watched-mailboxes.js';
import type { WatcherEvents, WatcherOptions } from './watcher-options.js';

type Phase = WatcherStatus['phase'];

export type { FetchNewOptions, WatcherEvents, WatcherOptions };

export class MailboxWatcher extends EventEmitter<WatcherEvents> {
  private readonly specs: string[];
  private readonly queue = new SerialQueue(() => this.posture.onQueueIdle());
  private readonly posture: PostureScheduler;
  private readonly reconnectWait: ReconnectWait;
  private readonly mailboxes: WatchedMailboxes;
  private readonly notify: NotifyArming;
  private client: ImapFlow | undefined;
  private session = 0;
  private phase: Phase = 'stopped';
  private mode: WatchMode | undefined;
  private idleMailbox: string | undefined;
  private timers: NodeJS.Timeout[] = [];
  private refreshQueued = false;
  private lastError: WatcherStatus['lastError'];
  private connectedAt: Date | undefined;
  private reconnects = 0;
  private commandsCompleted = 0;
  private closeError: unknown;

  constructor(
    private readonly account: ImapAccountConfig,
    private readonly options: WatcherOptions,
  ) {
    super();
    if (!options.mailboxes.length) throw new RangeError('MailboxWatcher: options.mailboxes is empty');
    this.specs = [...options.mailboxes];
    const backoff = new Backoff({ baseMs: 1000, maxMs: 300_000, ...options.backoff });
    this.reconnectWait = new ReconnectWait(backoff, (event) => this.emit('disconnected', { account: account.name, ...event }));
    const background = (job: (client: ImapFlow) => Promise<unknown>) => this.background(job);
    this.mailboxes = new WatchedMailboxes({ account: account.name, specs: this.specs, background, onChange: (change) => this.emit('change', change) });
    this.notify = new NotifyArming({
      account: account.name,
      specs: this.specs,
      options,
      session: () => this.session,
      client: () => this.client,
      background,
      resync: (client) => this.mailboxes.refreshAll(client, 'resync'),
      recordError: (err) => this.recordError(err),
      place: () => this.place(),
      emit: (event) => this.emit('notify', event),
    });
    this.posture = new PostureScheduler({
      queue: this.queue,
      settleMs: options.settleMs ?? 100,
      session: () => this.session,
      watching: () => this.phase === 'watching',
      take: (id) => this.takePosture(id),
      onError: (err) => this.onBackgroundError(err),
    });
  }

  // ---- lifecycle ------------------------------------------------------------------------

  /** Connects and takes the first look (one 'change' per watched mailbox, source 'initial'). Rejects with a MailsiftError. */
  async start(): Promise<void> {
    if (this.phase !== 'stopped') throw new Error(`MailboxWatcher(${this.account.name}) already started`);
    this.phase = 'connecting';
    for (;;) {
      if (this.stopped()) throw new MailsiftError('IMAP_CONNECTION_LOST', `${where(this.place())}: stopped while connecting`);
      try {
        await this.openSession(false);
        return;
      } catch (err) {
        const error = this.recordError(err);
        const fatal = error.code === 'IMAP_AUTH_FAILED' || error.code === 'IMAP_INSECURE_REFUSED';
        if (this.stopped() || !this.options.retryFirstConnect || fatal) {
          this.phase = 'stopped';
          throw error;
        }
        await this.reconnectWait.wait(error);
      }
    }
  }

  /** Logs out (at most 2 s) and stops reconnecting. */
  async stop(): Promise<void> {
    this.phase = 'stopped';
    this.session++;
    this.clearTimers();
    this.reconnectWait.wake();
    const client = this.client;
    this.client = undefined;
    if (client) {
      await Promise.race([client.logout().catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
      client.close();
    }
  }

  status(): WatcherStatus {
    const s: WatcherStatus = {
      account: this.account.name,
      phase: this.phase,
      watching: [...this.specs],
      reconnects: this.reconnects,
      idling: !!this.client?.idling,
      commandsCompleted: this.commandsCompleted,
      mailboxes: this.mailboxes.all(),
    };
    if (this.mode) s.mode = this.mode;
    if (this.client?.mailbox) s.selectedMailbox = this.client.mailbox.path;
    if (this.mailboxes.lastEventAt) s.lastEventAt = this.mailboxes.lastEventAt;
    if (this.mailboxes.lastChangeAt) s.lastChangeAt = this.mailboxes.lastChangeAt;
    if (this.connectedAt) s.connectedAt = this.connectedAt;
    if (this.lastError) s.lastError = { ...this.lastError };
    return s;
  }

  /** The phase and mode alone: status() copies every mailbox's state, too much for a per-message check. */
  get current(): { phase: Phase; mode: WatchMode | undefined } {
    return { phase: this.phase, mode: this.mode };
  }

  /** Last known state of one watched mailbox. */
  state(mailbox: string): MailboxState | undefined {
    return this.mailboxes.get(this.client ? normalizePath(this.client, mailbox) : mailbox);
  }

  // ---- commands for the daemon and the executor -------------------------------------------

  /**
   * Messages with UID > sinceUid, oldest first, without setting \Seen. Fetched in batches, each
   * batch one queued job, so the caller may use withMailbox() between items.
   */
  async *fetchNew(mailbox: string, sinceUid: number, options: FetchNewOptions): AsyncGenerator<FetchedMessage> {
    const release = this.queue.hold();
    // Already selected read-only (idle mode's EXAMINE of its IDLE mailbox): fetch on that
    // selection with no command to switch; an action SELECTs then, as it would anyway.
    const selected = this.client?.mailbox;
    const onExamined = !!selected && selected.readOnly && !!this.client && selected.path === normalizePath(this.client, mailbox);
    try {
      const host = { withMailbox: this.withMailbox.bind(this), knownUidNext: (m: string) => this.state(m)?.uidNext, where: where(this.place()) };
      yield* fetchNew(host, mailbox, sinceUid, { ...options, readWrite: !!options.readWrite && !onExamined });
    } finally {
      release();
    }
  }

  /**
   * Runs `fn` with `mailbox` selected (SELECT, or EXAMINE with readOnly) and nothing else on
   * the connection. For the executor: client.messageMove/messageCopy/messageFlagsAdd/fetch/
   * search inside fn. Errors from selecting are MailsiftErrors; errors from fn pass unchanged.
   */
  async withMailbox<T>(mailbox: string, fn: (client: ImapFlow) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    return this.withClient(async (client) => {
      let lock;
      try {
        lock = await client.getMailboxLock(mailbox, { readOnly: !!options.readOnly });
      } catch (err) {
        throw commandError(err, this.place(), options.readOnly ? 'EXAMINE' : 'SELECT', mailbox);
      }
      try {
        return await fn(client);
      } finally {
        lock.release();
      }
    });
  }

  /** Runs `fn` with the connection to itself and no mailbox guaranteed (append, mailboxCreate, list). */
  async withClient<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    this.posture.markDirty();
    return this.queue.run(async () => {
      const client = this.client;
      if (!client || this.phase !== 'watching') {
        throw new MailsiftError('IMAP_CONNECTION_LOST', `${where(this.place())}: not connected (${this.phase})`, { cause: this.closeError });
      }
      return fn(client);
    });
  }

  // ---- session setup ----------------------------------------------------------------------

  private async openSession(reconnect: boolean): Promise<void> {
    const maxIdle = this.options.maxIdleTimeMs ?? 1_500_000;
    const connect = this.options.connect ?? {};
    const client = await connectImap(this.account, { ...connect, clientOptions: { ...connect.clientOptions, disableAutoIdle: true, maxIdleTime: maxIdle } });
    if (this.stopped()) {
      client.close();
      throw new MailsiftError('IMAP_CONNECTION_LOST', `${where(this.place())}: stopped while connecting`);
    }
    const id = ++this.session;
    try {
      checkInternals(client);
      installCommands(client);
      this.commandsCompleted = 0;
      client.on('response', () => id === this.session && this.commandsCompleted++);
      client.on('error', (err) => {
        if (id === this.session) this.closeError = err;
      });
      client.on('close', () => this.onClose(id));
      client.on('exists', () => this.onMailboxEvent(id));
      client.on('expunge', () => this.onMailboxEvent(id));
      setUntaggedHandler(client, 'STATUS', (untagged) => {
        const answer = statusAnswer(client, untagged);
        if (answer && id === this.session) this.mailboxes.applyStatus(answer, 'notify');
      });
      const delimiter = client.namespace?.delimiter || '/';
      this.mailboxes.matches = patternMatcher(this.specs, delimiter);
      const mode = await this.notify.setUp(client, this.options.mode ?? 'auto');
      this.mode = mode;
      // Baseline after NOTIFY SET, so no change can fall between the two.
      const resolved = await this.mailboxes.refreshAll(client, reconnect ? 'reconnect' : 'initial');
      this.idleMailbox = this.pickIdleMailbox(client, resolved);
      this.client = client;
      this.phase = 'watching';
      this.connectedAt = new Date();
      if (reconnect) this.reconnects++;
      this.reconnectWait.reset();
      this.startTimers(id, mode);
      this.emit('connected', { account: this.account.name, mode, reconnect });
      // After 'connected', so that "pushes are back" follows the daemon's "reconnected" line.
      this.notify.connected(mode);
      this.posture.markDirty();
      this.posture.schedule(0);
    } catch (err) {
      this.session++;
      client.close();
      throw err instanceof MailsiftError ? err : isConnectionLost(err) ? connectError(err, { ...this.place(), user: this.account.user }) : commandError(err, this.place(), 'session setup');
    }
  }

  private pickIdleMailbox(client: ImapFlow, resolved: string[]): string | undefined {
    if (this.options.idleMailbox) return normalizePath(client, this.options.idleMailbox);
    return resolved.includes('INBOX') ? 'INBOX' : resolved[0];
  }

  private startTimers(id: number, mode: WatchMode): void {
    this.clearTimers();
    this.timers = startSessionTimers(mode, this.options, {
      run: (job) => id === this.session && this.background(job),
      rearmNotify: (c) => this.notify.rearm(c),
      refreshAll: (c, source) => this.mailboxes.refreshAll(c, source),
    });
  }

  /** notify mode: what the keepalive does, now (NOTIFY NONE, NOTIFY SET, one LIST-STATUS). */
  async rearmNotify(): Promise<void> {
    await this.withClient((c) => this.notify.rearm(c));
  }

  private clearTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.posture.cancel();
    this.notify.cancelRetry();
  }

  // ---- events from the connection -------------------------------------------------------------

  /** EXISTS/EXPUNGE (IDLE, or during our own commands): one coalesced LIST-STATUS. In notify mode the post-command STATUS covers it. */
  private onMailboxEvent(id: number): void {
    if (id !== this.session || this.mode === 'notify' || this.refreshQueued) return;
    this.mailboxes.lastEventAt = new Date();
    this.refreshQueued = true;
    this.background((c) => {
      this.refreshQueued = false;
      return this.mailboxes.refreshAll(c, 'idle');
    });
  }

  private onClose(id: number): void {
    if (id !== this.session || this.phase !== 'watching') return;
    this.session++;
    this.client = undefined;
    this.clearTimers();
    this.phase = 'reconnecting';
    const error = this.recordError(
      this.closeError ?? new MailsiftError('IMAP_CONNECTION_LOST', `${where(this.place())}: connection closed by the server`),
      'IMAP_CONNECTION_LOST',
    );
    this.closeError = undefined;
    void this.reconnectLoop(error);
  }

  private async reconnectLoop(error: MailsiftError): Promise<void> {
    while (this.phase === 'reconnecting') {
      await this.reconnectWait.wait(error);
      if (this.phase !== 'reconnecting') return;
      try {
        await this.openSession(true);
        return;
      } catch (err) {
        error = this.recordError(err);
      }
    }
  }

  // ---- posture (posture.ts) and background jobs -------------------------------------------

  private async takePosture(id: number): Promise<void> {
    const client = this.client;
    if (!client || id !== this.session) return;
    await takePosture(client, { mode: this.mode, idleMailbox: this.idleMailbox, mailboxes: this.mailboxes, onIdleError: (err) => this.onBackgroundError(err) });
  }

  /** Queued job whose failure is recorded, not thrown; a lost connection is left to onClose. */
  private background(job: (client: ImapFlow) => Promise<unknown>): void {
    this.withClient(job).catch((err) => this.onBackgroundError(err));
  }

  private onBackgroundError(err: unknown): void {
    if (this.phase !== 'watching') return;
    const error = this.recordError(err);
    if (error.code === 'IMAP_CONNECTION_LOST') this.client?.close();
  }

  private recordError(err: unknown, fallback?: 'IMAP_COMMAND_FAILED' | 'IMAP_CONNECTION_LOST'): MailsiftError {
    const error = watcherError(err, this.place(), fallback);
    this.lastError = { code: error.code, message: error.message, at: new Date() };
    return error;
  }

  /** A method, so TypeScript does not narrow `phase` across awaits. */
  private stopped(): boolean {
    return this.phase === 'stopped';
  }

  private place() {
    return { account: this.account.name, host: this.account.host, port: this.account.port };
  }
}
