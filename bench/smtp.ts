/**
 * Bench section "smtp": SMTP intake throughput. The same messages are delivered over loopback
 * by 8 concurrent clients (one connection each, one message per transaction) to
 *
 *   - mailsift's SMTP intake (bench/smtp-intake-worker.ts): bench/rules-40.sieve run during
 *     DATA, each message fsync'd into a Maildir before the 250;
 *   - the reference, Dovecot's LMTP with its Sieve plugin (`protocol lmtp { mail_plugins =
 *     $mail_plugins sieve }`, test/support/dovecot.ts) and the same script as the user's
 *     active sieve; Dovecot fsyncs on save (mail_fsync = optimized).
 *
 * The bench-specific Dovecot variant: `sendmail_path = /bin/true`, so the script's `redirect
 * :copy` and `notify mailto:` do not try to send real mail. mailsift's intake carries them out
 * too (docs/smtp-intake.md): its `[outgoing]` is a local SMTP sink in this process
 * (test/support/smtp-sink.ts) that accepts and keeps them, the counterpart of /bin/true.
 *
 * Goal (issue 4): mailsift's messages/s ≥ Dovecot LMTP's.
 *
 * Environment: MAILSIFT_CORPUS (as for "rules"), MAILSIFT_BENCH_SMTP_MESSAGES (default 2000),
 * MAILSIFT_BENCH_RUNS (default 3).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startDovecot, type DovecotInstance } from '../test/support/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../test/support/smtp-sink.js';
import { BenchUnavailable, median, type SectionResult, type SectionRow } from './section.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH, '..');
const WORK = join(BENCH, '.work', 'smtp');
const SCRIPT = join(BENCH, 'rules-40.sieve');
const CLIENTS = 8;
const COUNT = Math.max(8, Number(process.env.MAILSIFT_BENCH_SMTP_MESSAGES ?? 2000) || 2000);
const RUNS = Math.max(1, Number(process.env.MAILSIFT_BENCH_RUNS ?? 3) || 3);
const RECIPIENT = 'alice@example.test';
const GROUPS = ['train/spam', 'train/ham', 'test/spam', 'test/ham'];

function corpus(): Buffer[] {
  const base = process.env.MAILSIFT_CORPUS ? resolve(process.env.MAILSIFT_CORPUS) : resolve(REPO, '../shared/corpus');
  const root = existsSync(join(base, 'spamham')) ? join(base, 'spamham') : base;
  const files = GROUPS.flatMap((g) => (existsSync(join(root, g)) ? readdirSync(join(root, g)).sort().filter((n) => n.endsWith('.eml')).map((n) => join(root, g, n)) : []));
  if (files.length === 0) throw new BenchUnavailable(`no corpus under ${base} (spamham/{train,test}/{spam,ham}/*.eml); set MAILSIFT_CORPUS`);
  // Interleave the groups so every run sees the same mix; SMTP needs CRLF line endings.
  const step = Math.max(1, Math.floor(files.length / COUNT));
  const picked = files.filter((_, i) => i % step === 0).slice(0, COUNT);
  return picked.map((f) => Buffer.from(readFileSync(f, 'latin1').replace(/\r?\n/g, '\r\n'), 'latin1'));
}

/** Dot-stuffed DATA with the terminating dot (RFC 5321 §4.5.2). */
function dataOf(raw: Buffer): Buffer {
  const text = raw.toString('latin1').replace(/(^|\r\n)\./g, '$1..');
  return Buffer.from(`${text}${text.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1');
}

/** A minimal SMTP/LMTP client: one command, one (possibly multi-line) reply. */
class Client {
  private buf = '';
  private waiting: ((line: string) => void) | undefined;
  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d) => {
      this.buf += d.toString('latin1');
      for (;;) {
        const m = /^(\d{3}) [^\r\n]*\r\n/m.exec(this.buf);
        if (!m) return;
        const line = m[0];
        this.buf = this.buf.slice(m.index + line.length);
        const w = this.waiting;
        this.waiting = undefined;
        w?.(line.trim());
      }
    });
  }
  static async open(port: number, lmtp: boolean): Promise<Client> {
    const socket = connect(port, '127.0.0.1');
    const c = new Client(socket);
    await c.reply();
    await c.command(`${lmtp ? 'LHLO' : 'EHLO'} bench.test`, 250);
    return c;
  }
  private reply(): Promise<string> {
    return new Promise((r) => (this.waiting = r));
  }
  async command(line: string | Buffer, expect: number): Promise<void> {
    const p = this.reply();
    this.socket.write(typeof line === 'string' ? `${line}\r\n` : line);
    const got = await p;
    if (!got.startsWith(String(expect))) throw new Error(`expected ${expect} to ${String(line).slice(0, 30)}, got: ${got}`);
  }
  async send(data: Buffer): Promise<void> {
    await this.command('MAIL FROM:<bench@example.org>', 250);
    await this.command(`RCPT TO:<${RECIPIENT}>`, 250);
    await this.command('DATA', 354);
    await this.command(data, 250);
  }
  close(): void {
    this.socket.end('QUIT\r\n');
  }
}

async function blast(port: number, lmtp: boolean, messages: readonly Buffer[]): Promise<number> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => Client.open(port, lmtp)));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (next < messages.length) await c.send(messages[next++]!);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const c of clients) c.close();
  return seconds;
}

function row(tool: string, count: number, runs: Run[]): SectionRow {
  const seconds = median(runs.map((r) => r.seconds));
  const peaks = runs.map((r) => r.peakRssMB).filter((p): p is number => p !== null);
  return { tool, messages: count, seconds, perSecond: count / seconds, peakRssMB: peaks.length ? Math.max(...peaks) : null, runs: runs.map((r) => ({ ...r, cpuSeconds: r.cpuSeconds ?? null })) };
}

type Run = { seconds: number; peakRssMB: number | null; cpuSeconds?: number | null };

async function mailsiftRun(data: readonly Buffer[], i: number, sink: SmtpSink): Promise<Run> {
  const dir = join(WORK, `mailsift-${i}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // MAILSIFT_BENCH_SMTP_NODE_ARGS: extra node options for the worker (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p").
  const extra = (process.env.MAILSIFT_BENCH_SMTP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', join(BENCH, 'smtp-intake-worker.ts'), SCRIPT, join(dir, 'Maildir'), join(dir, 'state'), RECIPIENT, String(sink.port)], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let pending = '';
  child.stdout.on('data', (d: Buffer) => {
    pending += d.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    lines.push(...parts.filter(Boolean));
    wake?.();
  });
  const nextLine = async (): Promise<Record<string, unknown>> => {
    while (lines.length === 0) {
      if (child.exitCode !== null) throw new Error('the mailsift intake worker exited');
      await new Promise<void>((r) => (wake = r));
    }
    return JSON.parse(lines.shift()!) as Record<string, unknown>;
  };
  const { port } = (await nextLine()) as { port: number };
  await blast(port, false, data.slice(0, CLIENTS)); // warm-up, as for Dovecot
  const cpu0 = cpuOf(child.pid!);
  const seconds = await blast(port, false, data);
  const cpu1 = cpuOf(child.pid!);
  const cpuSeconds = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
  child.kill('SIGTERM');
  const { peakRssMB } = (await nextLine()) as { peakRssMB: number | null };
  const stored = countFiles(join(dir, 'Maildir'));
  if (stored < data.length) throw new Error(`mailsift stored ${stored} of ${data.length} messages`);
  rmSync(dir, { recursive: true, force: true });
  return { seconds, peakRssMB, cpuSeconds };
}

/** User + system CPU seconds of a process (all its threads), from /proc; null elsewhere. */
function cpuOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function countFiles(root: string): number {
  if (!existsSync(root)) return 0;
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && /(^|\/)(new|cur)$/.test(e.parentPath)).length;
}

async function dovecotRun(dovecot: DovecotInstance, data: readonly Buffer[]): Promise<{ seconds: number; peakRssMB: number | null }> {
  const maildir = dovecot.maildir('alice');
  const before = countFiles(maildir);
  const seconds = await blast(dovecot.lmtpPort, true, data);
  const stored = countFiles(maildir) - before;
  if (stored < data.length) throw new Error(`Dovecot stored ${stored} of ${data.length} messages`);
  return { seconds, peakRssMB: null };
}

export async function run(): Promise<SectionResult> {
  const messages = corpus();
  const data = messages.map(dataOf);
  mkdirSync(WORK, { recursive: true });
  let dovecot: DovecotInstance;
  try {
    dovecot = await startDovecot({ name: 'bench-smtp', users: [{ name: 'alice', password: 'alice-secret' }] });
  } catch (err) {
    throw new BenchUnavailable(`Dovecot (the LMTP reference) cannot start: ${(err as Error).message}`);
  }
  let sink: SmtpSink | undefined;
  try {
    // The user's active script is the bench script; its binary is compiled on first use.
    const home = dirname(dovecot.maildir('alice'));
    writeFileSync(join(home, '.dovecot.sieve'), readFileSync(SCRIPT));
    const owner = statSync(home);
    if (process.getuid?.() === 0) chownSync(join(home, '.dovecot.sieve'), owner.uid, owner.gid);
    appendFileSync(join(dovecot.dir, 'dovecot.conf'), '\n# bench/smtp.ts: redirect and notify must not send real mail\nsendmail_path = /bin/true\n');
    await dovecot.restart();
    sink = await startSmtpSink();
    // One warm-up message each, so neither side pays a first-use cost (script compile, JIT) in the runs.
    const mailsift: Run[] = [];
    const reference: { seconds: number; peakRssMB: number | null }[] = [];
    await dovecotRun(dovecot, data.slice(0, CLIENTS));
    for (let i = 0; i < RUNS; i++) {
      mailsift.push(await mailsiftRun(data, i, sink));
      reference.push(await dovecotRun(dovecot, data));
    }
    const ours = row('mailsift SMTP intake', data.length, mailsift);
    const theirs = row('Dovecot LMTP + Sieve', data.length, reference);
    const ratio = ours.perSecond / theirs.perSecond;
    return {
      name: 'smtp',
      rows: [ours, theirs],
      goals: [{ name: 'intake rate ≥ Dovecot LMTP', met: ratio >= 1, detail: `${ratio.toFixed(2)}× (goal ≥ 1.00×)` }],
      notes: [
        `${data.length} corpus messages, ${CLIENTS} concurrent clients on loopback, one message per transaction, bench/rules-40.sieve on both sides, median of ${RUNS} runs.`,
        'Both store durably before answering 250 (mailsift: Maildir tmp+fdatasync+rename+directory fsync; Dovecot: mail_fsync=optimized). Dovecot peak RSS is not measured (many processes).',
        `mailsift intake process CPU (user+system, all threads) per run: ${mailsift.map((r) => (r.cpuSeconds == null ? 'n/a' : `${r.cpuSeconds.toFixed(2)} s`)).join(', ')} (${mailsift[0]?.cpuSeconds == null ? 'n/a' : `${((1000 * median(mailsift.map((r) => r.cpuSeconds ?? 0))) / data.length).toFixed(2)} ms/msg`}); Dovecot's CPU is spread over its lmtp processes and not measured.`,
        `redirect/notify: Dovecot runs sendmail_path = /bin/true; mailsift sends them to a local SMTP sink (${sink.messages.length} messages over all mailsift runs).`,
      ],
    };
  } finally {
    await sink?.close();
    await dovecot.dispose();
  }
}
