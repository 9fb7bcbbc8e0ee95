/**
 * One `smtp-intake` account in the daemon: its SMTP listener (src/connectors/smtp-intake),
 * and for each message received the rules of its `[[watch]]`, run during the DATA phase:
 *
 *   stamp (Return-Path, Received) → evaluate once per RCPT TO (envelope from/to/auth,
 *   environment location "MTA", phase "during", remote-ip/remote-host) → decide →
 *   reject: 550 | store durably (fsync, or a confirmed IMAP APPEND) → outbound actions
 *   (redirect, vacation, notify, pipe: registry + ledger; a failure adds the keep) → 250
 *   | a store fails: 451, nothing stored
 *
 * The processed log and the duplicate ids are written after the stores, before the reply.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Account, SmtpIntakeAccount, WatchConfig } from '../config/types.js';
import { resolveSecret } from '../config/secrets.js';
import { isLoopback } from '../config/accounts.js';
import { MailsiftError } from '../errors.js';
import { isSqliteError, sqliteReason } from '../state/sqlite-errors.js';
import type { ExecutorDeps } from '../actions/deps.js';
import { oneLine } from '../actions/outbound-run.js';
import { decide, mailboxKey, type StoreRequest } from '../connectors/smtp-intake/decide.js';
import { INTAKE_FOLDER, runIntakeOutbound, transactionDigest, type OutboundResult } from '../connectors/smtp-intake/outbound.js';
import { startSmtpIntake, type IntakeVerdict, type ReceivedMessage, type SmtpIntake } from '../connectors/smtp-intake/server.js';
import { mailboxExists, storeAll, type StoredCopy } from '../connectors/smtp-intake/store.js';
import { stamp } from '../connectors/smtp-intake/trace-headers.js';
import { hostEnvironment } from '../host/environment.js';
import { runRules } from './run-rules.js';
import { describeAction } from '../report/describe-action.js';
import type { Action } from '../runtime/actions.js';
import type { RunResult } from '../runtime/evaluate.js';
import { parseMessage } from '../runtime/message/parse.js';
import type { MessageView } from '../runtime/message/types.js';
import type { Plan } from '../runtime/plan.js';
import type { StateDb } from '../state/db.js';
import type { StatusPatch } from '../state/events.js';
import type { ProgramConfig } from '../host/run-program.js';
import type { DaemonLogger, MessageLogEntry } from './log.js';

export interface SmtpIntakeDeps {
  readonly state: StateDb;
  readonly logger: DaemonLogger;
  /** The compiled rules of a file (the daemon's RulesRegistry). */
  plan(file: string): Plan | undefined;
  /** The configured accounts (for the target and `fileinto :account`). */
  accounts(): Readonly<Record<string, Account>>;
  /**
   * The executor's dependencies (ledger, accounts, IMAP connections, outbound handlers), built
   * per message so a reload is seen. Without it: the state's ledger, no IMAP targets and no
   * outbound handlers (an outbound action then fails and the message is kept).
   */
  executorDeps?(): ExecutorDeps;
  /** The name in the greeting and the Received header. Default: os.hostname(). */
  readonly serverName?: string;
  /** Listen here instead of the configured port (tests: 0). */
  readonly port?: number;
  /** RunOptions.settings for the rules (rule-settings.ts), with these environment items. */
  settings?(environment: Readonly<Record<string, string>>): Readonly<Record<string, unknown>>;
  /** The `[pipe]` allow-list for vnd.dovecot.execute (run-rules.ts). */
  programs?(): ProgramConfig | undefined;
  readonly now?: () => Date;
}

let transactions = 0;

/** A message's failure: the text for the log line, and its stable code for the status row. */
interface Problem {
  readonly text: string;
  readonly code?: string;
}

function problemOf(err: unknown): Problem {
  return { text: (err as Error).message, ...(err instanceof MailsiftError && { code: err.code }) };
}

export class SmtpIntakeRunner {
  private server: SmtpIntake | undefined;
  private readonly serverName: string;

  constructor(
    readonly account: SmtpIntakeAccount,
    private watch: WatchConfig,
    private readonly deps: SmtpIntakeDeps,
  ) {
    this.serverName = deps.serverName ?? hostname();
  }

