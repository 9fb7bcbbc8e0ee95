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
 */
import { EventEmitter } from 'node:events';
import type { ImapFlow } from 'imapflow';
import { normalizePath } from 'imapflow/lib/tools.js';
import { MailsiftError } from '../../errors.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { installCommands, listStatus, notifyNone, notifySet, statusAnswer, statusOf, type NotifyFilter, type StatusAnswer } from './commands.js';
import { connectImap, type ConnectOptions } from './connect.js';
import { commandError, connectError, isConnectionLost, where } from './errors.js';
import { fetchNew, type FetchNewOptions } from './fetch-new.js';
import { checkInternals, runCommand, setUntaggedHandler } from './imapflow-internals.js';
import { mergeStatus, patternMatcher, sameState } from './mailbox-state.js';
import { chooseMode, notifyFilters } from './mode.js';
import { SerialQueue } from './serial-queue.js';
import type { ChangeSource, FetchedMessage, ImapAccountConfig, MailboxChange, MailboxState, WatchMode, WatcherStatus } from './types.js';

export interface WatcherOptions {
  /** Mailbox names or LIST patterns (`*` any depth, `%` one level), e.g. ['INBOX', 'Lists/*']. */
  mailboxes: string[];
  /** Highest mode to use; the best one the server supports at or below it. Default 'auto' (= notify). */
  mode?: WatchMode | 'auto';
  /** idle/poll modes: period of the LIST-STATUS poll. Default 60 000 ms. */
  pollIntervalMs?: number;
  /** notify mode: period of a safety-net LIST-STATUS. Default 900 000 ms. */
  resyncIntervalMs?: number;
  /**
   * notify mode: keepalive period. Each tick re-arms NOTIFY (`NOTIFY SET` again, then one
   * LIST-STATUS for what changed meanwhile): Dovecot 2.3 stops pushing for the mailboxes of an
   * index log it rotated, so this bounds how late such a change is seen. Default 120 000 ms.
   */
  keepaliveMs?: number;
  /** notify mode: false sends a plain NOOP on the keepalive instead of re-arming NOTIFY. Default true. */
  rearmNotify?: boolean;
  /**
   * notify mode: when the server refuses the keepalive's `NOTIFY SET` (after its `NOTIFY NONE`,
   * so nothing is pushed any more), the first retry comes after this long, then twice as long
   * each time up to the poll interval; each retry also takes one LIST-STATUS, so meanwhile the
   * watcher polls. Default 5 000 ms.
   */
  rearmRetryMs?: number;
  /** idle mode: the mailbox to IDLE on. Default INBOX if watched, else the first watched one. */
  idleMailbox?: string;
  /** Quiet time after the last command before going back to IDLE/unselected. Default 100 ms. */
  settleMs?: number;
  /** IDLE is restarted after this long (RFC 2177: at most 29 min). Default 1 500 000 ms. */
  maxIdleTimeMs?: number;
  /** Reconnect delays. Default base 1 s, cap 5 min, full jitter. */
  backoff?: BackoffOptions;
  /** start() keeps retrying (except IMAP_AUTH_FAILED / IMAP_INSECURE_REFUSED) instead of rejecting. Default false. */
  retryFirstConnect?: boolean;
  connect?: ConnectOptions;
}

export interface WatcherEvents {
  change: [MailboxChange];
  connected: [{ account: string; mode: WatchMode; reconnect: boolean }];
  disconnected: [{ account: string; error: MailsiftError; retryInMs: number; attempt: number }];
  /** notify mode: pushes stopped (the server refused NOTIFY SET on the keepalive; polling until a retry is taken) or came back. Once per transition. */
  notify: [{ account: string; armed: boolean; error?: MailsiftError; retryInMs?: number }];
}

type Phase = WatcherStatus['phase'];

export type { FetchNewOptions };

