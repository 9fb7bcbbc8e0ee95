/**
 * One POP3 account of the daemon (`type = "pop3"` with a `[[watch]]`): polls on the account's
 * cron schedule (croner, `protect`: a poll still running is not started twice), runs each new
 * message through the watch's rules, files it through src/connectors/pop3/deliver.ts, and
 * deletes it from the server only once its actions succeeded (getmail's promise).
 *
 * One poll is one POP3 session:
 *   connect (TLS / STLS / plain) → UIDL → forget rows of UIDLs the server no longer has →
 *   DELE those still due from an earlier session → for each unknown UIDL, in server order:
 *   RETR → rules → deliver → commit (processed log, duplicate ids, UIDL row, one transaction)
 *   → DELE when due → QUIT (the deletions happen here, RFC 1939 §6) → drop the deleted rows.
 * A connection that drops midway deletes nothing; the next poll resumes from the first
 * message without a row, and DELEs again what was due.
 *
 * Implicit keep (docs/pop3.md): with the account's `deliver_to`, kept mail is delivered there
 * (and may then be deleted from the server); without, kept mail stays on the server and is
 * never deleted.
 */
import { Cron } from 'croner';
import type { ExecutorDeps } from '../actions/deps.js';
import { planOperations } from '../actions/plan-operations.js';
import type { Config, Pop3Account, WatchConfig } from '../config/types.js';
import { resolveSecret } from '../config/secrets.js';
import { Pop3Client, type Pop3ConnectOptions } from '../connectors/pop3/client.js';
import { deliverPop3Message, pop3LedgerKey, POP3_FOLDER, type Pop3DeliveryOutcome } from '../connectors/pop3/deliver.js';
import { UidlStore } from '../connectors/pop3/uidl-store.js';
import { MailsiftError } from '../errors.js';
import { defaultEnvelope } from '../host/envelope-defaults.js';
import { hostEnvironment } from '../host/environment.js';
import { runRules } from './run-rules.js';
import { describeAction } from '../report/describe-action.js';
import type { RunResult } from '../runtime/evaluate.js';
import { parseMessage } from '../runtime/message/parse.js';
import type { Plan } from '../runtime/plan.js';
import { sameMailbox } from '../runtime/result.js';
import type { StateDb } from '../state/db.js';
import { isSqliteError, sqliteReason } from '../state/sqlite-errors.js';
import type { ProgramConfig } from '../host/run-program.js';
import type { DaemonLogger, MessageLogEntry } from './log.js';

export interface Pop3RunnerDeps {
  readonly state: StateDb;
  readonly logger: DaemonLogger;
  plan(rulesFile: string): Plan | undefined;
  /** The executor's dependencies (ledger, accounts, IMAP connections, outbound handlers): built per message, so a reload is seen. */
  executorDeps(): ExecutorDeps;
  /** Client overrides (tests: a CA, short timeouts). */
  readonly client?: Partial<Pick<Pop3ConnectOptions, 'timeoutMs' | 'tlsOptions'>>;
  /** RunOptions.settings for the rules (rule-settings.ts); default: the host environment. */
  settings?(): Readonly<Record<string, unknown>>;
  /** The `[pipe]` allow-list for vnd.dovecot.execute (run-rules.ts). */
  programs?(): ProgramConfig | undefined;
}

export interface PollSummary {
  /** False when the session failed (the error is logged and in `error`). */
  readonly ok: boolean;
  readonly listed: number;
  readonly processed: number;
  readonly failed: number;
  readonly deleted: number;
  readonly error?: string;
}

/** Failures worth another try at the next poll (the message is then not recorded). */
const RETRYABLE = new Set(['IMAP_CONNECTION_LOST', 'IMAP_CONNECT_FAILED', 'STORE_LOCKED', 'IMAP_APPEND_UNVERIFIED']);

export class Pop3AccountRunner {
  private job: Cron | undefined;
  private running: Promise<PollSummary> | undefined;
  private stopping = false;
  private client: Pop3Client | undefined;
  private lastError: string | undefined;
  private readonly uidls: UidlStore;