  get name(): string {
    return this.account.name;
  }

  /** The bound address once started. */
  get address(): { host: string; port: number } | undefined {
    return this.server && { host: this.server.host, port: this.server.port };
  }

  /** A rules-only change: the next message uses the new watch. */
  updateWatch(watch: WatchConfig): void {
    this.watch = watch;
  }

  /** Read the passwords and TLS files, then listen. Throws when any of that fails. */
  async start(): Promise<void> {
    const a = this.account;
    if (a.target === undefined) throw new MailsiftError('CONFIG_INVALID', `${a.name}: an smtp-intake account needs target_account`);
    let users: Map<string, string> | undefined;
    if (a.users) {
      users = new Map();
      for (const u of a.users) users.set(u.user, await resolveSecret(u.password, `${a.name} user ${u.user}`));
    }
    let tls: { key: Buffer; cert: Buffer } | undefined;
    if (a.tls) {
      try {
        tls = { key: await readFile(a.tls.keyFile), cert: await readFile(a.tls.certFile) };
      } catch (cause) {
        throw new MailsiftError('SMTP_LISTEN_FAILED', `${a.name}: cannot read the TLS key or certificate: ${(cause as Error).message}`, { cause });
      }
    }
    try {
      this.server = await startSmtpIntake({
        host: a.listenHost,
        port: this.deps.port ?? a.listenPort,
        recipients: a.recipients,
        maxSizeBytes: a.maxSizeBytes,
        serverName: this.serverName,
        ...(tls && { tls }),
        ...(users && { users }),
        allowInsecureAuth: isLoopback(a.listenHost),
        deliver: (m) => this.deliver(m),
        onError: (err) => this.deps.logger.event('error', `${a.name}: delivery failed unexpectedly (answered 451): ${(err as Error).message}`, { account: a.name }),
      });
    } catch (cause) {
      throw new MailsiftError('SMTP_LISTEN_FAILED', `${a.name}: cannot listen on ${a.listenHost}:${this.deps.port ?? a.listenPort}: ${(cause as Error).message}`, { cause });
    }
    this.deps.logger.event('info', `${a.name}: SMTP intake listening on ${this.server.host}:${this.server.port}${tls ? ' (STARTTLS)' : ''}${users ? ' (AUTH required)' : ''}`, { account: a.name });
    this.setStatus({ mode: 'listen' });
  }

  /** Stop listening; messages in flight are finished and answered first. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await server.close();
    this.setStatus({ mode: 'offline' });
  }

  /** The listener could not start: `mailsift status` shows it offline, with the error and its code. */
  failedToStart(err: unknown): void {
    const code = (err as MailsiftError).code ?? 'SMTP_LISTEN_FAILED';
    this.setStatus({ mode: 'offline', lastError: `${code}: ${oneLine((err as Error).message)}` });
  }

  /** The intake's row in `mailsift status` (mailbox SMTP), as the IMAP and POP3 accounts keep theirs. */
  private setStatus(patch: StatusPatch): void {
    try {
      this.deps.state.events.setStatus(this.name, INTAKE_FOLDER, patch);
    } catch {
      // the state database is closing: nothing left to show
    }
  }

