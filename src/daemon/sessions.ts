/**
 * IMAP connections by account name, for the executor (`ExecutorDeps.imap`): the watcher of a
 * watched account (registered by its runner while connected), or, for an account that is only
 * a target (`fileinto :account "archive" ...`) or swept, a connection of its own, opened on
 * first use and kept (it reconnects by itself like any watcher; poll mode, nothing selected).
 */
import type { BackoffOptions } from '../connectors/imap/backoff.js';
import { MailboxWatcher, type WatcherOptions } from '../connectors/imap/watch.js';
import type { Config, ImapAccount } from '../config/types.js';
import { resolveSecret } from '../config/secrets.js';
import { MailsiftError } from '../errors.js';
import { sameMailbox } from '../runtime/result.js';
import type { DaemonLogger } from './log.js';

export interface SessionsOptions {
  readonly logger?: DaemonLogger;
  readonly backoff?: BackoffOptions;
  readonly watcher?: Partial<WatcherOptions>;
}

/** A target-only connection polls rarely: it exists to carry commands, not to watch. */
const TARGET_POLL_MS = 3_600_000;

/** The IMAP accounts of a configuration, by name. */
export function imapAccounts(config: Config): Record<string, ImapAccount> {
  return Object.fromEntries(Object.entries(config.accounts).filter((e): e is [string, ImapAccount] => e[1].type === 'imap'));
}

export class ImapSessions {
  private readonly watched = new Map<string, MailboxWatcher>();
  /** Accounts a runner owns, even while disconnected: never open a second connection for those. */
  private readonly owned = new Set<string>();
  private readonly own = new Map<string, Promise<MailboxWatcher>>();
  private accounts: Readonly<Record<string, ImapAccount>> = {};
  private closed = false;

  constructor(private readonly options: SessionsOptions = {}) {}

  setAccounts(accounts: Readonly<Record<string, ImapAccount>>): void {
    this.accounts = accounts;
  }

  /** A runner owns this account from now on (its connection may still be coming up). */
  claim(account: string): void {
    this.owned.add(account);
  }

  release(account: string): void {
    this.owned.delete(account);
    this.watched.delete(account);
  }

  /** The runner's connection came up (watcher) or went down (undefined). */
  set(account: string, watcher: MailboxWatcher | undefined): void {
    if (watcher) this.watched.set(account, watcher);
    else this.watched.delete(account);
  }

  /** The connection for `account`; rejects IMAP_CONNECTION_LOST when its runner is not connected. */
  async get(account: string): Promise<MailboxWatcher> {
    if (this.closed) throw new MailsiftError('IMAP_CONNECTION_LOST', `IMAP account "${account}": shutting down`);
    const w = this.watched.get(account);
    if (w) return w;
    if (this.owned.has(account)) throw new MailsiftError('IMAP_CONNECTION_LOST', `IMAP account "${account}": not connected (reconnecting)`);
    let p = this.own.get(account);
    if (!p) {
      p = this.open(account);
      this.own.set(account, p);
      // A failed open is forgotten, so the next message tries again.
      p.catch(() => this.own.get(account) === p && this.own.delete(account));
    }
    return p;
  }

  private async open(name: string): Promise<MailboxWatcher> {
    const a = this.accounts[name];
    if (!a) throw new MailsiftError('IMAP_CONNECT_FAILED', `no IMAP account "${name}" is configured`);
    const password = await resolveSecret(a.password, `password of account "${name}"`);
    const watcher = new MailboxWatcher(
      { name, host: a.host, port: a.port, tls: a.tls, user: a.user, password, allowInsecure: a.allowInsecure },
      { ...(this.options.backoff && { backoff: this.options.backoff }), ...this.options.watcher, mailboxes: ['INBOX'], mode: 'poll', pollIntervalMs: TARGET_POLL_MS },
    );
    await watcher.start();
    if (this.closed) {
      await watcher.stop();
      throw new MailsiftError('IMAP_CONNECTION_LOST', `IMAP account "${name}": shutting down`);
    }
    this.options.logger?.event('info', `${name}: connected to ${a.host}:${a.port} as ${a.user} (as a target)`, { account: name });
    return watcher;
  }

  /** Close the connections opened here (runners close their own). */
  async close(): Promise<void> {
    this.closed = true;
    const own = [...this.own.values()];
    this.own.clear();
    this.watched.clear();
    await Promise.all(own.map((p) => p.then((w) => w.stop(), () => undefined)));
  }
}

/** `mailboxexists` through one connection, for sweeps: one LIST, again on a miss at most every 30 s. */
export function cachedMailboxExists(session: MailboxWatcher): (names: readonly string[]) => Promise<boolean> {
  let list: { names: string[]; at: number } | undefined;
  const load = async () => {
    const names = await session.withClient(async (c) => (await c.list()).map((m) => m.path));
    list = { names, at: Date.now() };
    return names;
  };
  const has = (names: readonly string[], all: string[]) => names.every((n) => all.some((m) => sameMailbox(m, n)));
  return async (names) => {
    const all = list?.names ?? (await load());
    if (has(names, all)) return true;
    return list && Date.now() - list.at > 30_000 ? has(names, await load()) : false;
  };
}
