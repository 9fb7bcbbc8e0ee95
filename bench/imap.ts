/**
 * Bench section "imap": what watching ~100 mailboxes costs, mailsift against imapfilter
 * (Debian's IMAPFilter 2.8), on the same Dovecot fixture (bench/imap-fixture.ts: 97 mailboxes,
 * 100,000 messages), every IMAP byte counted by a loopback proxy (bench/imap-proxy.ts).
 *
 * Goals (the daemon issue):
 * - a "nothing new" check over all watched mailboxes at the floor (one LIST-STATUS) when
 *   polling, and nothing at all with NOTIFY;
 * - APPEND → action done within 10 ms over Dovecot's own notification delay (~500 ms), p50
 *   and p99, on every watched folder at once;
 * - ≤ 1 MB more RSS per idle account (1 vs 20 accounts).
 *
 * mailsift side: the real daemon (`mailsift run`, src/daemon with its executor), bundled by
 * bench/imap-daemon.ts and run as a child process under bare node; one `[[watch]]` of `*` per
 * account with a one-rule script (subject → fileinto). See bench/README.md.
 *
 * Environment: MAILSIFT_BENCH_RUNS (memory runs per tool and imapfilter check runs, default 3),
 * MAILSIFT_BENCH_IMAP_PROBES (latency probes per tool, default 30), MAILSIFT_BENCH_TSX=1
 * (the daemon under tsx instead of a bundle), MAILSIFT_BENCH_IMAP_TRACE=1 (every probe's wire
 * events on stderr), IMAPFILTER (the binary).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { quote, RawImapSession } from '../test/support/raw-imap.js';
import { bundleWorker } from './bundle.js';
import { IMAP_WORK, openImapFixture, PROBE_SUBJECT, TARGET_MAILBOX, type ImapFixture } from './imap-fixture.js';
import { ImapfilterRunner, imapfilterVersion, processRssKB } from './imap-imapfilter.js';
import { ImapCountingProxy, ImapLineSplitter, type ProxyCounters, type ProxyEvent } from './imap-proxy.js';
import { BenchUnavailable, median, type SectionGoal, type SectionResult, type SectionRow } from './section.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(BENCH, '.work', 'results-imap.json');
const RUNS = Math.max(1, Number(process.env.MAILSIFT_BENCH_RUNS ?? 3) || 3);
const PROBES = Math.max(5, Number(process.env.MAILSIFT_BENCH_IMAP_PROBES ?? 30) || 30);
const WARMUP_PROBES = 2;
/** MAILSIFT_BENCH_IMAP_TRACE=1: every latency probe's wire events on stderr. */
const TRACE = process.env.MAILSIFT_BENCH_IMAP_TRACE === '1';
/** idle/poll modes: the poll period while their passes are measured. */
const POLL_MS = 1500;
/** notify mode: how long the connection is watched for traffic while nothing happens. */
const NOTIFY_WINDOW_MS = 5000;
const MEMORY_SETTLE_MS = 3000;

const GOAL_OVER_DELAY_MS = 10;
const GOAL_KB_PER_ACCOUNT = 1024;

const RULES = `require "fileinto";\nif header :contains "subject" "${PROBE_SUBJECT}" { fileinto "${TARGET_MAILBOX}"; }\n`;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (v: number) => `${v.toFixed(1)} ms`;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: with 30 samples p99 is the largest.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------------
// The mailsift daemon

interface DaemonLine {
  readonly level?: string;
  readonly event?: string;
  readonly msg?: string;
  readonly status?: string;
  readonly error?: string;
  readonly mode?: string;
}

let daemonRuns = 0;

/**
 * A configuration for `mailsift run`: `accounts` IMAP accounts (all the fixture's user, through
 * the proxy), each with one `[[watch]]` of every mailbox and the bench's one-rule script.
 */
function daemonConfig(port: number, user: string, accounts: number, rewrite?: string): { dir: string; file: string } {
  const dir = rewrite ?? join(IMAP_WORK, `daemon-${process.pid}-${++daemonRuns}`);
  if (!rewrite) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'rules.sieve'), RULES);
  }
  const lines = [`[state]`, `dir = "state"`, ''];
  for (let i = 1; i <= accounts; i++) {
    // The first account keeps its name whatever the count, so a reload to more accounts keeps it connected.
    const name = i === 1 ? 'bench' : `bench${i}`;
    lines.push(`[accounts.${name}]`, 'type = "imap"', 'host = "127.0.0.1"', `port = ${port}`, 'tls = "none"', `user = "${user}"`, 'password_env = "BENCH_IMAP_PASSWORD"', `poll_interval = "${POLL_MS}ms"`, '');
    lines.push('[[watch]]', `account = "${name}"`, 'mailboxes = ["*"]', 'rules = "rules.sieve"', 'start = "new"', '');
  }
  const file = join(dir, 'config.toml');
  writeFileSync(file, lines.join('\n'));
  return { dir, file };
}

class DaemonProcess {
  private readonly lines: DaemonLine[] = [];
  private readonly memory: { rssKB: number; heapUsedKB: number }[] = [];
  private readonly waiters: (() => void)[] = [];
  private stderr = '';
  private exited: string | undefined;

