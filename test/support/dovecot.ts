/**
 * Throwaway Dovecot 2.3 instances for tests: own temp dir, own random ports, own users.
 * Works as root (CI) and as an unprivileged user, and several instances may run at once in
 * parallel vitest workers. See README.md next to this file, and /work/shared/docs/dovecot.md
 * for the facts behind the configuration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { dovecotConfig } from './dovecot-config.js';
import { parseAppendUid, quote, RawImapSession, readGreeting } from './raw-imap.js';

export interface DovecotUser {
  name: string;
  password: string;
}

export interface DovecotOptions {
  /** true: `mailbox_list_index = yes`, NOTIFY is offered. false: no NOTIFY. Default true. */
  notify?: boolean;
  /** Default: alice/alice-secret and bob/bob-secret. Names and passwords must be plain ASCII without ':'. */
  users?: DovecotUser[];
  /** Goes into the temp dir and instance name, to tell instances apart in `ps` and logs. */
  name?: string;
  /** Settings appended to the generated dovecot.conf (e.g. `mail_index_log_rotate_max_size = 2k`). */
  extraConfig?: string;
}

export interface DovecotInstance {
  readonly host: '127.0.0.1';
  readonly imapPort: number;
  readonly pop3Port: number;
  readonly lmtpPort: number;
  /** The instance's temp dir: config, run/, state/, log, home/<user>/Maildir. */
  readonly dir: string;
  readonly users: readonly DovecotUser[];
  readonly notify: boolean;
  /** True between a successful start and stop()/kill(). */
  readonly running: boolean;
  /** SIGTERM to the master; resolves once it and all its children are gone (takes ~2.5 s). */
  stop(): Promise<void>;
  /** SIGKILL to the master and every child; resolves once they are gone. */
  kill(): Promise<void>;
  /** Stops (gracefully) if running, then starts again on the same ports with the same mail. */
  restart(): Promise<void>;
  /** IMAP APPEND, byte-exact (a string is sent as UTF-8). Returns the APPENDUID. */
  append(user: string, mailbox: string, raw: Uint8Array | string, flags?: string[]): Promise<{ uid: number; uidValidity: number }>;
  /** `doveadm -c <this config> ...args`; resolves with stdout. Needs the instance running. */
  doveadm(args: string[], input?: Uint8Array | string): Promise<string>;
  /** The user's Maildir++ root (folder `A/B` is `<root>/.A.B`). */
  maildir(user: string): string;
  /** Creates and subscribes a mailbox (`/` is the hierarchy separator). */
  createMailbox(user: string, name: string): Promise<void>;
  /** The instance log so far. */
  log(): string;
  /** kill() and remove the temp dir. Safe to call twice. */
  dispose(): Promise<void>;
}

const DEFAULT_USERS: DovecotUser[] = [
  { name: 'alice', password: 'alice-secret' },
  { name: 'bob', password: 'bob-secret' },
];
const HOST = '127.0.0.1';
/** A system Dovecot may listen on 10143/10110 on dev machines. */
const RESERVED_PORTS = new Set([10110, 10143, 10024]);
const START_ATTEMPTS = 6;
const READY_TIMEOUT_MS = 15_000;

const binary = (name: string, dirs: string[]) => dirs.map((d) => join(d, name)).find((p) => existsSync(p)) ?? name;
const DOVECOT = process.env.DOVECOT_BIN ?? binary('dovecot', ['/usr/sbin', '/usr/local/sbin']);
const DOVEADM = process.env.DOVEADM_BIN ?? binary('doveadm', ['/usr/bin', '/usr/local/bin']);

export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotInstance> {
  const instance = new Instance(options);
  try {
    await instance.firstStart();
  } catch (err) {
    await instance.dispose();
    throw err;
  }
  return instance;
}

// ---- process bookkeeping -------------------------------------------------------------

const live = new Set<Instance>();
let exitHookInstalled = false;

/** A worker that exits without dispose() must not leave masters behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const instance of live) instance.killSync(true);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`dovecot harness: timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Alive means: exists and is neither a zombie nor dead (a SIGKILLed master lingers as Z). */
function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** pid → [ppid, cmdline] for every process we can read. */
function processTable(): Map<number, { ppid: number; cmdline: string }> {
  const table = new Map<number, { ppid: number; cmdline: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
      table.set(Number(name), { ppid, cmdline });
    } catch {
      // the process went away while scanning
    }
  }
  return table;
}

/**
 * The instance's processes: descendants of the master, plus anything whose title carries the
 * instance name. The title matters after the master is gone: its children (log, stats, imap with
 * a client still connected) outlive a SIGTERMed master and are reparented to init.
 */
