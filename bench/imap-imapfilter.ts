/**
 * Runs the imapfilter reference configs (bench/imapfilter/*.lua) for the IMAP bench section.
 * imapfilter gets a throwaway HOME (it keeps ~/.imapfilter there) and its account through the
 * environment; see bench/imapfilter/README.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const CONFIGS = join(dirname(fileURLToPath(import.meta.url)), 'imapfilter');
export const IMAPFILTER = process.env.IMAPFILTER ?? '/usr/bin/imapfilter';

export interface ImapfilterAccount {
  /** Where imapfilter connects: the counting proxy. */
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** "IMAPFilter 2.8.1" or undefined when it is not installed. */
export function imapfilterVersion(): string | undefined {
  if (!existsSync(IMAPFILTER)) return undefined;
  const r = spawnSync(IMAPFILTER, ['-V'], { encoding: 'utf8', timeout: 10_000 });
  return /IMAPFilter [\d.]+/.exec(`${r.stdout}${r.stderr}`)?.[0];
}

export class ImapfilterRunner {
  private readonly home = mkdtempSync(join(tmpdir(), 'mailsift-bench-imapfilter-'));
  private readonly children = new Set<ChildProcess>();
  private readonly output = new WeakMap<ChildProcess, string>();

  constructor(private readonly account: ImapfilterAccount) {}

  private env(extra: Record<string, string>): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.home,
      BENCH_IMAP_PORT: String(this.account.port),
      BENCH_IMAP_USER: this.account.user,
      BENCH_IMAP_PASSWORD: this.account.password,
      BENCH_IMAPFILTER_DIR: CONFIGS,
      ...extra,
    };
  }

  /** Runs a config to its end; rejects on a non-zero exit or after timeoutMs. */
  async run(config: string, extra: Record<string, string>, timeoutMs = 120_000): Promise<{ stdout: string; seconds: number }> {
    const t0 = performance.now();
    const child = this.start(config, extra);
    let stdout = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    if (code !== 0) throw new Error(`imapfilter ${config}: exit ${code}: ${this.outputOf(child) || stdout.trim()}`);
    return { stdout, seconds: (performance.now() - t0) / 1000 };
  }

  /** Starts a long-running config (idle, memory); stop() ends it. */
  start(config: string, extra: Record<string, string>): ChildProcess {
    const child = spawn(IMAPFILTER, ['-c', join(CONFIGS, config)], { env: this.env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    this.output.set(child, '');
    child.stderr!.on('data', (b: Buffer) => this.output.set(child, (this.output.get(child) ?? '') + b.toString()));
    this.children.add(child);
    child.on('close', () => this.children.delete(child));
    return child;
  }

  /** What the process wrote on stderr so far. */
  outputOf(child: ChildProcess): string {
    return (this.output.get(child) ?? '').trim();
  }

  /** SIGTERM (then SIGKILL after 2 s) and wait for the exit. */
  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await closed;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.children].map((c) => this.stop(c)));
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** VmRSS of a process in KB, or undefined once it is gone. */
export function processRssKB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