  constructor(
    readonly account: Pop3Account,
    private watch: WatchConfig,
    private readonly deps: Pop3RunnerDeps,
  ) {
    this.uidls = new UidlStore(deps.state.db);
  }

  get name(): string {
    return this.account.name;
  }

  /** Poll once now, then on the account's schedule. */
  start(): void {
    this.job = new Cron(this.account.schedule, { protect: true, name: `pop3:${this.name}` }, () => void this.poll());
    void this.poll();
  }

  /** A rules-only change. */
  updateWatch(watch: WatchConfig): void {
    this.watch = watch;
  }

  /** One session now; when one is already running, its result. Never throws. */
  poll(): Promise<PollSummary> {
    if (this.running) return this.running;
    if (this.stopping) return Promise.resolve({ ok: false, listed: 0, processed: 0, failed: 0, deleted: 0, error: 'stopping' });
    const p = this.session().finally(() => {
      if (this.running === p) this.running = undefined;
    });
    this.running = p;
    return p;
  }

  /** Take no new message, let the one in flight finish (or give up after timeoutMs). */
  async drain(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.job?.stop();
    const r = this.running;
    if (r) await Promise.race([r, new Promise((res) => setTimeout(res, timeoutMs).unref())]);
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.job?.stop();
    this.client?.close(); // without QUIT: nothing is deleted by a session cut short
  }

  private log(level: 'info' | 'warn' | 'error', text: string, code?: string): void {
    this.deps.logger.event(level, `${this.name}: ${text}`, { account: this.name, mailbox: POP3_FOLDER, ...(code && { code }) });
  }

  private async session(): Promise<PollSummary> {
    let listed = 0;
    let processed = 0;
    let failed = 0;
    let deleted = 0;
    const { state } = this.deps;
    try {
      const a = this.account;
      const password = await resolveSecret(a.password, `password of account "${a.name}"`);
      const client = await Pop3Client.connect({ name: a.name, host: a.host, port: a.port, tls: a.tls, allowInsecure: a.allowInsecure, user: a.user, password, ...this.deps.client });
      this.client = client;
      const firstPoll = state.events.status(a.name, POP3_FOLDER) === undefined;
      state.events.setStatus(a.name, POP3_FOLDER, { mode: 'schedule', lastEventAt: Date.now(), lastError: null });
      if (this.lastError !== undefined) this.log('info', 'connected again');
      this.lastError = undefined;

      const listing = await client.uidl();
      listed = listing.length;
      this.uidls.forgetAllBut(a.name, new Set(listing.map((l) => l.uidl)));
      const known = this.uidls.all(a.name);
      const toDelete: string[] = [];
      const dele = async (number: number, uidl: string) => {
        await client.dele(number);
        toDelete.push(uidl);
      };

      if (firstPoll && this.watch.start === 'new') {
        // start = "new": what is on the server now is taken as seen, not processed (and never deleted).
        state.transaction(() => listing.forEach((l) => known.has(l.uidl) || this.uidls.record(a.name, l.uidl, 'ok', false)));
        if (listing.length) this.log('info', `first poll with start = "new": ${listing.length} message${listing.length === 1 ? '' : 's'} already on the server left alone`);
      } else {
        for (const l of listing) {
          if (this.stopping) break;
          const row = known.get(l.uidl);
          if (row) {
            if (row.deleteDue && a.delete === 'after-delivery') await dele(l.number, l.uidl);
            continue;
          }
          const plan = this.deps.plan(this.watch.rules);
          if (!plan) break; // the rules file has never compiled: wait for a reload
          const raw = await client.retr(l.number);
          const out = await this.processOne(plan, l.uidl, l.number, raw);
          if (!out.recorded) {
            failed++;
            continue;
          }
          processed++;
          if (out.status === 'error') failed++;
          if (out.deleteDue) await dele(l.number, l.uidl);
        }
      }
      await client.quit();
      this.client = undefined;
      if (toDelete.length) this.uidls.deleted(a.name, toDelete);
      deleted = toDelete.length;
      return { ok: true, listed, processed, failed, deleted };
    } catch (err) {
      this.client?.close();
      this.client = undefined;
      const e =
        err instanceof MailsiftError ? err
        : isSqliteError(err) ? new MailsiftError('STATE_UNWRITABLE', `cannot write the state database ${state.file}: ${sqliteReason(err)}; the message stays on the server and is tried again at the next poll`, { cause: err })
        : new MailsiftError('POP3_CONNECTION_LOST', (err as Error)?.message ?? String(err), { cause: err });
      const text = e.message.replace(/\s+/g, ' ').trim();
      // One line per new error; a repeat of the same error at every poll is not logged again.
      if (text !== this.lastError) this.log('error', `${text}${processed ? ` (after ${processed} message${processed === 1 ? '' : 's'}; nothing deleted in this session)` : ''}`, e.code);
      this.lastError = text;
      try {
        state.events.setStatus(this.name, POP3_FOLDER, { mode: 'schedule', lastError: `${e.code}: ${text}` });
      } catch {
        // the state database is closing
      }
      return { ok: false, listed, processed, failed, deleted: 0, error: text };
    }
  }