export class MailboxWatcher extends EventEmitter<WatcherEvents> {
  private readonly specs: string[];
  private readonly backoff: Backoff;
  private readonly queue = new SerialQueue(() => this.onQueueIdle());
  private client: ImapFlow | undefined;
  private session = 0;
  private phase: Phase = 'stopped';
  private mode: WatchMode | undefined;
  /** The NOTIFY filter the server took at session setup (re-sent by rearmNotify). */
  private notifyFilter: NotifyFilter | undefined;
  /** Why the last NOTIFY SET was refused (trySetNotify). */
  private notifyRefusal: unknown;
  /** notify mode: re-arm retries since NOTIFY SET was last refused (0 = armed). */
  private rearmFailures = 0;
  private rearmTimer: NodeJS.Timeout | undefined;
  private matches: (path: string) => boolean = () => false;
  private idleMailbox: string | undefined;
  private readonly states = new Map<string, MailboxState>();
  private timers: NodeJS.Timeout[] = [];
  private postureTimer: NodeJS.Timeout | undefined;
  private postureDirty = false;
  private refreshQueued = false;
  private readonly incomplete = new Set<string>();
  private wakeSleep: (() => void) | undefined;
  private lastError: WatcherStatus['lastError'];
  private lastEventAt: Date | undefined;
  private lastChangeAt: Date | undefined;
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
    this.backoff = new Backoff({ baseMs: 1000, maxMs: 300_000, ...options.backoff });
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
        await this.pause(error);
      }
    }
  }

  /** Logs out (at most 2 s) and stops reconnecting. */
  async stop(): Promise<void> {
    this.phase = 'stopped';
    this.session++;
    this.clearTimers();
    this.wakeSleep?.();
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
      mailboxes: [...this.states.values()].map((m) => ({ ...m })),
    };
    if (this.mode) s.mode = this.mode;
    if (this.client?.mailbox) s.selectedMailbox = this.client.mailbox.path;
    if (this.lastEventAt) s.lastEventAt = this.lastEventAt;
    if (this.lastChangeAt) s.lastChangeAt = this.lastChangeAt;
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
    const s = this.states.get(this.client ? normalizePath(this.client, mailbox) : mailbox);
    return s && { ...s };
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
    this.postureDirty = true;
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
        if (answer && id === this.session) this.applyStatus(answer, 'notify');
      });
      const delimiter = client.namespace?.delimiter || '/';
      this.matches = patternMatcher(this.specs, delimiter);
      this.notifyFilter = undefined;
      this.rearmFailures = 0;
      let mode = chooseMode(client.capabilities, this.options.mode ?? 'auto');
      if (mode === 'notify' && !(await this.trySetNotify(client))) mode = client.capabilities.has('IDLE') ? 'idle' : 'poll';
      this.mode = mode;
      // Baseline after NOTIFY SET, so no change can fall between the two.
      const resolved = await this.refreshAll(client, reconnect ? 'reconnect' : 'initial');
      this.idleMailbox = this.pickIdleMailbox(client, resolved);
      this.client = client;
      this.phase = 'watching';
      this.connectedAt = new Date();
      if (reconnect) this.reconnects++;
      this.backoff.reset();
      this.startTimers(id, mode);
      this.emit('connected', { account: this.account.name, mode, reconnect });
      this.postureDirty = true;
      this.schedulePosture(0);
    } catch (err) {
      this.session++;
      client.close();
      throw err instanceof MailsiftError ? err : isConnectionLost(err) ? connectError(err, { ...this.place(), user: this.account.user }) : commandError(err, this.place(), 'session setup');
    }
  }

  /**
   * NOTIFY SET with our filter, then with `personal` (a missing literal mailbox may be refused);
   * the one the session took first when re-arming. False if the server refuses them all.
   */
  private async trySetNotify(client: ImapFlow): Promise<boolean> {
    const filters = notifyFilters(this.specs, (s) => normalizePath(client, s));
    const current = this.notifyFilter;
    const ordered = current ? [current, ...filters.filter((f) => f.kind !== current.kind)] : filters;
    for (const filter of ordered) {
      try {
        await notifySet(client, filter);
        this.notifyFilter = filter;
        return true;
      } catch (err) {
        if (isConnectionLost(err) || !client.usable) throw err;
        this.notifyRefusal = err;
      }
    }
    return false;
  }

  private pickIdleMailbox(client: ImapFlow, resolved: string[]): string | undefined {
    if (this.options.idleMailbox) return normalizePath(client, this.options.idleMailbox);
    return resolved.includes('INBOX') ? 'INBOX' : resolved[0];
  }

  private startTimers(id: number, mode: WatchMode): void {
    this.clearTimers();
    const every = (ms: number, job: (client: ImapFlow) => Promise<unknown>) => {
      const t = setInterval(() => id === this.session && this.background(job), ms);
      t.unref();
      this.timers.push(t);
    };
    if (mode === 'notify') {
      every(this.options.keepaliveMs ?? 120_000, (c) => (this.options.rearmNotify === false ? c.noop() : this.renotify(c)));
      every(this.options.resyncIntervalMs ?? 900_000, (c) => this.refreshAll(c, 'resync'));
    } else {
      every(this.options.pollIntervalMs ?? 60_000, (c) => this.refreshAll(c, 'poll'));
    }
  }

  /**
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
  private async renotify(client: ImapFlow): Promise<void> {
    if (!this.notifyFilter) return;
    clearTimeout(this.rearmTimer);
    await notifyNone(client);
    if (await this.trySetNotify(client)) this.notifyArmed();
    else this.notifyRefused(client);
    // Armed or not, one LIST-STATUS: what arrived while nothing was pushed is seen now.
    await this.refreshAll(client, 'resync');
  }

  private notifyArmed(): void {
    if (this.rearmFailures === 0) return;
    this.rearmFailures = 0;
    this.emit('notify', { account: this.account.name, armed: true });
  }

  /**
   * NOTIFY NONE went through and NOTIFY SET was refused: the session gets no pushes now. Not
   * left until the next keepalive (2 min): retried soon, with backoff up to the poll interval,
   * each retry with its LIST-STATUS, as the idle and poll modes see changes. Said once.
   */
  private notifyRefused(client: ImapFlow): void {
    const id = this.session;
    const base = this.options.rearmRetryMs ?? 5_000;
    const cap = Math.max(base, Math.min(this.options.pollIntervalMs ?? 60_000, this.options.keepaliveMs ?? 120_000));
    const delay = Math.min(cap, base * 2 ** Math.min(this.rearmFailures, 16));
    this.rearmFailures++;
    const error = this.recordError(commandError(this.notifyRefusal, this.place(), 'NOTIFY SET'));
    if (this.rearmFailures === 1) this.emit('notify', { account: this.account.name, armed: false, error, retryInMs: delay });
    this.rearmTimer = setTimeout(() => id === this.session && client === this.client && this.background((c) => this.renotify(c)), delay);
    this.rearmTimer.unref();
  }

  /** notify mode: what the keepalive does, now (NOTIFY NONE, NOTIFY SET, one LIST-STATUS). */
  async rearmNotify(): Promise<void> {
    await this.withClient((c) => this.renotify(c));
  }

  private clearTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearTimeout(this.postureTimer);
    clearTimeout(this.rearmTimer);
  }

  // ---- state ------------------------------------------------------------------------------

  /** One LIST-STATUS over the watched patterns; returns the selectable watched mailboxes. */
  private async refreshAll(client: ImapFlow, source: ChangeSource): Promise<string[]> {
    const seen = new Set<string>();
    const listed = await listStatus(client, this.specs, (a) => {
      seen.add(a.mailbox);
      this.applyStatus(a, source);
    });
    const resolved = listed.filter((m) => m.selectable && this.matches(m.mailbox)).map((m) => m.mailbox);
    // RFC 5819 lets a server leave out the selected mailbox; ask for it on its own then.
    for (const m of resolved) if (!seen.has(m)) await statusOf(client, m, (a) => this.applyStatus(a, source));
    for (const known of [...this.states.keys()]) if (!resolved.includes(known)) this.states.delete(known);
    return resolved;
  }

  private applyStatus(answer: StatusAnswer, source: ChangeSource): void {
    this.lastEventAt = new Date();
    if (!this.matches(answer.mailbox)) return;
    const previous = this.states.get(answer.mailbox);
    const next = mergeStatus(answer.mailbox, previous, answer.fields);
    if (!next) {
      // A new mailbox seen through NOTIFY (no UIDVALIDITY in the line): ask for its full status.
      this.incomplete.add(answer.mailbox);
      this.background((c) => this.completeIncomplete(c, source));
      return;
    }
    this.incomplete.delete(answer.mailbox);
    if (sameState(previous, next)) return;
    this.states.set(answer.mailbox, next);
    this.lastChangeAt = new Date();
    const change: MailboxChange = { ...next, account: this.account.name, uidValidityChanged: !!previous && previous.uidValidity !== next.uidValidity, source, at: this.lastChangeAt };
    if (previous) change.previous = previous;
    try {
      this.emit('change', change);
    } catch (err) {
      // A throwing listener is a bug in the listener: surface it like an unhandled error.
      setImmediate(() => {
        throw err;
      });
    }
  }

  private async completeIncomplete(client: ImapFlow, source: ChangeSource): Promise<void> {
    for (const m of [...this.incomplete]) {
      this.incomplete.delete(m);
      await statusOf(client, m, (a) => this.applyStatus(a, source));
    }
  }

  // ---- events from the connection -------------------------------------------------------------

  /** EXISTS/EXPUNGE (IDLE, or during our own commands): one coalesced LIST-STATUS. In notify mode the post-command STATUS covers it. */
  private onMailboxEvent(id: number): void {
    if (id !== this.session || this.mode === 'notify' || this.refreshQueued) return;
    this.lastEventAt = new Date();
    this.refreshQueued = true;
    this.background((c) => {
      this.refreshQueued = false;
      return this.refreshAll(c, 'idle');
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
      await this.pause(error);
      if (this.phase !== 'reconnecting') return;
      try {
        await this.openSession(true);
        return;
      } catch (err) {
        error = this.recordError(err);
      }
    }
  }

  /** Emits 'disconnected' and waits out the next backoff delay (stop() cuts it short). */
  private async pause(error: MailsiftError): Promise<void> {
    const attempt = this.backoff.attempt;
    const delay = this.backoff.next();
    this.emit('disconnected', { account: this.account.name, error, retryInMs: delay, attempt });
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, delay);
      this.wakeSleep = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.wakeSleep = undefined;
  }

  // ---- posture: what the connection does when nobody uses it ----------------------------------

  private onQueueIdle(): void {
    if (this.postureDirty) this.schedulePosture(this.options.settleMs ?? 100);
  }

  private schedulePosture(delay: number): void {
    clearTimeout(this.postureTimer);
    if (this.phase !== 'watching') return;
    const id = this.session;
    this.postureTimer = setTimeout(() => {
      if (id !== this.session || this.queue.busy || !this.postureDirty) return;
      this.postureDirty = false;
      this.queue.run(() => this.posture(id)).catch((err) => this.onBackgroundError(err));
    }, delay);
    this.postureTimer.unref();
  }

  private async posture(id: number): Promise<void> {
    const client = this.client;
    if (!client || id !== this.session) return;
    if (this.mode === 'notify') {
      const selected = client.mailbox;
      if (!selected) return;
      const path = selected.path;
      // UNSELECT (RFC 3691). Without it, only a read-only mailbox may be CLOSEd (CLOSE on a
      // read-write one would expunge \Deleted messages); else it stays selected until resync.
      if (client.capabilities.has('UNSELECT') || selected.readOnly) await runCommand(client, 'CLOSE', { unselect: true });
      if (this.matches(path)) await statusOf(client, path, (a) => this.applyStatus(a, 'operation'));
      return;
    }
    if (this.mode === 'idle' && this.idleMailbox) {
      const selected = client.mailbox;
      if (!selected || selected.path !== this.idleMailbox || !selected.readOnly) {
        const box = await client.mailboxOpen(this.idleMailbox, { readOnly: true });
        this.applyStatus(
          { mailbox: box.path, fields: { uidNext: box.uidNext, uidValidity: Number(box.uidValidity), messages: box.exists, ...(box.highestModseq !== undefined && { highestModseq: box.highestModseq }) } },
          'operation',
        );
      }
      if (!client.idling) client.idle().catch((err) => this.onBackgroundError(err));
    }
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

  private recordError(err: unknown, fallback: 'IMAP_COMMAND_FAILED' | 'IMAP_CONNECTION_LOST' = 'IMAP_COMMAND_FAILED'): MailsiftError {
    const error =
      err instanceof MailsiftError
        ? err
        : fallback === 'IMAP_CONNECTION_LOST' || isConnectionLost(err)
          ? new MailsiftError('IMAP_CONNECTION_LOST', `${where(this.place())}: connection lost: ${(err as Error)?.message ?? String(err)}`, { cause: err })
          : commandError(err, this.place(), 'background command');
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