  private async deliver(m: ReceivedMessage): Promise<IntakeVerdict> {
    const now = this.deps.now?.() ?? new Date();
    const target = this.account.target!;
    const plan = this.deps.plan(this.watch.rules);
    const id = `${m.session.id}.${++transactions}`;
    if (!plan) return this.finish(id, undefined, [], { kind: 'temporary', reason: 'the rules are not loaded' }, 'error', { text: `rules file ${this.watch.rules} is not loaded` });
    const raw = stamp(m.envelope, m.session, this.serverName, now, m.raw);
    const view = parseMessage(raw);
    const environment = hostEnvironment({ location: 'MTA', phase: 'during', 'remote-ip': m.session.remoteIp, 'remote-host': m.session.remoteIp });
    const runs: RunResult[] = [];
    for (const rcpt of m.envelope.rcptTo) {
      runs.push(await this.run(plan, view, { from: m.envelope.mailFrom, to: rcpt, ...(m.session.user !== undefined && { auth: m.session.user }) }, environment, now));
    }
    const actions = runs.flatMap((r) => r.actions);
    const runError = runs.find((r) => r.status === 'error')?.error;
    const errorText = runError && `rules: ${runError.code}${runError.line !== undefined ? ` at line ${runError.line}` : ''}: ${runError.message}`;
    // editheader changes apply to what is stored: the first run's message, when it was edited.
    const edited = runs.find((r) => r.edited)?.message.raw;
    const decision = decide(runs.map((r) => r.actions), target);
    if (decision.kind === 'reject') {
      return this.finish(id, view, actions, { kind: 'rejected', reason: decision.reason }, errorText ? 'error' : 'ok', errorText === undefined ? undefined : { text: errorText });
    }
    const deps = this.executorDeps();
    const keep: StoreRequest = { account: target.account, mailbox: target.mailbox, flags: [], create: true, keep: true };
    const message = edited ?? raw;
    let stored: StoredCopy[];
    try {
      stored = await storeAll(deps, decision.stores, keep, message, now);
    } catch (err) {
      return this.finish(id, view, actions, { kind: 'temporary', reason: 'cannot store the message now' }, 'error', problemOf(err));
    }
    for (const s of stored) {
      if (s.fellBackFrom !== undefined) this.deps.logger.event('warn', `${this.name}: fileinto "${s.fellBackFrom}": no such folder in ${s.account}; kept in "${s.mailbox}" instead`, { account: this.name });
    }
    // Only now, with the message stored, the actions that leave the mailbox (RFC 5321 §4.2.5:
    // until the 250 the client still holds it, so a crash here loses nothing; the ledger
    // keeps a resent message from sending twice).
    let outbound: OutboundResult[] = [];
    if (decision.outbound.length > 0) {
      outbound = await runIntakeOutbound(deps, { account: this.name, digest: transactionDigest(m.envelope, m.raw), message, requests: decision.outbound });
      const failed = outbound.filter((o) => o.status === 'failed');
      for (const f of failed) this.deps.logger.event('warn', `${this.name}: ${f.detail}; the message is kept in ${target.account}/${target.mailbox}`, { account: this.name, code: 'OUTBOUND_FAILED' });
      const have = new Set(stored.map((s) => mailboxKey(s.account, s.mailbox)));
      // An action left in doubt by a crash (the client resent the message) was not carried out
      // again, and may never have been: keep the message too (a second copy beats none).
      const keepFor = outbound.filter((o) => o.status === 'failed' || o.inDoubt);
      const fallback = keepFor.map((f) => f.request.keepOnFailure).filter((k) => !have.has(mailboxKey(k.account, k.mailbox)));
      if (fallback.length > 0) {
        const flags = [...new Set(fallback.flatMap((k) => k.flags))];
        try {
          stored = [...stored, ...(await storeAll(deps, [{ ...fallback[0]!, flags }], keep, message, now))];
        } catch (err) {
          // Nothing holds the message now: the client must keep it. A resend finds the sent actions done.
          return this.finish(id, view, actions, { kind: 'temporary', reason: 'cannot store the message now' }, 'error', { ...problemOf(err), text: `${keepFor[0]!.detail}; then the keep failed: ${(err as Error).message}` });
        }
      }
    }
    const sent = outbound.filter((o) => o.status !== 'failed').map((o) => o.request.op.action.type);
    const where = stored.length === 0 ? (sent.length > 0 ? `accepted (${[...new Set(sent)].join(', ')})` : 'accepted and discarded') : `stored in ${stored.map((s) => `${s.account}/${s.mailbox}`).join(', ')}`;
    const verdict: IntakeVerdict = { kind: 'accepted', detail: `${where} (${id})` };
    const outboundFailure = outbound.find((o) => o.status === 'failed');
    const problem: Problem | undefined = errorText !== undefined ? { text: errorText } : outboundFailure && { text: outboundFailure.detail, ...(outboundFailure.code !== undefined && { code: outboundFailure.code }) };
    const remember = errorText ? undefined : () => runs.forEach((r) => r.duplicates.forEach((d) => this.deps.state.duplicates.remember(d.id, d.handle, d.seconds, now.getTime())));
    return this.finish(id, view, actions, verdict, problem ? 'error' : 'ok', problem, remember);
  }