  /** Rules, delivery, commit. `recorded` false: nothing written, the message is tried again at the next poll. */
  private async processOne(plan: Plan, uidl: string, number: number, raw: Uint8Array): Promise<{ recorded: boolean; status: 'ok' | 'error'; deleteDue: boolean }> {
    const { state, logger } = this.deps;
    const now = new Date();
    const view = parseMessage(raw);
    let result: RunResult;
    try {
      result = await this.runRules(plan, view, now);
    } catch (err) {
      result = { status: 'error', actions: [{ type: 'keep', implicit: true, flags: [] }], error: { phase: 'runtime', code: 'host-error', message: `internal error: ${(err as Error).message}` }, message: view, edited: false, duplicates: [] };
    }
    const operations = planOperations(result.actions, { mailbox: POP3_FOLDER });
    const deps = this.deps.executorDeps();
    let outcome: Pop3DeliveryOutcome;
    try {
      outcome = await deliverPop3Message(deps, { account: this.name, uidl, raw, plan: operations, ...(result.edited && { edited: result.message.raw }), ...(this.account.deliverTo && { deliverTo: this.account.deliverTo }) });
    } catch (err) {
      outcome = { status: 'failed', delivered: false, results: [], error: (err as Error).message, ...(err instanceof MailsiftError && { code: err.code }) };
    }
    // The ledger could not record an operation (ledger.ts): the poll fails as a refused commit
    // does (one STATE_UNWRITABLE line, nothing deleted), instead of recording an error row that
    // would leave the message on the server, never tried again.
    if (outcome.code === 'STATE_UNWRITABLE') throw new MailsiftError('STATE_UNWRITABLE', `${outcome.error}; the message stays on the server and is tried again at the next poll`);
    const failed = outcome.status === 'failed';
    const status: 'ok' | 'error' = failed || result.status === 'error' ? 'error' : 'ok';
    const error = failed ? outcome.error : result.status === 'error' ? `rules: ${result.error!.code}${result.error!.line !== undefined ? ` at line ${result.error!.line}` : ''}: ${result.error!.message}` : undefined;
    const from = view.header('from')[0];
    const subject = view.header('subject')[0];
    const alreadyDone = outcome.results.filter((r) => r.status === 'already-done').length;
    const entry: MessageLogEntry = {
      account: this.name,
      mailbox: `${POP3_FOLDER}:${uidl}`,
      uid: number,
      ...(from !== undefined && { from }),
      ...(subject !== undefined && { subject }),
      actions: result.actions.map(describeAction),
      status,
      ...(error !== undefined && { error }),
      ...(alreadyDone > 0 && { alreadyDone }),
    };
    if (failed && (this.stopping || this.retryable(uidl, outcome))) {
      logger.message({ ...entry, error: `${error ?? 'failed'} (left on the server; tried again at the next poll)` });
      return { recorded: false, status, deleteDue: false };
    }
    const deleteDue = !failed && outcome.delivered && this.account.delete === 'after-delivery';
    const at = now.getTime();
    state.transaction(() => {
      state.events.logProcessed({
        account: this.name,
        mailbox: POP3_FOLDER,
        uid: uidl,
        ...(entry.from !== undefined && { from: entry.from }),
        ...(entry.subject !== undefined && { subject: entry.subject }),
        actions: entry.actions.join('; '),
        status,
        // The status row's LAST ERROR carries the code, as a connection error's does (`CODE: reason`).
        ...(error !== undefined && { error: failed && outcome.code !== undefined ? `${outcome.code}: ${error}` : error }),
        at,
      });
      if (!failed) for (const d of result.duplicates) state.duplicates.remember(d.id, d.handle, d.seconds, at);
      this.uidls.record(this.name, uidl, status, deleteDue);
    });
    logger.message(failed ? { ...entry, error: `${error} (left on the server, not tried again)` } : entry);
    return { recorded: true, status, deleteDue };
  }

