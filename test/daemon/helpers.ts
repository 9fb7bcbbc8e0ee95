/**
 * Shared pieces of the daemon tests: a config directory with rules files and password files,
 * messages with known Message-IDs, an IMAP client to append and to look at mailboxes, and
 * polling waits (Dovecot pushes ~0.5 s late; nothing here sleeps for a fixed time).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ImapFlow } from 'imapflow';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import type { DovecotInstance } from '../support/dovecot.js';

export const ROOT = resolve(import.meta.dirname, '../..');

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function message(id: string, subject = id, extra = ''): string {
  return `From: Sender <sender@example.test>\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}@example.test>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n${extra}\r\nBody of ${id}\r\n`;
}

export interface AccountSpec {
  name: string;
  dovecot: DovecotInstance;
  user?: string;
  /** Default: the user's real password. */
  password?: string;
  /** Default: the instance's IMAP port. */
  port?: number;
}

export interface WatchSpec {
  account: string;
  mailboxes?: string[];
  /** Rules text; written to `<name>.sieve`. */
  rules: string;
  rulesName?: string;
  start?: 'new' | 'all';
}

export interface SweepSpec {
  account: string;
  mailbox?: string;
  rules: string;
  rulesName: string;
  schedule: string;
}

export class TestSetup {
  readonly dir: string;
  readonly configFile: string;
  readonly stateDir: string;

  constructor(label: string) {
    this.dir = mkdtempSync(join(tmpdir(), `mailsift-${label}-`));
    this.configFile = join(this.dir, 'config.toml');
    this.stateDir = join(this.dir, 'state');
  }

  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** Writes config.toml (and rules and password files); returns the loaded Config. */
  async write(spec: { accounts: AccountSpec[]; watches: WatchSpec[]; sweeps?: SweepSpec[]; extra?: string }): Promise<Config> {
    const parts: string[] = [`[state]\ndir = ${JSON.stringify(this.stateDir)}\n`];
    for (const a of spec.accounts) {
      const user = a.user ?? 'alice';
      const pw = a.password ?? a.dovecot.users.find((u) => u.name === user)!.password;
      const pwFile = this.file(`${a.name}.password`, `${pw}\n`);
      chmodSync(pwFile, 0o600);
      parts.push(
        `[accounts.${a.name}]\ntype = "imap"\nhost = "127.0.0.1"\nport = ${a.port ?? a.dovecot.imapPort}\ntls = "none"\nuser = "${user}"\npassword_file = ${JSON.stringify(pwFile)}\n`,
      );
    }
    spec.watches.forEach((w, i) => {
      const rules = this.file(`${w.rulesName ?? `watch${i}`}.sieve`, w.rules);
      parts.push(`[[watch]]\naccount = "${w.account}"\nmailboxes = ${JSON.stringify(w.mailboxes ?? ['INBOX'])}\nrules = ${JSON.stringify(rules)}\nstart = "${w.start ?? 'all'}"\n`);
    });
    for (const s of spec.sweeps ?? []) {
      const rules = this.file(`${s.rulesName}.sieve`, s.rules);
      parts.push(`[[sweep]]\naccount = "${s.account}"\nmailbox = ${JSON.stringify(s.mailbox ?? 'INBOX')}\nrules = ${JSON.stringify(rules)}\nschedule = ${JSON.stringify(s.schedule)}\n`);
    }
    if (spec.extra) parts.push(spec.extra);
    writeFileSync(this.configFile, parts.join('\n'));
    return loadConfig(this.configFile);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Many messages fast: written straight into the user's Maildir `new/` (tmp/ then rename, owned
 * by the mail user), which Dovecot picks up at its next look (dovecot.md: ~6,000 msg/s, where
 * an IMAP APPEND costs ~15 ms). `folder` '' is INBOX.
 */
export function deliverDirect(d: DovecotInstance, user: string, folder: string, raws: string[]): void {
  const root = d.maildir(user);
  const dir = folder ? join(root, `.${folder.replaceAll('/', '.')}`) : root;
  const owner = statSync(root);
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true });
  raws.forEach((raw, i) => {
    const name = `${Date.now()}.M${i}P${process.pid}.mailsift-test`;
    const tmp = join(dir, 'tmp', name);
    writeFileSync(tmp, raw);
    chownSync(tmp, owner.uid, owner.gid);
    renameSync(tmp, join(dir, 'new', name));
  });
}

