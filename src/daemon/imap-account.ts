/**
 * One IMAP account of the daemon: one MailboxWatcher (one connection for every watched
 * mailbox of the account, whatever the number of [[watch]] entries), one MailboxWorker per
 * mailbox, the account's cached mailbox list (for `mailboxexists`), and its status rows.
 *
 * Failure isolation: the first connection is retried here forever with backoff (a wrong
 * password may be fixed, a dead host may come back), the secret re-read before each try,
 * and only a changed error is logged again; afterwards the watcher reconnects by itself.
 * Nothing here throws into the daemon, so one account never stops the others.
 */
import type { ImapFlow } from 'imapflow';
import { Backoff, type BackoffOptions } from '../connectors/imap/backoff.js';
import { patternMatcher } from '../connectors/imap/mailbox-state.js';
import { wakeableSleep } from '../connectors/imap/wakeable-sleep.js';
import type { ImapAccountConfig, MailboxChange, WatchMode } from '../connectors/imap/types.js';
import { MailboxWatcher, type WatcherOptions } from '../connectors/imap/watch.js';
import type { ImapAccount, WatchConfig } from '../config/types.js';
import { resolveSecret } from '../config/secrets.js';
import { MailsiftError } from '../errors.js';
import { sameMailbox } from '../runtime/result.js';
import type { Plan } from '../runtime/plan.js';
import type { StateDb } from '../state/db.js';
import type { ProgramConfig } from '../host/run-program.js';
import type { DaemonLogger } from './log.js';
import { MailboxWorker, type WorkerHost } from './mailbox-worker.js';
import type { ProcessContext, ProcessOutcome, SourceMessage } from './process-message.js';
import { processMessage } from './process-message.js';
import type { Executor } from '../actions/types.js';

export interface AccountDeps {
  readonly state: StateDb;
  readonly logger: DaemonLogger;
  plan(rulesFile: string): Plan | undefined;
  executor(): Executor;
  /** RunOptions.settings for the rules (rule-settings.ts). */
  settings?(): Readonly<Record<string, unknown>>;
  /** The `[pipe]` allow-list for vnd.dovecot.execute (run-rules.ts). */
  programs?(): ProgramConfig | undefined;
  readonly backoff?: BackoffOptions;
  /** Overrides for the watcher (tests: short poll intervals, a forced mode). */
  readonly watcher?: Partial<WatcherOptions>;
  /** Told when the account's connection comes up (with its watcher) or goes away (undefined). */
  onSession?(account: string, watcher: MailboxWatcher | undefined): void;
}

/** A mailbox list older than this is refreshed when `mailboxexists` misses. */
const LIST_MAX_AGE_MS = 30_000;

function asError(err: unknown): MailsiftError {
  return err instanceof MailsiftError ? err : new MailsiftError('IMAP_CONNECT_FAILED', (err as Error)?.message ?? String(err), { cause: err });
}

/** The mailbox specs (names and patterns) of a set of watches, deduplicated, in order. */
export function mailboxSpecs(watches: readonly WatchConfig[]): string[] {
  return [...new Set(watches.flatMap((w) => w.mailboxes))];
}

export class ImapAccountRunner {
  private watcher: MailboxWatcher | undefined;
  private readonly workers = new Map<string, MailboxWorker>();
  private stoppingFlag = false;
  private connectLoop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private delimiter = '/';
  private matchers: { watch: WatchConfig; matches: (path: string) => boolean }[] = [];
  private mailboxList: { names: string[]; at: number } | undefined;
  private listStale = true;
  private outage: string | undefined;

  constructor(
    readonly account: ImapAccount,
    private watches: readonly WatchConfig[],
    private readonly deps: AccountDeps,
  ) {
    this.buildMatchers();
  }

  get name(): string {
    return this.account.name;
  }

  /** The mailbox specs this runner's connection watches; a change of them needs a new runner. */
  get specs(): string[] {
    return mailboxSpecs(this.watches);
  }

  /** True while the account's connection is up. */
  get connected(): boolean {
    return this.isConnected();
  }

  /** Swap the watches (rules files, start policy) without reconnecting; the specs must be the same. */
  updateWatches(watches: readonly WatchConfig[]): void {
    this.watches = watches;
    this.buildMatchers();
    this.kickAll();
  }

  start(): void {
    this.connectLoop ??= this.connect();
  }

