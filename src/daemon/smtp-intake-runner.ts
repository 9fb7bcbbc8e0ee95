/**
 * One `smtp-intake` account's listener (src/connectors/smtp-intake): its passwords and TLS
 * files read, listening, closing, and its status row (listen / offline with the error).
 * Each message it receives is handled by smtp-intake-delivery.ts and written down by
 * smtp-intake-records.ts; the daemon's set of listeners is in smtp-intake-account.ts.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Account, SmtpIntakeAccount, WatchConfig } from '../config/types.js';
import { resolveSecret } from '../config/secrets.js';
import { isLoopback } from '../config/accounts.js';
import { MailsiftError } from '../errors.js';
import type { ExecutorDeps } from '../actions/deps.js';
import { oneLine } from '../actions/outbound-run.js';
import { startSmtpIntake, type SmtpIntake } from '../connectors/smtp-intake/server.js';
import type { Plan } from '../runtime/plan.js';
import type { StateDb } from '../state/db.js';
import type { ProgramConfig } from '../host/run-program.js';
import type { DaemonLogger } from './log.js';
import { IntakeDelivery } from './smtp-intake-delivery.js';
import { IntakeRecords } from './smtp-intake-records.js';

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

export class SmtpIntakeRunner {
  private server: SmtpIntake | undefined;
  private readonly serverName: string;
  private readonly records: IntakeRecords;
  private readonly delivery: IntakeDelivery;

  constructor(
    readonly account: SmtpIntakeAccount,
    private watch: WatchConfig,
    private readonly deps: SmtpIntakeDeps,
  ) {
    this.serverName = deps.serverName ?? hostname();
    this.records = new IntakeRecords(account.name, deps.state, deps.logger);
    this.delivery = new IntakeDelivery({ account, watch: () => this.watch, deps, serverName: this.serverName, records: this.records });
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
        deliver: (m) => this.delivery.deliver(m),
        onError: (err) => this.deps.logger.event('error', `${a.name}: delivery failed unexpectedly (answered 451): ${(err as Error).message}`, { account: a.name }),
      });
    } catch (cause) {
      throw new MailsiftError('SMTP_LISTEN_FAILED', `${a.name}: cannot listen on ${a.listenHost}:${this.deps.port ?? a.listenPort}: ${(cause as Error).message}`, { cause });
    }
    this.deps.logger.event('info', `${a.name}: SMTP intake listening on ${this.server.host}:${this.server.port}${tls ? ' (STARTTLS)' : ''}${users ? ' (AUTH required)' : ''}`, { account: a.name });
    this.records.setStatus({ mode: 'listen' });
  }

  /** Stop listening; messages in flight are finished and answered first. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await server.close();
    this.records.setStatus({ mode: 'offline' });
  }

  /** The listener could not start: `mailsift status` shows it offline, with the error and its code. */
  failedToStart(err: unknown): void {
    const code = (err as MailsiftError).code ?? 'SMTP_LISTEN_FAILED';
    this.records.setStatus({ mode: 'offline', lastError: `${code}: ${oneLine((err as Error).message)}` });
  }
}