/** An IMAP client for the test's own looking and appending (separate from the daemon's). */
export class Mailboxes {
  private client: ImapFlow | undefined;

  constructor(
    private readonly d: DovecotInstance,
    private readonly user = 'alice',
  ) {}

  private async open(): Promise<ImapFlow> {
    if (this.client?.usable) {
      // A mailbox left selected would not be SELECTed again: close it for a fresh view.
      if (this.client.mailbox) await this.client.mailboxClose();
      return this.client;
    }
    const password = this.d.users.find((u) => u.name === this.user)!.password;
    const client = new ImapFlow({ host: '127.0.0.1', port: this.d.imapPort, secure: false, auth: { user: this.user, pass: password }, logger: false, disableAutoIdle: true });
    client.on('error', () => {});
    await client.connect();
    this.client = client;
    return client;
  }

  async append(mailbox: string, raw: string | Buffer, flags: string[] = []): Promise<void> {
    const c = await this.open();
    await c.append(mailbox, raw, flags);
  }

  /** MOVEs the messages with this Message-ID (with brackets) to `to`, as a mail program does; their UIDs in `from`. */
  async move(from: string, messageId: string, to: string): Promise<number[]> {
    const c = await this.open();
    const lock = await c.getMailboxLock(from);
    try {
      const uids = (await c.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
      if (uids.length > 0) await c.messageMove(uids.join(','), to, { uid: true });
      return uids;
    } finally {
      lock.release();
    }
  }

  /** Message-IDs (without brackets) in a mailbox, in UID order; [] when it does not exist. */
  async ids(mailbox: string): Promise<string[]> {
    const c = await this.open();
    try {
      const lock = await c.getMailboxLock(mailbox, { readOnly: true });
      try {
        const out: string[] = [];
        for await (const m of c.fetch('1:*', { envelope: true, uid: true }, { uid: true })) out.push((m.envelope?.messageId ?? '').replace(/^<|>$/g, ''));
        return out;
      } finally {
        lock.release();
      }
    } catch (err) {
      if ((err as { mailboxMissing?: boolean }).mailboxMissing || /nonexistent|doesn't exist|not exist/i.test(String((err as Error).message) + String((err as { responseText?: string }).responseText))) return [];
      throw err;
    }
  }

  /** Every message of a mailbox as the server gives it (BODY[]), in UID order; [] when it does not exist. */
  async raws(mailbox: string): Promise<Buffer[]> {
    const c = await this.open();
    const exists = (await c.list()).some((m) => m.path === mailbox);
    if (!exists) return [];
    const lock = await c.getMailboxLock(mailbox, { readOnly: true });
    try {
      const out: Buffer[] = [];
      if (c.mailbox && c.mailbox.exists > 0) for await (const m of c.fetch('1:*', { source: true }, { uid: true })) if (m.source) out.push(m.source);
      return out;
    } finally {
      lock.release();
    }
  }

  /** Flags by Message-ID. */
  async flags(mailbox: string): Promise<Map<string, string[]>> {
    const c = await this.open();
    const lock = await c.getMailboxLock(mailbox, { readOnly: true });
    try {
      const out = new Map<string, string[]>();
      for await (const m of c.fetch('1:*', { envelope: true, flags: true }, { uid: true })) out.set((m.envelope?.messageId ?? '').replace(/^<|>$/g, ''), [...(m.flags ?? [])]);
      return out;
    } finally {
      lock.release();
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.logout().catch(() => c.close());
  }
}

/** Lines collected from a child's stdout+stderr. */
export interface Child {
  readonly proc: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `mailsift ARGS` in a child process, through tsx (no build needed). */
export function spawnMailsift(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/daemon/mailsift-child.ts'), ...args], {
    cwd: ROOT,
    // Plain text lines whatever runs the tests (no journald priorities, timestamps on).
    env: { ...process.env, JOURNAL_STREAM: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return { proc, output: () => out, exited };
}