  /** Stop taking new messages; resolves when the messages in flight are done (or after timeoutMs). */
  async drain(timeoutMs: number): Promise<void> {
    this.stoppingFlag = true;
    this.wake?.();
    for (const w of this.workers.values()) w.cancelRetry();
    const all = Promise.all([...this.workers.values()].map((w) => w.idle()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Close the connection; mark the mailboxes offline. Call drain() first. */
  async close(): Promise<void> {
    this.stoppingFlag = true;
    this.wake?.();
    const watcher = this.watcher;
    this.watcher = undefined;
    if (watcher) {
      this.deps.onSession?.(this.name, undefined);
      await watcher.stop();
    }
    // A first connect to a dead host can hang until its timeout (20 s): do not wait for it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.connectLoop, new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    for (const m of this.knownMailboxes()) this.deps.state.events.setStatus(this.name, m, { mode: 'offline' });
  }

  /** For `mailboxexists` and after `:create`: the account's mailboxes. */
  async mailboxExists(names: readonly string[]): Promise<boolean> {
    const has = (list: string[]) => names.every((n) => list.some((m) => sameMailbox(m, n)));
    let list = await this.listMailboxes(false);
    if (!has(list) && (!this.mailboxList || Date.now() - this.mailboxList.at > LIST_MAX_AGE_MS)) list = await this.listMailboxes(true);
    return has(list);
  }

  // ---- connecting -------------------------------------------------------------------------

  private async connect(): Promise<void> {
    const backoff = new Backoff({ baseMs: 1000, maxMs: 300_000, ...this.deps.backoff });
    let logged: string | undefined;
    while (!this.stoppingFlag) {
      let watcher: MailboxWatcher | undefined;
      try {
        const password = await resolveSecret(this.account.password, `password of account "${this.name}"`);
        if (this.stoppingFlag) return;
        watcher = new MailboxWatcher(this.imapConfig(password), {
          mailboxes: this.specs,
          pollIntervalMs: this.account.pollIntervalMs,
          ...(this.deps.backoff && { backoff: this.deps.backoff }),
          ...this.deps.watcher,
        });
        this.attach(watcher);
        this.watcher = watcher;
        await watcher.start();
        if (this.stoppingFlag) return; // close() stops it
        return;
      } catch (err) {
        this.watcher = undefined;
        watcher?.removeAllListeners();
        await watcher?.stop();
        // Stopped meanwhile (drain/close came while the secret or the login was pending, before
        // there was a wait to cut short): no retry line, no backoff timer keeping the process up.
        if (this.stoppingFlag) return;
        const e = asError(err);
        const delay = backoff.next();
        if (e.message !== logged) {
          logged = e.message;
          this.deps.logger.event('error', `${e.message}; retrying (next in ${Math.ceil(delay / 1000)}s, backing off up to 5 min)`, { account: this.name, code: e.code });
        }
        for (const m of this.knownMailboxes()) this.deps.state.events.setStatus(this.name, m, { mode: 'offline', lastError: `${e.code}: ${e.message}` });
        const sleep = wakeableSleep(delay);
        this.wake = sleep.wake;
        await sleep.done;
        this.wake = undefined;
      }
    }
  }

  private imapConfig(password: string): ImapAccountConfig {
    const a = this.account;
    return { name: a.name, host: a.host, port: a.port, tls: a.tls, user: a.user, password, allowInsecure: a.allowInsecure };
  }

  private attach(watcher: MailboxWatcher): void {
    watcher.on('change', (c) => this.onChange(watcher, c));
    watcher.on('connected', (e) => void this.onConnected(watcher, e.mode, e.reconnect));
    watcher.on('notify', (e) => {
      if (watcher !== this.watcher || this.stoppingFlag) return;
      if (e.armed) this.deps.logger.event('info', `${this.name}: NOTIFY re-armed, the server pushes changes again`, { account: this.name, mode: 'notify' });
      else this.deps.logger.event('warn', `${e.error?.message ?? 'NOTIFY SET refused'}; no pushes now: polling with LIST-STATUS and re-arming NOTIFY in ${Math.ceil((e.retryInMs ?? 0) / 1000)}s (backing off to the poll interval)`, { account: this.name, code: e.error?.code ?? 'IMAP_COMMAND_FAILED' });
    });
    watcher.on('disconnected', (e) => {
      if (watcher !== this.watcher || this.stoppingFlag) return;
      this.deps.onSession?.(this.name, undefined);
      if (this.outage !== e.error.message) {
        this.outage = e.error.message;
        this.deps.logger.event('warn', `${e.error.message}; reconnecting`, { account: this.name, code: e.error.code });
      }
      for (const m of this.knownMailboxes()) this.deps.state.events.setStatus(this.name, m, { mode: 'offline', lastError: `${e.error.code}: ${e.error.message}` });
    });
  }

  private async onConnected(watcher: MailboxWatcher, mode: WatchMode, reconnect: boolean): Promise<void> {
    if (watcher !== this.watcher || this.stoppingFlag) return;
    this.outage = undefined;
    const a = this.account;
    this.deps.logger.event('info', `${this.name}: ${reconnect ? 'reconnected' : 'connected'} to ${a.host}:${a.port} as ${a.user}, watching ${this.specs.join(', ')} (${mode})`, { account: this.name, mode });
    try {
      this.delimiter = await watcher.withClient(async (c: ImapFlow) => c.namespace?.delimiter || '/');
    } catch {
      // keep '/'
    }
    this.buildMatchers();
    this.listStale = true;
    const status = watcher.status();
    for (const m of status.mailboxes) this.deps.state.events.setStatus(this.name, m.mailbox, { mode });
    this.deps.onSession?.(this.name, watcher);
    this.kickAll();
  }

  private onChange(watcher: MailboxWatcher, c: MailboxChange): void {
    if (watcher !== this.watcher) return;
    // current, not status(): that copies every mailbox's state, on each push.
    const { phase, mode } = watcher.current;
    // Before 'connected' the watcher cannot run commands yet; onConnected kicks everything.
    if (phase === 'watching') this.worker(c.mailbox)?.kick();
    // The status row is bookkeeping for `mailsift status`: written after this I/O callback
    // (setImmediate), so the worker's SELECT, sent from the microtasks the kick started, does
    // not wait for it. A closed database (shutdown) has nothing left to record.
    const row = { lastEventAt: c.at.getTime(), ...(mode && { mode }) };
    setImmediate(() => {
      try {
        this.deps.state.events.setStatus(this.name, c.mailbox, row);
      } catch {
        // closed
      }
    });
  }

  private kickAll(): void {
    const watcher = this.watcher;
    if (!watcher || watcher.status().phase !== 'watching') return;
    for (const m of watcher.status().mailboxes) this.worker(m.mailbox)?.kick();
  }

  // ---- mailboxes ------------------------------------------------------------------------

  private buildMatchers(): void {
    this.matchers = this.watches.map((watch) => ({ watch, matches: patternMatcher(watch.mailboxes, this.delimiter) }));
  }

  private watchFor(mailbox: string): WatchConfig | undefined {
    return this.matchers.find((m) => m.matches(mailbox))?.watch;
  }

  private knownMailboxes(): string[] {
    const names = new Set<string>(this.watcher?.status().mailboxes.map((m) => m.mailbox) ?? []);
    for (const cp of this.deps.state.checkpoints.list(this.name)) if (this.watchFor(cp.mailbox)) names.add(cp.mailbox);
    for (const spec of this.specs) if (!/[*%]/.test(spec)) names.add(spec);
    return [...names];
  }

  private async listMailboxes(refresh: boolean): Promise<string[]> {
    if (!refresh && !this.listStale && this.mailboxList) return this.mailboxList.names;
    const watcher = this.watcher;
    if (!watcher) return this.mailboxList?.names ?? [];
    try {
      const names = await watcher.withClient(async (c: ImapFlow) => (await c.list()).map((m) => m.path));
      this.mailboxList = { names, at: Date.now() };
      this.listStale = false;
    } catch {
      // Keep the old list; a lost connection surfaces elsewhere.
    }
    return this.mailboxList?.names ?? [];
  }

  private worker(mailbox: string): MailboxWorker | undefined {
    if (!this.watchFor(mailbox)) return undefined;
    let w = this.workers.get(mailbox);
    if (!w) {
      w = new MailboxWorker(this.workerHost(), mailbox);
      this.workers.set(mailbox, w);
    }
    return w;
  }

  private workerHost(): WorkerHost {
    const runner = this;
    const ctx: ProcessContext = {
      state: this.deps.state,
      logger: this.deps.logger,
      get executor() {
        return runner.deps.executor();
      },
      mailboxExists: (names) => this.mailboxExists(names),
      transient: () => this.stoppingFlag || !this.isConnected(),
      ...(this.deps.settings && { settings: this.deps.settings }),
      ...(this.deps.programs && { programs: this.deps.programs }),
    };
    const need = (): MailboxWatcher => {
      if (!this.watcher) throw new MailsiftError('IMAP_CONNECTION_LOST', `IMAP account "${this.name}": not connected`);
      return this.watcher;
    };
    return {
      account: this.name,
      state: this.deps.state,
      logger: this.deps.logger,
      watchFor: (m) => this.watchFor(m),
      plan: (file) => this.deps.plan(file),
      serverState: (m) => this.watcher?.state(m),
      // Read-write like fetchNew below: the executor's actions then run on the same SELECT.
      currentMailbox: (m) =>
        need().withMailbox(m, async (c: ImapFlow) => ({ uidValidity: Number(c.mailbox ? c.mailbox.uidValidity : 0), uidNext: c.mailbox ? c.mailbox.uidNext : 0 })),
      // SELECT, not EXAMINE: the fetched messages' UID MOVE/STORE need no second SELECT.
      fetchNew: (m, since, options) => need().fetchNew(m, since, { ...options, readWrite: true }),
      process: async (plan: Plan, message: SourceMessage, options): Promise<ProcessOutcome> => {
        const out = await processMessage(ctx, plan, message, options);
        if (out.committed && out.operations.operations.some((o) => (o.kind === 'move' || o.kind === 'copy') && o.create && o.target.account === undefined)) this.listStale = true;
        return out;
      },
      connected: () => this.isConnected(),
      stopping: () => this.stoppingFlag,
    };
  }

  private isConnected(): boolean {
    return this.watcher?.current.phase === 'watching';
  }
}