  private executorDeps(): ExecutorDeps {
    return (
      this.deps.executorDeps?.() ?? {
        ledger: this.deps.state.ledger,
        accounts: this.deps.accounts(),
        imap: (name) => Promise.reject(new MailsiftError('IMAP_CONNECT_FAILED', `${name}: no IMAP connections in this setup`)),
      }
    );
  }

  private async run(plan: Plan, view: MessageView, envelope: { from: string; to: string; auth?: string }, environment: Record<string, string>, now: Date): Promise<RunResult> {
    const target = this.account.target!;
    try {
      const settings = this.deps.settings?.(environment) ?? { environment };
      return await runRules(plan, view, { envelope, now, settings }, {
        state: this.deps.state,
        mailboxExists: (names) => mailboxExists(this.executorDeps(), target.account, names),
        ...(this.deps.programs && { programs: this.deps.programs }),
      });
    } catch (err) {
      // A bug in the runtime, not in the rules: keep the message, as for a runtime error.
      return { status: 'error', actions: [{ type: 'keep', implicit: true, flags: [] }], error: { phase: 'runtime', code: 'host-error', message: `internal error: ${(err as Error).message}` }, message: view, edited: false, duplicates: [] };
    }
  }

  /** Log the outcome (daemon log and the processed table, with the duplicate ids), then give the verdict back. */
  private async finish(id: string, view: MessageView | undefined, actions: readonly Action[], verdict: IntakeVerdict, status: 'ok' | 'error', problem?: Problem, remember?: () => void): Promise<IntakeVerdict> {
    const error = problem?.text;
    const from = view?.header('from')[0];
    const subject = view?.header('subject')[0];
    const messageId = view?.header('message-id')[0]?.trim();
    const reply = verdict.kind === 'accepted' ? '250' : verdict.kind === 'rejected' ? '550' : '451';
    const described = [...new Set(actions.map(describeAction))];
    const entry: MessageLogEntry = {
      account: this.name,
      mailbox: INTAKE_FOLDER,
      uid: transactions,
      ...(from !== undefined && { from }),
      ...(subject !== undefined && { subject }),
      ...(messageId !== undefined && { messageId }),
      actions: [...described, `SMTP ${reply}`],
      status,
      ...(error !== undefined && { error }),
    };
    await this.record(() => {
      remember?.();
      this.deps.state.events.logProcessed({
        account: this.name,
        mailbox: INTAKE_FOLDER,
        uid: id,
        ...(messageId !== undefined && { messageId }),
        ...(from !== undefined && { from }),
        ...(subject !== undefined && { subject }),
        actions: entry.actions.join('; '),
        status,
        // The status row's LAST ERROR carries the code, as a connection error's does (`CODE: reason`).
        ...(problem !== undefined && { error: problem.code !== undefined ? `${problem.code}: ${problem.text}` : problem.text }),
      });
    }, id);
    this.deps.logger.message(entry);
    return verdict;
  }
  private recordQueue: { write: () => void; id: string }[] = [];
  private recordFlush: Promise<void> | undefined;

  /**
   * Group commit of the bookkeeping rows: the messages that finish in the same turn of the
   * event loop share one SQLite transaction (one WAL append instead of one per message).
   * Resolves once the rows are written; a row that fails is logged and costs only itself.
   */
  private record(write: () => void, id: string): Promise<void> {
    this.recordQueue.push({ write, id });
    this.recordFlush ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        const batch = this.recordQueue;
        this.recordQueue = [];
        this.recordFlush = undefined;
        const failed: { id: string; err: unknown }[] = [];
        try {
          this.deps.state.transaction(() => {
            for (const r of batch) {
              try {
                r.write();
              } catch (err) {
                failed.push({ id: r.id, err });
              }
            }
          });
        } catch (err) {
          failed.push(...batch.map((r) => ({ id: r.id, err })));
        }
        for (const f of failed) {
          // The reply stands (the message is stored, or the client keeps it): only the log row is missing.
          const refused = isSqliteError(f.err);
          const why = refused ? sqliteReason(f.err as Error & { code: string }) : (f.err as Error).message;
          this.deps.logger.event('warn', `${this.name}: cannot record message ${f.id} in the state database ${this.deps.state.file}: ${why}`, { account: this.name, ...(refused && { code: 'STATE_UNWRITABLE' }) });
        }
        resolve();
      }),
    );
    return this.recordFlush;
  }

}