function instanceProcesses(master: number | undefined, instanceName: string): number[] {
  const table = processTable();
  const out = new Set<number>();
  const title = `dovecot-${instanceName}/`;
  for (const [pid, p] of table) if (p.cmdline.startsWith(title)) out.add(pid);
  if (master !== undefined) {
    const queue = [master];
    while (queue.length) {
      const parent = queue.shift()!;
      for (const [pid, p] of table) {
        if (p.ppid === parent && !out.has(pid)) {
          out.add(pid);
          queue.push(pid);
        }
      }
    }
  }
  out.delete(process.pid);
  return [...out].filter(processAlive);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Three consecutive free ports (IMAP, POP3, LMTP), random so parallel workers rarely collide. */
async function pickPorts(): Promise<[number, number, number]> {
  for (let i = 0; i < 200; i++) {
    const base = 20_000 + Math.floor(Math.random() * 38_000);
    const ports: [number, number, number] = [base, base + 1, base + 2];
    if (ports.some((p) => RESERVED_PORTS.has(p))) continue;
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return ports;
  }
  throw new Error('dovecot harness: no free port triple found');
}

function passwdIds(user: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function groupName(gid: number): string {
  const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[2] === String(gid));
  return line ? line.split(':')[0]! : String(gid);
}

function run(command: string, args: string[], input?: Uint8Array | string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(input ?? '');
  });
}

// ---- the instance --------------------------------------------------------------------

class Instance implements DovecotInstance {
  readonly host = HOST;
  imapPort = 0;
  pop3Port = 0;
  lmtpPort = 0;
  readonly dir: string;
  readonly users: readonly DovecotUser[];
  readonly notify: boolean;
  private readonly name: string;
  private readonly extraConfig: string;
  private readonly isRoot = process.getuid?.() === 0;
  private readonly mailIds: { uid: number; gid: number };
  private master: ChildProcess | undefined;
  private masterPid: number | undefined;
  private exited = true;
  private disposed = false;

  constructor(options: DovecotOptions) {
    this.notify = options.notify ?? true;
    this.extraConfig = options.extraConfig ?? '';
    this.users = options.users ?? DEFAULT_USERS;
    for (const u of this.users) {
      if (!/^[A-Za-z0-9._-]+$/.test(u.name) || /[:\r\n]/.test(u.password) || /[^\x20-\x7e]/.test(u.password)) {
        throw new Error(`dovecot harness: user ${JSON.stringify(u.name)} needs an ASCII name and a password without ':'`);
      }
    }
    this.name = (options.name ?? 'dovecot').replace(/[^A-Za-z0-9-]/g, '-');
    this.dir = mkdtempSync(join(tmpdir(), `mailsift-${this.name}-`));
    // Root: auth reads the users file as `dovecot`, mail runs as nobody. Non-root: all as us.
    this.mailIds = this.isRoot ? (passwdIds('nobody') ?? { uid: 65534, gid: 65534 }) : { uid: process.getuid!(), gid: process.getgid!() };
    if (this.mailIds.uid === 0) throw new Error('dovecot harness: the mail uid must not be 0');
    chmodSync(this.dir, 0o755);
    mkdirSync(join(this.dir, 'home'), { mode: 0o755 });
    for (const u of this.users) {
      const home = join(this.dir, 'home', u.name);
      mkdirSync(home, { mode: 0o700 });
      if (this.isRoot) chownSync(home, this.mailIds.uid, this.mailIds.gid);
    }
    const usersFile = join(this.dir, 'users');
    writeFileSync(
      usersFile,
      this.users.map((u) => `${u.name}:{PLAIN}${u.password}:${this.mailIds.uid}:${this.mailIds.gid}::${join(this.dir, 'home', u.name)}::\n`).join(''),
      { mode: 0o644 },
    );
    chmodSync(usersFile, 0o644);
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Fixed at the first start (restart keeps the ports), so it names this instance's processes. */
  private get instanceName(): string {
    return `mailsift-${this.name}-${this.imapPort}`;
  }

  private get configPath(): string {
    return join(this.dir, 'dovecot.conf');
  }

  private writeConfig(): void {
    const nonRoot = this.isRoot ? undefined : { user: userInfo().username, group: groupName(process.getgid!()) };
    writeFileSync(
      this.configPath,
      dovecotConfig({
        dir: this.dir,
        instanceName: this.instanceName,
        imapPort: this.imapPort,
        pop3Port: this.pop3Port,
        lmtpPort: this.lmtpPort,
        notify: this.notify,
        extraConfig: this.extraConfig,
        usersFile: join(this.dir, 'users'),
        nonRoot,
      }),
      { mode: 0o644 },
    );
  }

  /** Picks ports and starts; a port lost to a parallel worker between check and bind means: new ports, again. */
  async firstStart(): Promise<void> {
    installExitHook();
    let lastError: unknown;
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      [this.imapPort, this.pop3Port, this.lmtpPort] = await pickPorts();
      this.writeConfig();
      try {
        await this.spawnMaster();
        return;
      } catch (err) {
        lastError = err;
        if (!/Address already in use/i.test(String((err as Error).message))) throw err;
      }
    }
    throw lastError;
  }

