/**
 * The daemon's `smtp-intake` accounts: an SMTP listener each, whose mail runs through the
 * rules of its `[[watch]]` during the DATA phase (docs/smtp-intake.md). In this directory:
 *
 *   smtp-intake-account.ts   the set of listeners (SmtpIntakes): start, stop, restart on a
 *                            changed account, retry one that cannot start; the import path
 *   smtp-intake-runner.ts    one account's listener (SmtpIntakeRunner) and its dependencies
 *   smtp-intake-delivery.ts  one message: stamp, rules per RCPT TO, 550 | store → outbound → 250 | 451
 *   smtp-intake-records.ts   the status row, the log line and the processed row (group commit)
 */
import type { Account, SmtpIntakeAccount, WatchConfig } from '../config/types.js';
import type { MailsiftError } from '../errors.js';
import { SmtpIntakeRunner, type SmtpIntakeDeps } from './smtp-intake-runner.js';

export { SmtpIntakeRunner, type SmtpIntakeDeps } from './smtp-intake-runner.js';

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
