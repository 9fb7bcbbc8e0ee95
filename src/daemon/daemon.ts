/**
 * The daemon (`mailsift run`): watches every `[[watch]]`ed IMAP mailbox, runs each new message
 * through its rules the moment it arrives, and carries the actions out on the server; runs the
 * `[[sweep]]` entries on their schedules.
 *
 * - One connection per IMAP account, for all its watched mailboxes (imap-account.ts); each
 *   mailbox is processed strictly in UID order (mailbox-worker.ts); mailboxes and accounts run
 *   concurrently. A failing account retries with backoff and never stops the others.
 * - One state directory, one daemon (lock.ts).
 * - SIGHUP: reload the configuration and every rules file. A rules file that does not compile
 *   is refused with its diagnostics and its old plan keeps running; accounts added, removed
 *   or changed are started, stopped or restarted; a rules-only change swaps plans in place.
 * - SIGTERM/SIGINT: take no new message, finish the ones in flight, close, resolve `stopped`.
 */
import type { Executor } from '../actions/types.js';
import type { BackoffOptions } from '../connectors/imap/backoff.js';
import type { WatcherOptions } from '../connectors/imap/watch.js';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../config/problems.js';
import type { Config, ImapAccount, SweepConfig, WatchConfig } from '../config/types.js';
import { MailsiftError } from '../errors.js';
import { openState, type StateDb } from '../state/db.js';
import { defaultExecutorFactory, executorDeps, type ExecutorFactory } from './executor.js';
import { ImapAccountRunner, mailboxSpecs } from './imap-account.js';
import { Pop3Runners } from './pop3-account.js';
import { SmtpIntakes } from './smtp-intake-account.js';
import { acquireStateLock, type StateLock } from './lock.js';
import { createLogger, describeRunning, type DaemonLogger } from './log.js';
import { RulesRegistry, type RulesFailure } from './rules.js';
import { SweepScheduler } from './schedule.js';
import { Learning } from './learning.js';
import { RuleSettings } from './rule-settings.js';
import { cachedMailboxExists, imapAccounts, ImapSessions } from './sessions.js';
import { formatSweepSummary, sweep } from './sweep.js';

export interface DaemonOptions {
  /** Default: text lines on stdout. */
  readonly logger?: DaemonLogger;
  /** Aborting it stops the daemon, like SIGTERM. */
  readonly signal?: AbortSignal;
  /** Install SIGHUP (reload) and SIGTERM/SIGINT (stop) handlers. The CLI does; tests in-process do not. */
  readonly handleSignals?: boolean;
  /** The file a reload reads. Default: `config.file`. */
  readonly configFile?: string;
  readonly createExecutor?: ExecutorFactory;
  /** Reconnect and first-connect retry delays. */
  readonly backoff?: BackoffOptions;
  /** Watcher overrides (tests: a forced mode, short poll intervals). */
  readonly watcher?: Partial<WatcherOptions>;
  /** How long SIGTERM waits for messages in flight. Default 30 s. */
  readonly drainTimeoutMs?: number;
  /** How often bucket folders are checked for the user's moves (learning.ts). Default: the account's poll_interval. */
  readonly learnIntervalMs?: number;
}

export interface ReloadReport {
  readonly ok: boolean;
  /** Config problems (then nothing changed), or rules files refused (their old plans kept). */
  readonly problems: readonly string[];
}

export interface Daemon {
  readonly state: StateDb;
  reload(): Promise<ReloadReport>;
  /** Drain and close. Safe to call more than once. */
  stop(): Promise<void>;
  /** Resolves once the daemon has stopped (by stop(), a signal or the abort signal). */
  readonly stopped: Promise<void>;
}

/** Startup refused: rules files that do not compile (their diagnostics in `failures`). */
export class RulesLoadError extends MailsiftError {
  constructor(readonly failures: readonly RulesFailure[]) {
    super(failures[0]!.code, `${failures.length} rules file${failures.length === 1 ? '' : 's'} cannot be used: ${failures.map((f) => f.file).join(', ')}`);
  }
}

const HOUR = 3_600_000;

function rulesFiles(config: Config): string[] {
  return [...config.watch.map((w) => w.rules), ...config.sweep.map((s) => s.rules)];
}