  private async spawnMaster(): Promise<void> {
    rmSync(join(this.dir, 'run', 'master.pid'), { force: true });
    const stderrPath = join(this.dir, 'master.stderr');
    const fd = openSync(stderrPath, 'w');
    // -F: the master stays our child, so its pid and exit are known without reading master.pid.
    const master = spawn(DOVECOT, ['-F', '-c', this.configPath], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.master = master;
    this.exited = false;
    let spawnError: Error | undefined;
    // Only this child's events count: a previous master's late 'exit' must not mark this one dead.
    master.once('error', (err) => {
      spawnError = err;
      if (this.master === master) this.exited = true;
    });
    let exitStatus = '';
    master.once('exit', (code, sig) => {
      exitStatus = sig ? `killed by ${sig}` : `exit code ${code}`;
      if (this.master === master) this.exited = true;
    });
    master.unref();
    this.masterPid = master.pid;
    live.add(this);
    try {
      await waitFor(
        `the IMAP greeting on ${HOST}:${this.imapPort}`,
        async () => {
          if (this.exited) {
            const why = spawnError?.message ?? `${readFileSync(stderrPath, 'utf8')}\n${this.log().split('\n').slice(-20).join('\n')}`;
            throw new Error(`dovecot harness: dovecot exited during startup (${exitStatus}): ${why.trim()}`);
          }
          try {
            return (await readGreeting(HOST, this.imapPort, 2_000)).startsWith('* OK');
          } catch {
            return false;
          }
        },
        READY_TIMEOUT_MS,
      );
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /**
   * SIGTERM to the master, then to what it leaves behind: imap processes with a client still
   * connected outlive the master (they answer SIGTERM with `* BYE Server shutting down.`).
   */
  async stop(): Promise<void> {
    const pid = this.masterPid;
    if (pid !== undefined && !this.exited) {
      signal(pid, 'SIGTERM');
      await waitFor('the master to exit after SIGTERM', () => this.exited, 15_000);
    }
    const rest = instanceProcesses(undefined, this.instanceName);
    for (const p of rest) signal(p, 'SIGTERM');
    try {
      await waitFor('the children to exit after SIGTERM', () => !rest.some(processAlive), 3_000);
    } catch {
      for (const p of rest) signal(p, 'SIGKILL');
      await waitFor('the children to exit after SIGKILL', () => !rest.some(processAlive), 5_000);
    }
    live.delete(this);
  }

  async kill(): Promise<void> {
    this.killSync(false);
    // The 'exit' event of our child arrives on a later tick.
    if (this.masterPid !== undefined) await waitFor('the master exit event', () => this.exited, 5_000);
    live.delete(this);
  }

  /** SIGSTOP the master first so it cannot fork while its children are collected. */
  killSync(fromExitHook: boolean): void {
    // Once our child has exited its pid may belong to someone else: never signal it then.
    const pid = this.exited ? undefined : this.masterPid;
    if (pid !== undefined && processAlive(pid)) signal(pid, 'SIGSTOP');
    const all = instanceProcesses(pid !== undefined && processAlive(pid) ? pid : undefined, this.instanceName);
    if (pid !== undefined && processAlive(pid)) all.push(pid);
    for (const p of all) signal(p, 'SIGKILL');
    if (fromExitHook) return;
    // The listening sockets are released once every holder is gone, not when the master dies.
    const deadline = Date.now() + 5_000;
    while (all.some(processAlive) && Date.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }

  async restart(): Promise<void> {
    if (this.disposed) throw new Error('dovecot harness: restart() after dispose()');
    await this.stop();
    // Same ports: retry briefly in case a dying child still holds one.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.spawnMaster();
        return;
      } catch (err) {
        if (attempt >= 10 || !/Address already in use/i.test(String((err as Error).message))) throw err;
        await sleep(100);
      }
    }
  }

  async append(user: string, mailbox: string, raw: Uint8Array | string, flags: string[] = []): Promise<{ uid: number; uidValidity: number }> {
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const session = await RawImapSession.open(HOST, this.imapPort, user, this.password(user));
    try {
      const flagList = flags.length ? ` (${flags.join(' ')})` : '';
      return parseAppendUid(await session.command(`APPEND ${quote(mailbox)}${flagList}`, bytes));
    } finally {
      await session.logout();
    }
  }

  async doveadm(args: string[], input?: Uint8Array | string): Promise<string> {
    const r = await run(DOVEADM, ['-c', this.configPath, ...args], input);
    if (r.code !== 0) throw new Error(`doveadm ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
  }

  maildir(user: string): string {
    this.password(user);
    return join(this.dir, 'home', user, 'Maildir');
  }

  async createMailbox(user: string, name: string): Promise<void> {
    await this.doveadm(['mailbox', 'create', '-s', '-u', user, name]);
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'dovecot.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private password(user: string): string {
    const u = this.users.find((x) => x.name === user);
    if (!u) throw new Error(`dovecot harness: unknown user ${user}`);
    return u.password;
  }
}