/** What needs a new listener when it changes: the account's settings and its target's. */
function intakeKey(account: SmtpIntakeAccount, accounts: Readonly<Record<string, Account>>): string {
  return JSON.stringify({ account, target: account.target && accounts[account.target.account] });
}

/**
 * The daemon's smtp-intake listeners: one per watched smtp-intake account. `apply` makes them
 * match a configuration (start, stop, restart on a changed account, swap rules in place); a
 * listener that cannot start is logged and tried again every `retryMs`.
 */
export class SmtpIntakes {
  private readonly running = new Map<string, { runner: SmtpIntakeRunner; key: string; retry?: NodeJS.Timeout; started: Promise<void> }>();
  private config: { accounts: Readonly<Record<string, Account>> } = { accounts: {} };
  private closed = false;

  constructor(private readonly deps: Omit<SmtpIntakeDeps, 'accounts'> & { readonly retryMs?: number }) {}

  /** How many intakes are configured to listen (started, or retrying). */
  get size(): number {
    return this.running.size;
  }

  /** The listening address of an account's intake (tests, logs). */
  address(name: string): { host: string; port: number } | undefined {
    return this.running.get(name)?.runner.address;
  }

  /** Resolves once every listener has started (or failed its first attempt). */
  async ready(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.started));
  }

  apply(config: { accounts: Readonly<Record<string, Account>>; watch: readonly WatchConfig[] }): void {
    if (this.closed) return;
    this.config = config;
    const wanted = new Map<string, { account: SmtpIntakeAccount; watch: WatchConfig }>();
    for (const w of config.watch) {
      const a = config.accounts[w.account];
      if (a?.type === 'smtp-intake') wanted.set(a.name, { account: a, watch: w });
    }
    for (const [name, entry] of [...this.running]) {
      const want = wanted.get(name);
      if (want && entry.key === intakeKey(want.account, config.accounts)) {
        entry.runner.updateWatch(want.watch);
        continue;
      }
      this.running.delete(name);
      clearTimeout(entry.retry);
      this.deps.logger.event('info', `${name}: ${want ? 'settings changed, restarting the SMTP intake' : 'no longer watched, closing the SMTP intake'}`, { account: name });
      const stopped = entry.started.then(() => entry.runner.close());
      if (want) this.launch(want.account, want.watch, stopped);
    }
    for (const [name, want] of wanted) if (!this.running.has(name)) this.launch(want.account, want.watch, Promise.resolve());
  }

  private launch(account: SmtpIntakeAccount, watch: WatchConfig, after: Promise<void>): void {
    const runner = new SmtpIntakeRunner(account, watch, { ...this.deps, accounts: () => this.config.accounts });
    const entry: { runner: SmtpIntakeRunner; key: string; retry?: NodeJS.Timeout; started: Promise<void> } = { runner, key: intakeKey(account, this.config.accounts), started: Promise.resolve() };
    const attempt = async (): Promise<void> => {
      if (this.closed || this.running.get(account.name) !== entry) return;
      try {
        await runner.start();
      } catch (err) {
        this.deps.logger.event('error', `${(err as Error).message}; trying again in ${Math.round((this.deps.retryMs ?? 30_000) / 1000)}s`, { account: account.name, code: (err as MailsiftError).code });
        runner.failedToStart(err);
        entry.retry = setTimeout(() => void (entry.started = attempt()), this.deps.retryMs ?? 30_000);
        entry.retry.unref();
      }
    };
    this.running.set(account.name, entry);
    entry.started = after.then(attempt);
  }

  /** Stop every listener; messages in flight are finished and answered first. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(
      all.map(async (e) => {
        clearTimeout(e.retry);
        await e.started;
        await e.runner.close();
      }),
    );
  }
}