  private constructor(
    readonly child: ChildProcess,
    /** Its config file and state directory; a restart may reuse them (checkpoints kept). */
    readonly config: { dir: string; file: string },
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as DaemonLine);
      } catch {
        log(`mailsift: ${line}`);
      }
      this.wake();
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.startsWith('{"type":"memory"')) this.memory.push(JSON.parse(line) as { rssKB: number; heapUsedKB: number });
      else this.stderr += `${line}\n`;
      this.wake();
    });
    child.on('close', (code, signal) => {
      this.exited = signal ? `killed by ${signal}` : `exit ${code}`;
      this.wake();
    });
  }

  /** `mailsift run` (mode undefined), or startDaemon with the watcher forced into `mode`. */
  static start(entry: string, fixture: ImapFixture, port: number, accounts: number, mode?: 'idle' | 'poll', reuse?: { dir: string; file: string }): DaemonProcess {
    const { dir, file } = reuse ?? daemonConfig(port, fixture.user, accounts);
    const script = process.env.MAILSIFT_BENCH_TSX === '1' ? ['--import', 'tsx', join(BENCH, 'imap-daemon.ts')] : [entry];
    const args = mode ? ['forced', mode, '--config', file] : ['run', '--config', file, '--log-format', 'json'];
    const child = spawn(process.execPath, ['--expose-gc', ...script, ...args], {
      cwd: dir,
      env: { ...process.env, BENCH_IMAP_PASSWORD: fixture.password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new DaemonProcess(child, { dir, file });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async until<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      if (this.exited) throw new Error(`mailsift exited (${this.exited}) while waiting for ${what}: ${this.problems().slice(0, 3).join(' | ')} ${this.stderr.trim()}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`mailsift: no ${what} within ${timeoutMs} ms; it logged: ${this.lines.slice(-5).map((l) => l.msg ?? JSON.stringify(l)).join(' | ')} ${this.stderr.trim()}`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(Math.min(left, 500))]);
    }
  }

  /** Resolves with the watch mode once `accounts` accounts have logged "connected". */
  connected(accounts: number, timeoutMs = 60_000): Promise<string> {
    return this.until(`${accounts} connected account(s)`, timeoutMs, () => {
      const c = this.lines.filter((l) => l.event === 'log' && l.mode !== undefined && / connected to /.test(l.msg ?? ''));
      return c.length >= accounts ? c[0]!.mode! : undefined;
    });
  }

  /** Rewrites the configuration with `accounts` accounts and sends SIGHUP (the daemon reloads it). */
  reload(port: number, user: string, accounts: number): void {
    daemonConfig(port, user, accounts, this.config.dir);
    this.child.kill('SIGHUP');
  }

  /** SIGUSR2: the daemon collects garbage and reports its RSS. */
  async measureMemory(): Promise<{ rssKB: number; heapUsedKB: number }> {
    const before = this.memory.length;
    this.child.kill('SIGUSR2');
    return this.until('a memory report', 10_000, () => this.memory[before]);
  }

  /** Warnings and errors it logged, and messages it could not handle. */
  problems(): string[] {
    return this.lines.flatMap((l) =>
      l.event === 'message' ? (l.status === 'error' ? [`message: ${l.error ?? ''}`] : []) : l.level === 'warn' || l.level === 'error' ? [`${l.level}: ${l.msg ?? ''}`] : [],
    );
  }

  messages(): number {
    return this.lines.filter((l) => l.event === 'message').length;
  }

  /** SIGTERM (the daemon drains and exits 0), SIGKILL after 15 s; then its state dir goes unless kept. */
  async stop(keepState = false): Promise<void> {
    if (!this.exited) {
      const closed = new Promise<void>((r) => this.child.once('close', () => r()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      await closed;
      clearTimeout(timer);
    }
    if (!keepState) rmSync(this.config.dir, { recursive: true, force: true });
  }
}

/**
 * A plain NOTIFY session straight to Dovecot (not through the proxy, not counted): when the
 * daemon misses a push, it tells whether Dovecot sent one at all, and it is a second measure
 * of Dovecot's delay.
 */
class NotifyObserver {
  private readonly pushes: { mailbox: string; at: number }[] = [];
  private tags = 2;

  private constructor(private readonly socket: ReturnType<typeof connect>) {}

  static async open(fixture: ImapFixture): Promise<NotifyObserver> {
    const socket = connect({ host: '127.0.0.1', port: fixture.port, noDelay: true });
    const observer = new NotifyObserver(socket);
    let tagged: ((line: string) => void) | undefined;
    const splitter = new ImapLineSplitter((text) => {
      const box = statusMailbox(text);
      if (box !== undefined) observer.pushes.push({ mailbox: box, at: performance.now() });
      else if (/^O\d /.test(text)) tagged?.(text);
    });
    socket.on('data', (b: Buffer) => splitter.push(b));
    socket.on('error', () => {});
    const command = (tag: string, text: string) =>
      new Promise<void>((resolve, reject) => {
        tagged = (line) => (line.startsWith(`${tag} OK`) ? resolve() : reject(new Error(`observer: ${line}`)));
        socket.write(`${tag} ${text}\r\n`);
      });
    await command('O1', `LOGIN ${quote(fixture.user)} ${quote(fixture.password)}`);
    await command('O2', 'NOTIFY SET (personal (MessageNew MessageExpunge))');
    return observer;
  }

  /** NOTIFY SET again: what makes Dovecot push again after it rotated its list index log. */
  rearm(): void {
    this.socket.write(`O${++this.tags} NOTIFY SET (personal (MessageNew MessageExpunge))\r\n`);
  }

  /** The first push for `mailbox` after `since`, as ms after `since`. */
  pushAfter(mailbox: string, since: number): number | undefined {
    const p = this.pushes.find((x) => x.mailbox === mailbox && x.at >= since);
    return p && p.at - since;
  }

  close(): void {
    this.socket.end('O9 LOGOUT\r\n');
    this.socket.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Traffic helpers

/** Resolves once the proxy has seen no event for quietMs (at most maxMs). */
async function quiet(proxy: ImapCountingProxy, quietMs: number, maxMs: number): Promise<void> {
  let last = performance.now();
  const onEvent = () => (last = performance.now());
  proxy.on('event', onEvent);
  const deadline = performance.now() + maxMs;
  try {
    while (performance.now() - last < quietMs && performance.now() < deadline) await sleep(50);
  } finally {
    proxy.off('event', onEvent);
  }
}

interface PassCost {
  readonly commands: number;
  readonly bytesFromClient: number;
  readonly bytesFromServer: number;
  readonly verbs: Readonly<Record<string, number>>;
  readonly seconds: number;
}

function cost(c: ProxyCounters, seconds: number): PassCost {
  return { commands: c.commands, bytesFromClient: c.bytesFromClient, bytesFromServer: c.bytesFromServer, verbs: c.verbs, seconds };
}

const bytesOf = (p: { bytesFromClient: number; bytesFromServer: number }) => p.bytesFromClient + p.bytesFromServer;

/**
 * Passes of a watcher in idle or poll mode, as the proxy sees them. idle: a pass runs from
 * entering IDLE (`+ idling`) to entering it again (DONE, LIST-STATUS, IDLE); poll: from one
 * LIST-STATUS completion to the next.
 */
async function watcherPasses(proxy: ImapCountingProxy, mode: 'idle' | 'poll', passes: number): Promise<PassCost[]> {
  const out: PassCost[] = [];
  return new Promise<PassCost[]>((resolve, reject) => {
    let armed = false;
    let started = 0;
    let listDone = 0;
    const timer = setTimeout(() => finish(new Error(`no ${passes} ${mode} passes within ${passes * POLL_MS * 3} ms`)), passes * POLL_MS * 3 + 5000);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      proxy.off('event', onEvent);
      if (err) reject(err);
      else resolve(out);
    };
    const boundary = (e: ProxyEvent) =>
      mode === 'idle' ? e.kind === 'continuation' : e.kind === 'tagged' && e.verb === 'LIST';
    const onEvent = (e: ProxyEvent) => {
      if (e.kind === 'command' && (e.verb === 'DONE' || (mode === 'poll' && e.verb === 'LIST'))) started = e.at;
      if (e.kind === 'tagged' && e.verb === 'LIST') listDone = e.at;
      if (!boundary(e)) return;
      if (armed) out.push(cost(proxy.counters(), (listDone - started) / 1000));
      if (out.length >= passes) return finish();
      armed = true;
      proxy.reset();
    };
    proxy.on('event', onEvent);
  });
}

/** The floor: one LIST-STATUS over every mailbox with mailsift's status items, by a raw client. */
async function floorCost(proxy: ImapCountingProxy, fixture: ImapFixture): Promise<{ full: PassCost; minimal: PassCost }> {
  const s = await RawImapSession.open('127.0.0.1', proxy.port, fixture.user, fixture.password);
  try {
    await s.command('ENABLE CONDSTORE');
    const one = async (items: string) => {
      proxy.reset();
      const t = performance.now();
      await s.command(`LIST "" "*" RETURN (STATUS (${items}))`);
      return cost(proxy.counters(), (performance.now() - t) / 1000);
    };
    return { full: await one('UIDNEXT UIDVALIDITY MESSAGES HIGHESTMODSEQ'), minimal: await one('UIDNEXT UIDVALIDITY') };
  } finally {
    await s.logout();
  }
}

// ---------------------------------------------------------------------------------------------
// Latency

interface Probe {
  readonly mailbox: string;
  /** APPEND's tagged OK → the server's push (`* STATUS` / `* n EXISTS`) reaches the client: Dovecot's delay. */
  readonly pushMs: number;
  /** The push → the action's last command completed (MOVE, or COPY + STORE + EXPUNGE). */
  readonly actMs: number;
  /** Of actMs: time the client waited for the server (command sent → its tagged completion). */
  readonly serverMs: number;
  readonly totalMs: number;
  readonly commands: readonly string[];
  /** Per command: the client's time before sending it (since the push or the previous reply), and the server's reply time. */
  readonly steps: readonly Step[];
  /** When the NotifyObserver got its push for the same APPEND (ms after the APPEND's OK). */
  readonly observerPushMs?: number;
}

interface Step {
  readonly verb: string;
  gapMs: number;
  serverMs: number;
}

interface LatencyRun {
  readonly label: string;
  readonly probes: readonly Probe[];
  readonly missed: readonly { mailbox: string; why: string; observerPushMs?: number; logRotated: boolean }[];
  /** Probes (0-based, warm-up included) before which one of the logs NOTIFY follows had rotated, and which. */
  readonly rotations: readonly { probe: number; logs: string[] }[];
}

/** Parses the mailbox name out of `* STATUS name (...)`. */
function statusMailbox(text: string): string | undefined {
  const m = /^\* STATUS ("(?:[^"\\]|\\.)*"|[^\s(]+) \(/i.exec(text);
  if (!m) return undefined;
  return m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/\\(.)/g, '$1') : m[1]!;
}

const DONE_VERBS = new Set(['MOVE', 'UID MOVE', 'EXPUNGE', 'UID EXPUNGE']);

class Appender {
  private n = 0;
  private constructor(private readonly session: RawImapSession) {}

  static async open(fixture: ImapFixture): Promise<Appender> {
    // Straight to Dovecot, not through the proxy: the probes' APPENDs are not the tools' cost.
    return new Appender(await RawImapSession.open('127.0.0.1', fixture.port, fixture.user, fixture.password));
  }

  /** APPENDs a probe; resolves with performance.now() at its tagged OK. */
  async append(mailbox: string, label: string): Promise<number> {
    const n = ++this.n;
    const raw =
      `Date: ${new Date().toUTCString().replace('GMT', '+0000')}\r\nFrom: Probe <probe@example.test>\r\nTo: bench@example.test\r\n` +
      `Subject: ${PROBE_SUBJECT} ${label} ${n}\r\nMessage-ID: <probe-${Date.now()}-${n}@bench.example>\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: text/plain; charset=us-ascii\r\n\r\nA probe of the IMAP bench.\r\n`;
    await this.session.command(`APPEND ${quote(mailbox)}`, Buffer.from(raw, 'latin1'));
    return performance.now();
  }

  async close(): Promise<void> {
    await this.session.logout();
  }
}

/**
 * APPENDs one probe at a time into `folders` (round robin) and times, from the proxy's view of
 * the tool's connection, when the push arrives and when the move is done. The next probe
 * waits until the connection has been quiet for a while (the move's own pushes settled).
 */
async function latency(
  label: string,
  proxy: ImapCountingProxy,
  appender: Appender,
  folders: readonly string[],
  isPush: (e: ProxyEvent, mailbox: string) => boolean,
  observer: NotifyObserver,
  fixture: ImapFixture,
  /** Called when Dovecot has rotated a log NOTIFY follows (NOTIFY sessions must be set up again). */
  onRotated: () => Promise<void>,
): Promise<LatencyRun> {
  const probes: Probe[] = [];
  const missed: { mailbox: string; why: string; observerPushMs?: number; logRotated: boolean }[] = [];
  const rotations: { probe: number; logs: string[] }[] = [];
  let logs = fixture.notifyLogs();
  const rotated = async (i: number): Promise<boolean> => {
    const now = fixture.notifyLogs();
    const which = [...(now.list !== logs.list ? ['dovecot.list.index.log'] : []), ...(now.inbox !== logs.inbox ? ['INBOX dovecot.index.log'] : [])];
    logs = now;
    if (which.length === 0) return false;
    rotations.push({ probe: i, logs: which });
    log(`imap latency ${label}: Dovecot rotated ${which.join(' and ')} before probe ${i}: NOTIFY sessions go silent, setting them up again`);
    observer.rearm();
    await onRotated();
    return true;
  };
  for (let i = 0; i < WARMUP_PROBES + PROBES; i++) {
    const mailbox = folders[i % folders.length]!;
    await quiet(proxy, 700, 8000);
    if (await fixture.reclaim()) log(`imap latency ${label}: someone changed the owner of the fixture (the rules section, run meanwhile?); chowned it back`);
    await rotated(i);
    const events: ProxyEvent[] = [];
    const record = (e: ProxyEvent) => events.push(e);
    proxy.on('event', record);
    let t0 = performance.now();
    try {
      t0 = await appender.append(mailbox, label);
      const push = await proxy.waitFor((e) => isPush(e, mailbox), 5000, `the push for ${mailbox}`);
      const done = await proxy.waitFor((e) => e.kind === 'tagged' && e.conn === push.conn && DONE_VERBS.has(e.verb), 5000, `the move in ${mailbox}`);
      if (done.kind !== 'tagged' || done.status !== 'OK') throw new Error(`${done.kind === 'tagged' ? done.text : ''}`);
      // Time spent waiting for the server within [push, done], per command.
      // DONE is answered by the IDLE command's tagged reply (its verb, as the proxy tracked it).
      const sent = new Map<string, { at: number; step: Step }>();
      let serverMs = 0;
      let last = push.at;
      const commands: string[] = [];
      const steps: Step[] = [];
      for (const e of events) {
        if (e.conn !== push.conn) continue;
        if (e.kind === 'command') {
          if (e.at < push.at || e.at > done.at) continue;
          commands.push(e.verb);
          const step = { verb: e.verb, gapMs: e.at - last, serverMs: 0 };
          steps.push(step);
          sent.set(e.verb === 'DONE' ? 'DONE' : e.tag, { at: e.at, step });
        } else if (e.kind === 'tagged' && e.at <= done.at && sent.has(e.verb === 'IDLE' ? 'DONE' : e.tag)) {
          const key = e.verb === 'IDLE' ? 'DONE' : e.tag;
          const s = sent.get(key)!;
          sent.delete(key);
          s.step.serverMs = e.at - s.at;
          serverMs += s.step.serverMs;
          last = e.at;
        }
      }
      if (i >= WARMUP_PROBES) {
        const observerPushMs = observer.pushAfter(mailbox, t0);
        probes.push({ mailbox, pushMs: push.at - t0, actMs: done.at - push.at, serverMs, totalMs: done.at - t0, commands, steps, ...(observerPushMs !== undefined && { observerPushMs }) });
      }
    } catch (err) {
      const observerPushMs = observer.pushAfter(mailbox, t0);
      const logRotated = await rotated(i + 1);
      if (i >= WARMUP_PROBES) missed.push({ mailbox, why: (err as Error).message, logRotated, ...(observerPushMs !== undefined && { observerPushMs }) });
      log(`imap latency ${label}: probe in ${mailbox}: ${(err as Error).message} (a plain NOTIFY session ${observerPushMs === undefined ? 'got no push either' : `got its push after ${ms(observerPushMs)}`}${logRotated ? '; a log NOTIFY follows rotated with this APPEND' : ''})`);
    } finally {
      proxy.off('event', record);
      if (TRACE) {
        log(`imap trace ${label} probe ${i} in ${mailbox}:`);
        for (const e of events) if (!('text' in e) || !/^\* \d+ FETCH|^\* (FLAGS|OK \[)/.test(e.text)) log(`  ${(e.at - t0).toFixed(1).padStart(8)} #${e.conn} ${e.kind} ${'text' in e ? e.text.slice(0, 120) : ''}`);
      }
    }
  }
  const last = probes.at(-1);
  log(`imap latency ${label}: ${probes.length} probes, ${missed.length} missed; p50 total ${ms(percentile(probes.map((p) => p.totalMs), 50))}, push→done ${ms(percentile(probes.map((p) => p.actMs), 50))}${last ? ` (${last.commands.join(', ')})` : ''}`);
  return { label, probes, missed, rotations };
}

function latencySummary(run: LatencyRun) {
  const pick = (f: (p: Probe) => number) => ({ p50: percentile(run.probes.map(f), 50), p99: percentile(run.probes.map(f), 99) });
  return {
    label: run.label,
    probes: run.probes.length,
    missed: run.missed.length,
    logRotations: run.rotations.length,
    folders: new Set(run.probes.map((p) => p.mailbox)).size,
    total: pick((p) => p.totalMs),
    dovecotDelay: pick((p) => p.pushMs),
    overDelay: pick((p) => p.actMs),
    serverShare: pick((p) => p.serverMs),
    clientShare: pick((p) => p.actMs - p.serverMs),
    commands: mostCommon(run.probes.map((p) => p.commands.join(', '))),
    steps: stepSummary(run.probes),
  };
}

/** Median client gap before, and server time of, each command of the most common sequence. */
function stepSummary(probes: readonly Probe[]): string {
  const common = mostCommon(probes.map((p) => p.commands.join(', ')));
  const same = probes.filter((p) => p.commands.join(', ') === common);
  if (same.length === 0) return '';
  const cells = same[0]!.steps.map((s, i) => `${s.verb} ${median(same.map((p) => p.steps[i]!.gapMs)).toFixed(1)}+${median(same.map((p) => p.steps[i]!.serverMs)).toFixed(1)}`);
  return `${cells.join(', ')} (ms, median over ${same.length} probes: client before + server)`;
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

/** Deterministic shuffle, so that probes visit folders of every size and depth. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  let seed = 12345;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The section

export async function run(): Promise<SectionResult> {
  const imapfilter = imapfilterVersion();
  if (!imapfilter) {
    throw new BenchUnavailable(`no imapfilter at ${process.env.IMAPFILTER ?? '/usr/bin/imapfilter'}: the imap section compares with it (apt-get install imapfilter; IMAPFILTER=path for another binary)`);
  }
  if (!existsSync('/usr/sbin/dovecot') && !process.env.DOVECOT_BIN) {
    throw new BenchUnavailable('no Dovecot (/usr/sbin/dovecot): apt-get install dovecot-imapd (scripts/install-test-deps.sh), or DOVECOT_BIN=path');
  }
  const entry = await bundleWorker(BENCH, 'imap-daemon');
  const fixture = await openImapFixture(log);
  log(`imap: fixture ${fixture.mailboxes.length} mailboxes, ${fixture.messages} messages (${fixture.origin.rebuilt ? 'built' : 'cached'}, ${fixture.origin.seconds.toFixed(1)} s), Dovecot on ${fixture.port}`);
  const proxy = await ImapCountingProxy.start('127.0.0.1', fixture.port);
  const filter = new ImapfilterRunner({ port: proxy.port, user: fixture.user, password: fixture.password });
  const daemons = new Set<DaemonProcess>();
  const startDaemon = (accounts: number, mode?: 'idle' | 'poll') => {
    const d = DaemonProcess.start(entry, fixture, proxy.port, accounts, mode);
    daemons.add(d);
    return d;
  };
  const stopDaemon = async (d: DaemonProcess) => {
    await d.stop();
    daemons.delete(d);
  };
  const problems: string[] = [];
  const reclaim = async (phase: string) => {
    if (!(await fixture.reclaim())) return;
    log(`imap ${phase}: someone changed the owner of the fixture (the rules section, run meanwhile?); chowned it back`);
    problems.push(`fixture chowned by someone else before ${phase}`);
  };
  let appender: Appender | undefined;
  let observer: NotifyObserver | undefined;
  try {
    // ---- 1. the "nothing new" check ------------------------------------------------------------
    await reclaim('check');
    const floor = await floorCost(proxy, fixture);
    log(`imap check: floor (one LIST-STATUS) ${kb(bytesOf(floor.full))}, minimal items ${kb(bytesOf(floor.minimal))}`);

    const imapfilterCheck: Record<string, { cron: PassCost; perPass: PassCost; runs: PassCost[][] }> = {};
    for (const how of ['is_unseen', 'is_new', 'select_all', 'check_status']) {
      const runs = how === 'is_unseen' ? RUNS : 1;
      const one: PassCost[] = [];
      const two: PassCost[] = [];
      for (let r = -1; r < runs; r++) {
        for (const passes of [1, 2]) {
          proxy.reset();
          const { seconds } = await filter.run('check.lua', { BENCH_PASSES: String(passes), BENCH_CHECK: how });
          // The first round warms Dovecot's caches for this kind of search; it is not counted.
          if (r >= 0) (passes === 1 ? one : two).push(cost(proxy.counters(), seconds));
        }
      }
      const med = (list: PassCost[], f: (p: PassCost) => number) => median(list.map(f));
      const cron: PassCost = { commands: med(one, (p) => p.commands), bytesFromClient: med(one, (p) => p.bytesFromClient), bytesFromServer: med(one, (p) => p.bytesFromServer), verbs: one[0]!.verbs, seconds: med(one, (p) => p.seconds) };
      const perPass: PassCost = {
        commands: med(two, (p) => p.commands) - cron.commands,
        bytesFromClient: med(two, (p) => p.bytesFromClient) - cron.bytesFromClient,
        bytesFromServer: med(two, (p) => p.bytesFromServer) - cron.bytesFromServer,
        verbs: Object.fromEntries(Object.entries(two[0]!.verbs).map(([k, v]) => [k, v - (one[0]!.verbs[k] ?? 0)]).filter(([, v]) => (v as number) > 0)),
        seconds: med(two, (p) => p.seconds) - cron.seconds,
      };
      imapfilterCheck[how] = { cron, perPass, runs: [one, two] };
      log(`imap check: imapfilter ${how}: cron run ${cron.commands} commands ${kb(bytesOf(cron))}; per pass ${perPass.commands} commands ${kb(bytesOf(perPass))}`);
    }

    // idle and poll: the modes a server without NOTIFY gets; forced here (Dovecot has NOTIFY).
    const mailsiftCheck: Partial<Record<'idle' | 'poll', { passes: PassCost[] }>> = {};
    for (const mode of ['idle', 'poll'] as const) {
      const d = startDaemon(1, mode);
      const passesP = watcherPasses(proxy, mode, 4);
      await d.connected(1);
      // The first pass may still carry start-up work; the last three count.
      const passes = (await passesP).slice(1);
      problems.push(...d.problems());
      await stopDaemon(d);
      mailsiftCheck[mode] = { passes };
      log(`imap check: mailsift ${mode}: per pass ${passes.map((p) => `${p.commands} commands ${kb(bytesOf(p))}`).join('; ')}`);
    }

    // NOTIFY (what `mailsift run` uses on Dovecot): nothing should cross the wire while nothing happens.
    await reclaim('notify');
    proxy.reset();
    const tNotify = performance.now();
    let notifyDaemon = startDaemon(1);
    const notifyMode = await notifyDaemon.connected(1);
    await quiet(proxy, 500, 10_000);
    const notifyStartup = cost(proxy.counters(), (performance.now() - tNotify) / 1000);
    proxy.reset();
    await sleep(NOTIFY_WINDOW_MS);
    const notifyIdle = cost(proxy.counters(), NOTIFY_WINDOW_MS / 1000);
    log(`imap check: mailsift ${notifyMode}: ${notifyIdle.commands} commands, ${bytesOf(notifyIdle)} bytes in ${NOTIFY_WINDOW_MS / 1000} s`);

    // ---- 2. latency ----------------------------------------------------------------------------
    fixture.addingProbes();
    appender = await Appender.open(fixture);
    observer = await NotifyObserver.open(fixture);
    const watched = fixture.mailboxes.map((m) => m.name).filter((n) => n !== TARGET_MAILBOX);
    const notifyPush = (e: ProxyEvent, mailbox: string) => e.kind === 'untagged' && statusMailbox(e.text) === mailbox;
    const idlePush = (e: ProxyEvent) => e.kind === 'untagged' && /^\* \d+ EXISTS/i.test(e.text);
    let handled = 0;
    const daemonRestarts: string[] = [];
    // What a reconnect does: a new session, NOTIFY SET again (the daemon catches up from its checkpoints).
    const restartDaemon = async () => {
      handled += notifyDaemon.messages();
      problems.push(...notifyDaemon.problems());
      const config = notifyDaemon.config;
      await notifyDaemon.stop(true);
      daemons.delete(notifyDaemon);
      daemonRestarts.push(new Date().toISOString());
      notifyDaemon = DaemonProcess.start(entry, fixture, proxy.port, 1, undefined, config);
      daemons.add(notifyDaemon);
      await notifyDaemon.connected(1);
      await quiet(proxy, 700, 10_000);
    };
    const mailsiftAll = await latency('mailsift-all', proxy, appender, shuffled(watched), notifyPush, observer, fixture, restartDaemon);
    const mailsiftInbox = await latency('mailsift-inbox', proxy, appender, ['INBOX'], notifyPush, observer, fixture, restartDaemon);
    handled += notifyDaemon.messages();
    problems.push(...notifyDaemon.problems());
    await stopDaemon(notifyDaemon);

    const idleFilter = filter.start('idle.lua', { BENCH_PROBE_SUBJECT: PROBE_SUBJECT, BENCH_TARGET: TARGET_MAILBOX, BENCH_WAKEUPS: String(WARMUP_PROBES + PROBES + 10) });
    await imapfilterInIdle(proxy, filter, idleFilter, 60_000);
    // IDLE is not affected by the list index log (it watches the mailbox itself).
    const imapfilterInbox = await latency('imapfilter-inbox', proxy, appender, ['INBOX'], idlePush, observer, fixture, async () => {});
    await filter.stop(idleFilter);
    observer.close();
    observer = undefined;
    await appender.close();
    appender = undefined;

    // ---- 3. memory -----------------------------------------------------------------------------
    await reclaim('memory');
    // Two ways: a fresh process with 1 and one with 20 accounts (what the issue asks; RSS of
    // fresh processes differs by a few MB run to run), and one process grown from 1 to 20
    // accounts by a reload (SIGHUP), whose difference is steadier.
    const mailsiftMemory: { accounts: number; rssKB: number; heapUsedKB: number }[] = [];
    const grown: { oneKB: number; twentyKB: number; heapOneKB: number; heapTwentyKB: number }[] = [];
    const settled = async (d: DaemonProcess, accounts: number) => {
      await d.connected(accounts, 120_000);
      await quiet(proxy, 500, 20_000);
      await sleep(MEMORY_SETTLE_MS);
      return d.measureMemory();
    };
    for (let r = 0; r < RUNS; r++) {
      for (const accounts of [1, 20]) {
        const d = startDaemon(accounts);
        const m = await settled(d, accounts);
        problems.push(...d.problems());
        await stopDaemon(d);
        mailsiftMemory.push({ accounts, ...m });
        log(`imap memory: mailsift ${accounts} account(s): RSS ${(m.rssKB / 1024).toFixed(1)} MB, heap ${(m.heapUsedKB / 1024).toFixed(1)} MB`);
      }
      const d = startDaemon(1);
      const one = await settled(d, 1);
      d.reload(proxy.port, fixture.user, 20);
      const twenty = await settled(d, 20);
      problems.push(...d.problems());
      await stopDaemon(d);
      grown.push({ oneKB: one.rssKB, twentyKB: twenty.rssKB, heapOneKB: one.heapUsedKB, heapTwentyKB: twenty.heapUsedKB });
      log(`imap memory: mailsift 1 → 20 accounts in one process (reload): RSS ${(one.rssKB / 1024).toFixed(1)} → ${(twenty.rssKB / 1024).toFixed(1)} MB`);
    }
    const imapfilterMemory: { accounts: number; rssKB: number }[] = [];
    for (let r = 0; r < RUNS; r++) {
      for (const accounts of [1, 20]) {
        // Once (2026-11-22) a 1-account run never reached IDLE; one retry, then the run is left out.
        for (let attempt = 1; attempt <= 2; attempt++) {
          const child = filter.start('memory.lua', { BENCH_ACCOUNTS: String(accounts) });
          try {
            await imapfilterInIdle(proxy, filter, child, 60_000);
            await sleep(300);
            const rssKB = processRssKB(child.pid!) ?? NaN;
            imapfilterMemory.push({ accounts, rssKB });
            log(`imap memory: imapfilter ${accounts} account(s): RSS ${(rssKB / 1024).toFixed(1)} MB`);
            break;
          } catch (err) {
            log(`imap memory: imapfilter ${accounts} account(s), attempt ${attempt}: ${(err as Error).message}`);
            problems.push(`imapfilter memory run: ${(err as Error).message}`);
          } finally {
            await filter.stop(child);
          }
        }
      }
    }

    // ---- results -------------------------------------------------------------------------------
    const memOf = (list: readonly { accounts: number; rssKB: number }[], n: number) => median(list.filter((m) => m.accounts === n).map((m) => m.rssKB));
    // Medians of each count, then the slope: RSS varies by a few MB between runs of the same count.
    const perAccount = (list: readonly { accounts: number; rssKB: number }[]) => (memOf(list, 20) - memOf(list, 1)) / 19;
    const heapOf = (n: number) => median(mailsiftMemory.filter((m) => m.accounts === n).map((m) => m.heapUsedKB));
    const msMem = {
      one: memOf(mailsiftMemory, 1),
      twenty: memOf(mailsiftMemory, 20),
      perAccount: perAccount(mailsiftMemory),
      heapPerAccount: (heapOf(20) - heapOf(1)) / 19,
      grownPerAccount: median(grown.map((g) => (g.twentyKB - g.oneKB) / 19)),
      grownHeapPerAccount: median(grown.map((g) => (g.heapTwentyKB - g.heapOneKB) / 19)),
    };
    const ifMem = { one: memOf(imapfilterMemory, 1), twenty: memOf(imapfilterMemory, 20), perAccount: perAccount(imapfilterMemory) };

    const poll = median3(mailsiftCheck.poll!.passes);
    const idle = median3(mailsiftCheck.idle!.passes);
    const ifPass = imapfilterCheck.is_unseen!.perPass;
    const ifCron = imapfilterCheck.is_unseen!.cron;
    const all = latencySummary(mailsiftAll);
    const inbox = latencySummary(mailsiftInbox);
    const ifLat = latencySummary(imapfilterInbox);

    const floorBytes = bytesOf(floor.full);
    const goals: SectionGoal[] = [
      {
        name: 'nothing-new check at the floor when polling',
        met: poll.commands === 1 && bytesOf(poll) <= floorBytes * 1.02,
        detail: `poll mode ${poll.commands} command, ${kb(bytesOf(poll))} (floor: one LIST-STATUS, ${kb(floorBytes)}); idle mode ${idle.commands} commands (DONE, LIST-STATUS, IDLE), ${kb(bytesOf(idle))}; imapfilter ${ifPass.commands} commands, ${kb(bytesOf(ifPass))} per pass`,
      },
      {
        name: 'nothing at all with NOTIFY',
        met: notifyIdle.commands === 0 && bytesOf(notifyIdle) === 0,
        detail: `${notifyIdle.commands} commands, ${bytesOf(notifyIdle)} bytes in ${NOTIFY_WINDOW_MS / 1000} s with ${fixture.mailboxes.length} mailboxes watched (${notifyMode} mode; its timers: keepalive every 2 min = NOTIFY SET again + one LIST-STATUS, safety LIST-STATUS every 15 min)`,
      },
      {
        name: `APPEND → moved within ${GOAL_OVER_DELAY_MS} ms over Dovecot's delay, every folder`,
        met: all.missed + inbox.missed === 0 && all.overDelay.p50 <= GOAL_OVER_DELAY_MS && all.overDelay.p99 <= GOAL_OVER_DELAY_MS,
        detail: `push → moved p50 ${ms(all.overDelay.p50)}, p99 ${ms(all.overDelay.p99)} over ${all.probes} probes in ${all.folders} folders (of which waiting for Dovecot p50 ${ms(all.serverShare.p50)}); APPEND → moved p50 ${ms(all.total.p50)}, p99 ${ms(all.total.p99)}; Dovecot's delay p50 ${ms(all.dovecotDelay.p50)}${all.missed + inbox.missed ? `; ${all.missed + inbox.missed} probes missed (no push)` : ''}`,
      },
      {
        name: `≤ ${GOAL_KB_PER_ACCOUNT / 1024} MB RSS per idle account`,
        met: msMem.perAccount <= GOAL_KB_PER_ACCOUNT && msMem.grownPerAccount <= GOAL_KB_PER_ACCOUNT,
        detail: `${(msMem.perAccount / 1024).toFixed(2)} MB per account between processes ((median RSS with 20 − with 1) / 19: ${(msMem.twenty / 1024).toFixed(1)} − ${(msMem.one / 1024).toFixed(1)} MB), ${(msMem.grownPerAccount / 1024).toFixed(2)} MB within one process grown 1 → 20 by a reload; JS heap ${(msMem.grownHeapPerAccount / 1024).toFixed(2)} MB per account; imapfilter ${(ifMem.perAccount / 1024).toFixed(2)} MB`,
      },
    ];

    const rows: SectionRow[] = [
      checkRow(`imapfilter nothing-new pass (is_unseen)`, ifPass, imapfilterCheck.is_unseen!.runs[1]!, ifMem.one),
      checkRow(`mailsift nothing-new pass (poll)`, poll, mailsiftCheck.poll!.passes, msMem.one),
      checkRow(`mailsift nothing-new pass (idle)`, idle, mailsiftCheck.idle!.passes, msMem.one),
      latencyRow('imapfilter APPEND→moved p50 (IDLE, INBOX)', imapfilterInbox, ifMem.one),
      latencyRow('mailsift APPEND→moved p50 (NOTIFY, all)', mailsiftAll, msMem.one),
      latencyRow('mailsift APPEND→moved p50 (NOTIFY, INBOX)', mailsiftInbox, msMem.one),
    ];

    const yes = (b: boolean) => (b ? 'yes' : 'NO');
    const table: string[][] = [
      ['metric', 'mailsift', 'imapfilter', 'goal', 'met?'],
      ['nothing-new pass: commands', `${poll.commands} (poll), ${idle.commands} (idle)`, `${ifPass.commands} (+${ifCron.commands - ifPass.commands} per cron run)`, '1 (one LIST-STATUS)', yes(goals[0]!.met)],
      ['nothing-new pass: bytes', `${kb(bytesOf(poll))} (poll), ${kb(bytesOf(idle))} (idle)`, `${kb(bytesOf(ifPass))} (cron run ${kb(bytesOf(ifCron))})`, `≤ ${kb(floorBytes)}`, yes(goals[0]!.met)],
      [`nothing-new with NOTIFY (${NOTIFY_WINDOW_MS / 1000} s)`, `${notifyIdle.commands} commands, ${bytesOf(notifyIdle)} B`, 'n/a (no NOTIFY)', 'nothing', yes(goals[1]!.met)],
      ['APPEND→moved p50 / p99', `${ms(all.total.p50)} / ${ms(all.total.p99)} (all folders); INBOX ${ms(inbox.total.p50)} / ${ms(inbox.total.p99)}`, `${ms(ifLat.total.p50)} / ${ms(ifLat.total.p99)} (INBOX only)`, `Dovecot's delay + ${GOAL_OVER_DELAY_MS} ms`, ''],
      ["  of which Dovecot's delay p50", `${ms(all.dovecotDelay.p50)}; INBOX ${ms(inbox.dovecotDelay.p50)}`, ms(ifLat.dovecotDelay.p50), '', ''],
      ['  over the delay p50 / p99', `${ms(all.overDelay.p50)} / ${ms(all.overDelay.p99)}; INBOX ${ms(inbox.overDelay.p50)} / ${ms(inbox.overDelay.p99)}`, `${ms(ifLat.overDelay.p50)} / ${ms(ifLat.overDelay.p99)}`, `≤ ${GOAL_OVER_DELAY_MS} ms`, yes(goals[2]!.met)],
      ['  of that, client-side p50', `${ms(all.clientShare.p50)}; INBOX ${ms(inbox.clientShare.p50)}`, ms(ifLat.clientShare.p50), '', ''],
      ['RSS, 1 account', `${(msMem.one / 1024).toFixed(1)} MB`, `${(ifMem.one / 1024).toFixed(1)} MB`, '', ''],
      ['RSS, 20 accounts', `${(msMem.twenty / 1024).toFixed(1)} MB`, `${(ifMem.twenty / 1024).toFixed(1)} MB`, '', ''],
      ['RSS per idle account', `${(msMem.perAccount / 1024).toFixed(2)} MB (one process 1 → 20: ${(msMem.grownPerAccount / 1024).toFixed(2)} MB)`, `${(ifMem.perAccount / 1024).toFixed(2)} MB`, `≤ ${GOAL_KB_PER_ACCOUNT / 1024} MB`, yes(goals[3]!.met)],
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    const notes = [
      `(rows above: "messages" = commands per pass or probes, "seconds" = pass wall time or p50 APPEND→moved)`,
      '',
      ...table.map((r, i) => r.map((c, j) => c.padEnd(widths[j]!)).join('  ').trimEnd() + (i === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : '')),
      '',
      `fixture: ${fixture.mailboxes.length} mailboxes, ${fixture.messages} messages; ${imapfilter}; mailsift = \`mailsift run\` (src/daemon, bundled, bare node), one [[watch]] of "*" per account; ${handled} messages handled in the latency runs`,
      `mailsift per probe, all folders: ${all.steps}`,
      `mailsift per probe, INBOX: ${inbox.steps}`,
      `imapfilter per probe: ${ifLat.steps}`,
      `start-up: mailsift notify ${notifyStartup.commands} commands ${kb(bytesOf(notifyStartup))}; imapfilter cron run of is_unseen ${ifCron.commands} commands ${kb(bytesOf(ifCron))} in ${ifCron.seconds.toFixed(2)} s`,
      `imapfilter per pass by idiom: ${Object.entries(imapfilterCheck).map(([k, v]) => `${k} ${v.perPass.commands} cmds ${kb(bytesOf(v.perPass))}`).join('; ')}`,
      ...(all.missed + inbox.missed ? [`missed probes (no push within 5 s): ${[...mailsiftAll.missed, ...mailsiftInbox.missed].map((m) => `${m.mailbox} (plain NOTIFY session: ${m.observerPushMs === undefined ? 'no push either' : `push after ${ms(m.observerPushMs)}`})`).join(', ')}`] : []),
      ...(daemonRestarts.length || ifLat.logRotations
        ? [
            `Dovecot rotated a log its NOTIFY code follows ${all.logRotations + inbox.logRotations + ifLat.logRotations}× during the latency runs (${[...mailsiftAll.rotations, ...mailsiftInbox.rotations, ...imapfilterInbox.rotations].flatMap((r) => r.logs).join(', ')}). After such a rotation Dovecot 2.3.19 sends no more NOTIFY pushes (for the mailboxes of that log) to a session, the daemon's and a plain NOTIFY session alike (NOOP does not help, NOTIFY SET again does); IDLE is not affected. The daemon re-arms NOTIFY on its keepalive (every 2 min), too late for probes 0.7 s apart: the bench restarted the daemon ${daemonRestarts.length}× then (a reconnect: a new NOTIFY SET).`,
          ]
        : []),
      ...(problems.length ? [`mailsift logged ${problems.length} warnings/errors, first: ${problems.slice(0, 3).join(' | ')}`] : []),
    ];

    const results = {
      section: 'imap',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, loadavg: loadavg(), node: process.version },
      tools: { imapfilter, mailsift: 'mailsift run (src/daemon), bundled by bench/imap-daemon.ts' },
      fixture: { mailboxes: fixture.mailboxes, messages: fixture.messages, origin: fixture.origin },
      check: { floor, imapfilter: imapfilterCheck, mailsift: { ...mailsiftCheck, notify: { mode: notifyMode, startup: notifyStartup, window: notifyIdle } } },
      latency: { summaries: [all, inbox, ifLat], runs: [mailsiftAll, mailsiftInbox, imapfilterInbox] },
      memory: { mailsift: { runs: mailsiftMemory, grown, ...msMem }, imapfilter: { runs: imapfilterMemory, ...ifMem } },
      goals,
      problems,
      daemonRestarts,
    };
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    notes.push(`everything: ${RESULTS}`);
    return { name: 'imap', rows, goals, notes };
  } finally {
    for (const d of daemons) await d.stop().catch(() => {});
    observer?.close();
    await appender?.close().catch(() => {});
    await filter.dispose().catch(() => {});
    await proxy.close().catch(() => {});
    await fixture.removeProbes().catch((err: unknown) => log(`imap: removing the probes failed: ${(err as Error).message}`));
    await fixture.close();
  }
}

/** Resolves when imapfilter's IDLE is accepted (`+ idling`); rejects when it exits first or after timeoutMs, with what it said. */
async function imapfilterInIdle(proxy: ImapCountingProxy, filter: ImapfilterRunner, child: ChildProcess, timeoutMs: number): Promise<void> {
  const recent: string[] = [];
  const keep = (e: ProxyEvent) => {
    if ('text' in e) recent.push(`${e.kind} ${e.text.slice(0, 80)}`);
    if (recent.length > 6) recent.shift();
  };
  proxy.on('event', keep);
  let onExit: (() => void) | undefined;
  try {
    await Promise.race([
      proxy.waitFor((e) => e.kind === 'continuation', timeoutMs, 'imapfilter to enter IDLE'),
      new Promise<never>((_, reject) => {
        onExit = () => reject(new Error(`imapfilter exited (${child.exitCode ?? child.signalCode}): ${filter.outputOf(child)}`));
        child.once('exit', onExit);
      }),
    ]);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last on the wire: ${recent.join(' | ') || 'nothing'}`);
  } finally {
    proxy.off('event', keep);
    if (onExit) child.off('exit', onExit);
  }
}

function median3(passes: readonly PassCost[]): PassCost {
  const m = (f: (p: PassCost) => number) => median(passes.map(f));
  return { commands: m((p) => p.commands), bytesFromClient: m((p) => p.bytesFromClient), bytesFromServer: m((p) => p.bytesFromServer), verbs: passes[0]!.verbs, seconds: m((p) => p.seconds) };
}

function checkRow(tool: string, pass: PassCost, runs: readonly PassCost[], rssKB: number): SectionRow {
  return {
    tool,
    messages: pass.commands,
    seconds: pass.seconds,
    perSecond: pass.seconds > 0 ? pass.commands / pass.seconds : 0,
    peakRssMB: Number.isFinite(rssKB) ? rssKB / 1024 : null,
    runs: runs.map((r) => ({ seconds: r.seconds, cpuSeconds: null, peakRssMB: null })),
  };
}

function latencyRow(tool: string, run: LatencyRun, rssKB: number): SectionRow {
  const p50 = percentile(run.probes.map((p) => p.totalMs), 50) / 1000;
  return {
    tool,
    messages: run.probes.length,
    seconds: p50,
    perSecond: p50 > 0 ? 1 / p50 : 0,
    peakRssMB: Number.isFinite(rssKB) ? rssKB / 1024 : null,
    runs: run.probes.map((p) => ({ seconds: p.totalMs / 1000, cpuSeconds: null, peakRssMB: null })),
  };
}

// `npx tsx bench/imap.ts`: this section alone, printed raw.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run();
  for (const row of r.rows) console.log(`${row.tool}: ${row.messages} in ${row.seconds.toFixed(3)} s`);
  for (const n of r.notes) console.log(n);
  for (const g of r.goals) console.log(`goal ${g.met ? 'MET    ' : 'NOT MET'}  ${g.name}: ${g.detail}`);
}