  /** Connection trouble, a lock, or an operation left in doubt: try again next time. */
  private retryable(uidl: string, outcome: Pop3DeliveryOutcome): boolean {
    for (const r of outcome.results) {
      if (r.status !== 'failed') continue;
      const row = this.deps.state.ledger.get(pop3LedgerKey(this.name, uidl, r.key));
      if (!row) continue;
      if (row.state === 'started') return true;
      const code = /^([A-Z_0-9]+):/.exec(row.error ?? '')?.[1];
      if (code && RETRYABLE.has(code)) return true;
    }
    return false;
  }

  private runRules(plan: Plan, view: ReturnType<typeof parseMessage>, now: Date): Promise<RunResult> {
    const settings = this.deps.settings?.() ?? { environment: hostEnvironment() };
    return runRules(plan, view, { envelope: defaultEnvelope(view, {}), now, settings }, {
      state: this.deps.state,
      mailboxExists: (names) => this.mailboxExists(names),
      ...(this.deps.programs && { programs: this.deps.programs }),
    });
  }

  /** RFC 5490 mailboxexists: a POP3 account has no mailboxes; the question goes to the deliver_to account when it is IMAP. */
  private async mailboxExists(names: readonly string[]): Promise<boolean> {
    const to = this.account.deliverTo;
    const deps = this.deps.executorDeps();
    if (!to || deps.accounts[to.account]?.type !== 'imap') return false;
    try {
      const h = await deps.imap(to.account);
      const all = await h.withClient(async (c) => (await c.list()).map((m) => m.path));
      return names.every((n) => all.some((m) => sameMailbox(m, n)));
    } catch {
      return false;
    }
  }
}

/** The daemon's POP3 runners, one per watched pop3 account, kept in step with the configuration. */
export class Pop3Runners {
  private readonly runners = new Map<string, { runner: Pop3AccountRunner; key: string }>();

  constructor(private readonly deps: Pop3RunnerDeps) {}

  get size(): number {
    return this.runners.size;
  }

  /** Start, restart (changed account) or stop runners so they match `config`'s pop3 watches. */
  apply(config: Config): void {
    const wanted = new Map<string, WatchConfig>();
    for (const w of config.watch) if (config.accounts[w.account]?.type === 'pop3' && !wanted.has(w.account)) wanted.set(w.account, w);
    for (const [name, entry] of [...this.runners]) {
      const w = wanted.get(name);
      const key = w && JSON.stringify(config.accounts[name]);
      if (w && key === entry.key) {
        entry.runner.updateWatch(w);
        continue;
      }
      this.runners.delete(name);
      void entry.runner.drain(30_000).then(() => entry.runner.close());
    }
    for (const [name, w] of wanted) {
      if (this.runners.has(name)) continue;
      const account = config.accounts[name] as Pop3Account;
      const runner = new Pop3AccountRunner(account, w, this.deps);
      this.runners.set(name, { runner, key: JSON.stringify(account) });
      runner.start();
    }
  }

  async drain(timeoutMs: number): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.runner.drain(timeoutMs)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.runner.close()));
    this.runners.clear();
  }
}