/** `[[watch]]` entries by IMAP account (other account types are not watched yet). */
function imapWatches(config: Config): Map<string, WatchConfig[]> {
  const out = new Map<string, WatchConfig[]>();
  for (const w of config.watch) {
    if (config.accounts[w.account]?.type !== 'imap') continue;
    out.set(w.account, [...(out.get(w.account) ?? []), w]);
  }
  return out;
}

/** What requires a new connection when it changes: the account's settings and watched specs. */
function runnerKey(account: ImapAccount, watches: readonly WatchConfig[]): string {
  return JSON.stringify({ account, specs: mailboxSpecs(watches) });
}

class DaemonImpl implements Daemon {
  readonly stopped: Promise<void>;
  private resolveStopped!: () => void;
  private readonly rules = new RulesRegistry();
  private readonly runners = new Map<string, { runner: ImapAccountRunner; key: string }>();
  private readonly sessions: ImapSessions;
  private readonly scheduler: SweepScheduler;
  /** Watched pop3 accounts: polled on their schedules (pop3-account.ts). */
  private readonly pop3: Pop3Runners;
  /** Watched smtp-intake accounts: one SMTP listener each (smtp-intake-account.ts). */
  private readonly intakes: SmtpIntakes;
  private readonly learning: Learning;
  private readonly ruleSettings: RuleSettings;
  private executor!: Executor;
  private stopping = false;
  private stopPromise: Promise<void> | undefined;
  private reloading: Promise<unknown> = Promise.resolve();
  private maintenance: NodeJS.Timeout | undefined;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private config: Config,
    readonly state: StateDb,
    private readonly lock: StateLock,
    private readonly logger: DaemonLogger,
    private readonly options: DaemonOptions,
  ) {
    this.stopped = new Promise((r) => (this.resolveStopped = r));
    this.sessions = new ImapSessions({ logger, ...(options.backoff && { backoff: options.backoff }), ...(options.watcher && { watcher: options.watcher }) });
    this.scheduler = new SweepScheduler(logger, (entry, i) => this.runSweep(entry, i));
    this.ruleSettings = new RuleSettings(logger);
    this.intakes = new SmtpIntakes({ state, logger, plan: (file) => this.rules.get(file), executorDeps: () => executorDeps(this.config, this.state, this.sessions, this.logger), settings: (environment) => this.ruleSettings.get(environment), programs: () => this.config.pipe });
    this.pop3 = new Pop3Runners({ state, logger, plan: (file) => this.rules.get(file), executorDeps: () => executorDeps(this.config, this.state, this.sessions, this.logger), settings: () => this.ruleSettings.get(), programs: () => this.config.pipe });
    this.learning = new Learning({ state, logger, session: (a) => this.sessions.get(a), onLearned: () => this.ruleSettings.refresh(), ...(options.learnIntervalMs !== undefined && { intervalMs: options.learnIntervalMs }) });
  }

  async init(): Promise<void> {
    const loaded = await this.rules.load(rulesFiles(this.config));
    for (const w of loaded.warnings) this.logger.event('warn', w.text);
    if (loaded.failed.length) throw new RulesLoadError(loaded.failed);
    this.apply(this.config);
    this.maintenance = setInterval(() => this.maintain(), HOUR);
    this.maintenance.unref();
    this.installSignals();
    const running = describeRunning({
      imapAccounts: this.runners.size,
      imapWatches: this.config.watch.filter((w) => this.config.accounts[w.account]?.type === 'imap').length,
      pop3Accounts: this.pop3.size,
      smtpIntakes: this.intakes.size,
      sweeps: this.scheduler.size,
    });
    this.logger.event('info', `mailsift started (pid ${process.pid}): ${running}; state in ${this.config.state.dir}`);
  }

  /** Make the running accounts, executor and schedules match `config` (rules already loaded). */
  private apply(config: Config): void {
    this.config = config;
    this.sessions.setAccounts(imapAccounts(config));
    this.executor = (this.options.createExecutor ?? defaultExecutorFactory)(executorDeps(config, this.state, this.sessions, this.logger));
    config.watch.forEach((w, i) => {
      const type = config.accounts[w.account]?.type;
      if (type !== 'imap' && type !== 'pop3' && type !== 'smtp-intake') this.logger.event('warn', `watch[${i}]: account "${w.account}" is of type ${type}; only IMAP accounts are watched in this release, so this entry is ignored`, { account: w.account });
    });
    const wanted = imapWatches(config);
    for (const [name, entry] of [...this.runners]) {
      if (!wanted.has(name)) {
        this.runners.delete(name);
        this.logger.event('info', `${name}: no longer watched, disconnecting`, { account: name });
        void this.retire(entry.runner);
      }
    }
    for (const [name, watches] of wanted) {
      const account = config.accounts[name] as ImapAccount;
      const key = runnerKey(account, watches);
      const current = this.runners.get(name);
      // Same settings: swap the watches in place, unless the account is down (then a fresh
      // start, which also reads its password again).
      if (current && current.key === key && current.runner.connected) {
        current.runner.updateWatches(watches);
        continue;
      }
      let retired: Promise<void> = Promise.resolve();
      if (current) {
        const why = current.key === key ? 'not connected: reconnecting (the password is read again)' : 'account or watched mailboxes changed, reconnecting';
        this.logger.event('info', `${name}: ${why}`, { account: name });
        retired = this.retire(current.runner);
      }
      const runner = new ImapAccountRunner(account, watches, {
        state: this.state,
        logger: this.logger,
        plan: (file) => this.rules.get(file),
        executor: () => this.executor,
        settings: () => this.ruleSettings.get(),
        programs: () => this.config.pipe,
        ...(this.options.backoff && { backoff: this.options.backoff }),
        ...(this.options.watcher && { watcher: this.options.watcher }),
        onSession: (a, w) => {
          if (this.runners.get(a)?.runner === runner) this.sessions.set(a, w);
        },
      });
      this.sessions.claim(name);
      this.runners.set(name, { runner, key });
      // Only once the old runner has drained: two runners must never work one mailbox at once.
      void retired.then(() => {
        if (this.stopping || this.runners.get(name)?.runner !== runner) return;
        this.sessions.set(name, undefined); // the old runner's connection is closed now
        runner.start();
      });
    }
    this.schedule(config.sweep);
    this.pop3.apply(config);
    this.intakes.apply(config);
    this.ruleSettings.configure(config);
    this.learning.configure(config);
  }

  private schedule(entries: readonly SweepConfig[]): void {
    const runnable = entries.filter((s, i) => {
      const type = this.config.accounts[s.account]?.type;
      if (type === 'imap') return true;
      this.logger.event('warn', `sweep[${i}]: account "${s.account}" is a local ${type}; scheduled sweeps change only IMAP mailboxes in this release, so this entry is ignored (try \`mailsift sweep --dry-run\`)`, { account: s.account });
      return false;
    });
    this.scheduler.schedule(runnable);
  }

  private async retire(runner: ImapAccountRunner): Promise<void> {
    await runner.drain(this.options.drainTimeoutMs ?? 30_000);
    await runner.close();
    if (!this.runners.has(runner.name)) this.sessions.release(runner.name);
  }

  private async runSweep(entry: SweepConfig, index: number): Promise<void> {
    if (this.stopping) return;
    const account = this.config.accounts[entry.account];
    const plan = this.rules.get(entry.rules);
    if (!account || !plan) return;
    const session = await this.sessions.get(entry.account);
    const where = `sweep[${index}] ${entry.account} ${entry.mailbox}`;
    this.logger.event('info', `${where}: starting`, { account: entry.account, mailbox: entry.mailbox });
    const summary = await sweep(
      { account, mailbox: entry.mailbox, plan, dryRun: false },
      { state: this.state, executor: this.executor, logger: this.logger, session, mailboxExists: cachedMailboxExists(session), stopping: () => this.stopping, settings: () => this.ruleSettings.get(), programs: () => this.config.pipe },
    );
    this.logger.event('info', `${where}: ${formatSweepSummary(summary, false)}`, { account: entry.account, mailbox: entry.mailbox });
  }

  reload(): Promise<ReloadReport> {
    const next = this.reloading.then(() => this.doReload());
    this.reloading = next.catch(() => undefined);
    return next;
  }

  private async doReload(): Promise<ReloadReport> {
    if (this.stopping) return { ok: false, problems: ['shutting down'] };
    const file = this.options.configFile ?? this.config.file;
    this.logger.event('info', `reloading ${file}`);
    let config: Config;
    try {
      config = await loadConfig(file);
    } catch (err) {
      const lines = err instanceof ConfigError ? err.message.split('\n') : [(err as Error).message];
      for (const l of lines) this.logger.event('error', l, { code: (err as MailsiftError).code });
      this.logger.event('error', 'reload refused: the configuration has problems; the running configuration stays');
      return { ok: false, problems: lines };
    }
    const problems: string[] = [];
    if (config.state.dir !== this.config.state.dir) {
      problems.push(`state.dir changed to ${config.state.dir}: that needs a restart; still using ${this.config.state.dir}`);
      config = { ...config, state: this.config.state };
    }
    const loaded = await this.rules.load(rulesFiles(config));
    for (const w of loaded.warnings) this.logger.event('warn', w.text);
    for (const f of loaded.failed) {
      this.logger.event('error', f.text, { code: f.code });
      const line = `${f.file}: refused (${f.code === 'RULES_INVALID' ? 'does not compile' : 'cannot be read'}); ${f.keptOld ? 'the previous rules stay in use' : 'no rules for it yet: its mailboxes wait'}`;
      this.logger.event('error', line, { code: f.code });
      problems.push(line);
    }
    for (const p of problems.filter((p) => p.startsWith('state.dir'))) this.logger.event('warn', p);
    this.apply(config);
    this.logger.event('info', `reloaded: ${loaded.loaded.length} rules file${loaded.loaded.length === 1 ? '' : 's'} compiled${loaded.failed.length ? `, ${loaded.failed.length} refused` : ''}`);
    return { ok: problems.length === 0, problems };
  }

  private maintain(): void {
    try {
      this.state.maintain();
    } catch (err) {
      this.logger.event('warn', `state maintenance failed: ${(err as Error).message}`);
    }
  }

  private installSignals(): void {
    const signal = this.options.signal;
    if (signal) {
      const onAbort = () => void this.stop();
      if (signal.aborted) queueMicrotask(onAbort);
      else signal.addEventListener('abort', onAbort, { once: true });
      this.cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    if (!this.options.handleSignals) return;
    const onHup = () => void this.reload();
    const onTerm = (name: string) => () => {
      this.logger.event('info', `${name}: finishing the messages in flight, then exiting`);
      void this.stop();
    };
    const term = onTerm('SIGTERM');
    const int = onTerm('SIGINT');
    process.on('SIGHUP', onHup);
    process.on('SIGTERM', term);
    process.on('SIGINT', int);
    this.cleanups.push(() => {
      process.off('SIGHUP', onHup);
      process.off('SIGTERM', term);
      process.off('SIGINT', int);
    });
  }

  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    this.stopping = true;
    this.scheduler.cancel();
    await this.reloading;
    await this.learning.stop();
    await this.intakes.close(); // stop accepting mail first; messages in flight are answered
    const runners = [...this.runners.values()].map((r) => r.runner);
    const drain = this.options.drainTimeoutMs ?? 30_000;
    await Promise.all([...runners.map((r) => r.drain(drain)), this.pop3.drain(drain)]);
    await Promise.race([this.scheduler.idle(), new Promise((r) => setTimeout(r, drain).unref())]);
    await Promise.all([...runners.map((r) => r.close()), this.pop3.close()]);
    await this.sessions.close();
    clearInterval(this.maintenance);
    for (const c of this.cleanups) c();
    this.state.close();
    this.lock.release();
    this.logger.event('info', 'mailsift stopped');
    this.resolveStopped();
  }
}

/**
 * Start the daemon: take the state directory's lock, open the state, compile every rules
 * file (throws RulesLoadError when one does not compile: nothing starts), connect the
 * accounts (in the background; failures are logged and retried), schedule the sweeps.
 */
export async function startDaemon(config: Config, options: DaemonOptions = {}): Promise<Daemon> {
  const logger = options.logger ?? createLogger();
  const lock = acquireStateLock(config.state.dir);
  let state: StateDb | undefined;
  try {
    state = openState(config.state.dir);
    const daemon = new DaemonImpl(config, state, lock, logger, options);
    await daemon.init();
    return daemon;
  } catch (err) {
    state?.close();
    lock.release();
    throw err;
  }
}
