/**
 * Bench section "rules": dry-run a realistic 40-rule script (bench/rules-40.sieve) over the
 * spam/ham messages of the shared corpus, stored as a Maildir, with mailsift and with
 * Pigeonhole's `sieve-filter` (the reference: a dry run over a mailbox, see
 * /work/shared/docs/pigeonhole.md), and compare throughput and peak memory.
 *
 * Goals (issue "npm run bench"): mailsift ≥ 1.5× sieve-filter's messages/s, peak RSS < 150 MB.
 *
 * Environment: MAILSIFT_CORPUS (corpus root holding spamham/, default ../shared/corpus from
 * the repo root), MAILSIFT_BENCH_RUNS (measured runs per tool, default 3),
 * MAILSIFT_BENCH_SCRIPT (another script, for trying subsets; the figures are only comparable
 * with the default), MAILSIFT_BENCH_TSX=1 (worker under tsx instead of a bundle),
 * MAILSIFT_BENCH_WORKER (a prebuilt worker bundle, for experiments), SIEVE_FILTER.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchUnavailable, median, type SectionGoal, type SectionResult, type SectionRow } from './section.js';
import { bundleWorker } from './bundle.js';
import type { WorkerReport } from './rules-worker.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH, '..');
const WORK = join(BENCH, '.work');
const MAILDIR = join(WORK, 'maildir');
const SIEVE_DIR = join(WORK, 'sieve');
const RESULTS = join(WORK, 'results-rules.json');
const SCRIPT = process.env.MAILSIFT_BENCH_SCRIPT ? resolve(process.env.MAILSIFT_BENCH_SCRIPT) : join(BENCH, 'rules-40.sieve');
const RUNS = Math.max(1, Number(process.env.MAILSIFT_BENCH_RUNS ?? 3) || 3);

const GOAL_RATIO = 1.5;
const GOAL_RSS_MB = 150;
/** sieve-filter refuses to run as root: as root, it runs as this user (created when missing). */
const RUN_USER = 'sievebench';
const SIEVE_FILTER = process.env.SIEVE_FILTER ?? 'sieve-filter';
const GNU_TIME = '/usr/bin/time';
const GROUPS = ['train/spam', 'train/ham', 'test/spam', 'test/ham'];

// ---------------------------------------------------------------------------------------------
// Corpus and Maildir

function corpusFiles(): { root: string; files: string[] } {
  const base = process.env.MAILSIFT_CORPUS ? resolve(process.env.MAILSIFT_CORPUS) : resolve(REPO, '../shared/corpus');
  // MAILSIFT_CORPUS may name the corpus root (holding spamham/) or spamham/ itself.
  const root = existsSync(join(base, 'spamham')) ? join(base, 'spamham') : base;
  const files: string[] = [];
  for (const group of GROUPS) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) if (name.endsWith('.eml')) files.push(join(dir, name));
  }
  if (files.length === 0) {
    throw new BenchUnavailable(
      `no corpus: expected ${GROUPS.map((g) => `spamham/${g}/*.eml`).join(', ')} under ${base}.\n` +
        `  The rules bench needs the shared corpus (/work/shared/corpus, see its README.md); ` +
        `point MAILSIFT_CORPUS at it when it lives elsewhere.`,
    );
  }
  return { root, files };
}

/**
 * A Maildir file never carries the mbox "From " envelope line most corpus files start with
 * (they come from mbox archives): it is dropped, as an MDA delivering them would. The body
 * and the other header lines are copied byte for byte.
 */
function maildirBytes(raw: Buffer): Buffer {
  if (raw.subarray(0, 5).toString('latin1') !== 'From ') return raw;
  const nl = raw.indexOf(0x0a);
  return nl < 0 ? raw : raw.subarray(nl + 1);
}

/** Writes the corpus into MAILDIR/cur unless it already holds that many messages. */
function buildMaildir(files: readonly string[]): { rebuilt: boolean; bytes: number } {
  const cur = join(MAILDIR, 'cur');
  const have = existsSync(cur) ? readdirSync(cur).length : -1;
  if (have === files.length) {
    let bytes = 0;
    for (const name of readdirSync(cur)) bytes += statSync(join(cur, name)).size;
    return { rebuilt: false, bytes };
  }
  // Start clean: Dovecot's index files describe the old content.
  rmSync(MAILDIR, { recursive: true, force: true });
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(MAILDIR, sub), { recursive: true });
  let bytes = 0;
  files.forEach((file, i) => {
    const data = maildirBytes(readFileSync(file));
    bytes += data.length;
    // Maildir-style unique name (time.MusecPpidQn.host) with an empty info part: no flags.
    const name = `${1_030_000_000 + i}.M${String(i).padStart(6, '0')}P${process.pid}Q${i}.mailsift-bench:2,`;
    writeFileSync(join(cur, name), data);
  });
  return { rebuilt: true, bytes };
}

/** The corpus as a Maildir (built when missing or incomplete); returns its path. */
export function prepareMaildir(): string {
  buildMaildir(corpusFiles().files);
  return MAILDIR;
}

// ---------------------------------------------------------------------------------------------
// sieve-filter (the reference)

/** Pigeonhole's configuration: the system one plus spamtest (X-Spam-Score, max 10) as in pigeonhole.md. */
function refConf(): string {
  return `!include_try /etc/dovecot/dovecot.conf
# "/" separates folders, as in mailsift's names ("Lists/FoRK").
namespace inbox {
  separator = /
}
plugin {
  sieve_extensions = +editheader +spamtest +spamtestplus +virustest +vacation-seconds
  sieve_spamtest_status_type = score
  sieve_spamtest_status_header = X-Spam-Score
  sieve_spamtest_max_value = 10
}
`;
}

interface RunAs {
  readonly prefix: readonly string[];
}

function exec(cmd: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return { status: null, stdout: '', stderr: String(r.error) };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As root: make sure RUN_USER exists and owns the work dir. Otherwise: run as ourselves. */
function prepareUser(): RunAs {
  if (process.getuid?.() !== 0) return { prefix: [] };
  if (exec('id', ['-u', RUN_USER]).status !== 0) {
    const r = exec('useradd', ['-m', RUN_USER]);
    if (r.status !== 0) throw new BenchUnavailable(`cannot create the user ${RUN_USER} for sieve-filter: ${r.stderr.trim()}`);
  }
  // Only this section's own directories: bench/.work also holds other sections' fixtures
  // (the IMAP section's Maildir must stay readable by its Dovecot).
  for (const dir of [MAILDIR, SIEVE_DIR]) {
    if (!existsSync(dir)) continue;
    const r = exec('chown', ['-R', `${RUN_USER}:`, dir]);
    if (r.status !== 0) throw new BenchUnavailable(`cannot chown ${dir} to ${RUN_USER}: ${r.stderr.trim()}`);
  }
  return { prefix: ['runuser', '-u', RUN_USER, '--'] };
}

interface ToolRun {
  readonly seconds: number;
  /** user + system CPU seconds; null when unknown. */
  readonly cpuSeconds: number | null;
  readonly peakRssMB: number | null;
  readonly messages: number;
  readonly outcomes: Record<string, number>;
}

/** Peak RSS ("Maximum resident set size (kbytes)") and user + system time from GNU time -v. */
function gnuTime(path: string): { peakRssMB: number | null; cpuSeconds: number | null } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { peakRssMB: null, cpuSeconds: null };
  }
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  const user = /User time \(seconds\): ([\d.]+)/.exec(text);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(text);
  return {
    peakRssMB: rss ? Number(rss[1]) / 1024 : null,
    cpuSeconds: user && sys ? Number(user[1]) + Number(sys[1]) : null,
  };
}

/** Folds sieve-filter's report into the same outcome keys the worker counts. */
function sieveFilterOutcomes(stdout: string): { messages: number; outcomes: Record<string, number> } {
  const outcomes: Record<string, number> = {};
  const count = (key: string): void => {
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  };
  let messages = 0;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('>> Filtering message')) messages++;
    else if (line.startsWith(' * store message in folder: ')) count(`store:${line.slice(' * store message in folder: '.length)}`);
    else if (line.startsWith('        + add IMAP flags:')) count('flags');
    else if (line.startsWith(' * redirect message to')) count('redirect');
    else if (line.startsWith(' * send notification')) count('notify');
    else if (line.startsWith(' * discard')) count('discard');
    else if (line.startsWith(' * reject')) count('reject');
    else if (line.startsWith(' * send vacation')) count('vacation');
  }
  return { messages, outcomes };
}

async function runSieveFilter(runAs: RunAs, script: string): Promise<ToolRun & { stderr: string; status: number | null }> {
  const timeFile = join(SIEVE_DIR, 'time.txt');
  rmSync(timeFile, { force: true });
  const useTime = existsSync(GNU_TIME);
  const filter = [SIEVE_FILTER, '-o', `mail_location=maildir:${MAILDIR}`, '-c', join(SIEVE_DIR, 'ref.conf'), script, 'INBOX'];
  const argv = [...runAs.prefix, ...(useTime ? [GNU_TIME, '-v', '-o', timeFile] : []), ...filter];
  const chunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  const t0 = process.hrtime.bigint();
  const status = await new Promise<number | null>((done, fail) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: SIEVE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => errChunks.push(c));
    child.on('error', fail);
    child.on('close', (code) => done(code));
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const { messages, outcomes } = sieveFilterOutcomes(Buffer.concat(chunks).toString('utf8'));
  const measured = useTime ? gnuTime(timeFile) : { peakRssMB: null, cpuSeconds: null };
  return { seconds, messages, outcomes, ...measured, stderr: Buffer.concat(errChunks).toString('utf8'), status };
}

// ---------------------------------------------------------------------------------------------
// mailsift (in a child process)

/**
 * How the worker runs: as a plain-JS bundle under bare node (default, like the shipped
 * dist/), or under tsx with MAILSIFT_BENCH_TSX=1 (adds ~60 MB of loader to its RSS).
 */
async function workerCommand(): Promise<string[]> {
  // An experiment's own build of the worker (e.g. with another message reader).
  if (process.env.MAILSIFT_BENCH_WORKER) return [resolve(process.env.MAILSIFT_BENCH_WORKER)];
  if (process.env.MAILSIFT_BENCH_TSX === '1') return ['--import', 'tsx', join(BENCH, 'rules-worker.ts')];
  return [await bundleWorker(BENCH, 'rules-worker')];
}

async function runMailsift(worker: readonly string[], options: { checkOnly?: boolean } = {}): Promise<ToolRun & { peakRssMB: number; report: WorkerReport; wallSeconds: number }> {
  const argv = [...worker, ...(options.checkOnly ? ['--check'] : []), MAILDIR, SCRIPT];
  const chunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  const t0 = process.hrtime.bigint();
  const status = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => errChunks.push(c));
    child.on('error', fail);
    child.on('close', (code) => done(code));
  });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const stdout = Buffer.concat(chunks).toString('utf8').trim();
  if (status !== 0 || stdout === '') {
    throw new Error(`mailsift worker failed (exit ${status}):\n${Buffer.concat(errChunks).toString('utf8')}`);
  }
  const report = JSON.parse(stdout.split('\n').pop()!) as WorkerReport;
  if (!report.ok) {
    throw new BenchUnavailable(
      `mailsift cannot compile ${relative(REPO, SCRIPT)} (an extension it uses may not be registered yet in src/extensions/index.ts):\n${report.error}`,
    );
  }
  return {
    seconds: report.loopSeconds,
    cpuSeconds: report.loopCpuSeconds,
    peakRssMB: report.maxRssKB / 1024,
    messages: report.messages,
    outcomes: report.outcomes,
    report,
    wallSeconds,
  };
}

// ---------------------------------------------------------------------------------------------
// Reporting

function row(tool: string, runs: readonly ToolRun[]): SectionRow {
  const seconds = median(runs.map((r) => r.seconds));
  const rss = runs.map((r) => r.peakRssMB).filter((v): v is number => v !== null);
  const messages = runs[0]!.messages;
  return {
    tool,
    messages,
    seconds,
    perSecond: messages / seconds,
    peakRssMB: rss.length > 0 ? Math.max(...rss) : null,
    runs: runs.map((r) => ({ seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakRssMB: r.peakRssMB })),
  };
}

/** Side-by-side outcome counts (top folders and the other action kinds), for eyeballing. */
function compareOutcomes(a: Record<string, number>, b: Record<string, number>): { lines: string[]; differing: number } {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const stores = keys.filter((k) => k.startsWith('store:')).sort((x, y) => (b[y] ?? 0) + (a[y] ?? 0) - (b[x] ?? 0) - (a[x] ?? 0));
  const others = keys.filter((k) => !k.startsWith('store:')).sort();
  let differing = 0;
  for (const k of stores) differing += Math.abs((a[k] ?? 0) - (b[k] ?? 0));
  const shown = [...stores.slice(0, 14), ...(stores.length > 14 ? ['store:(other folders)'] : []), ...others];
  const rest = (o: Record<string, number>): number => stores.slice(14).reduce((s, k) => s + (o[k] ?? 0), 0);
  const width = Math.max(...shown.map((k) => k.length));
  const lines = [`  ${'outcome'.padEnd(width)}  ${'mailsift'.padStart(8)}  ${'sieve-filter'.padStart(12)}`];
  for (const k of shown) {
    const x = k === 'store:(other folders)' ? rest(a) : (a[k] ?? 0);
    const y = k === 'store:(other folders)' ? rest(b) : (b[k] ?? 0);
    lines.push(`  ${k.padEnd(width)}  ${String(x).padStart(8)}  ${String(y).padStart(12)}${x === y ? '' : '   ≠'}`);
  }
  return { lines, differing };
}

function log(text: string): void {
  process.stderr.write(`[rules] ${text}\n`);
}

export async function run(): Promise<SectionResult> {
  const { root, files } = corpusFiles();
  if (!canStart(SIEVE_FILTER)) {
    throw new BenchUnavailable(`${SIEVE_FILTER} not found: install dovecot-sieve (Pigeonhole), or set SIEVE_FILTER`);
  }
  mkdirSync(SIEVE_DIR, { recursive: true });
  log(`corpus ${root}: ${files.length} messages`);
  const built = buildMaildir(files);
  log(`${built.rebuilt ? 'wrote' : 'reusing'} Maildir ${relative(REPO, MAILDIR)} (${(built.bytes / 1e6).toFixed(1)} MB)`);

  // sieve-filter writes its compiled binary next to the script: give it its own copy.
  const script = join(SIEVE_DIR, 'rules.sieve');
  const source = readFileSync(SCRIPT, 'utf8');
  if (!existsSync(script) || readFileSync(script, 'utf8') !== source) {
    writeFileSync(script, source);
    rmSync(join(SIEVE_DIR, 'rules.svbin'), { force: true });
  }
  writeFileSync(join(SIEVE_DIR, 'ref.conf'), refConf());
  const runAs = prepareUser();
  const worker = await workerCommand();
  const check = await runMailsift(worker, { checkOnly: true }); // fail early when mailsift cannot compile the script
  log(`mailsift V8 flags (bin/v8-flags.js, as the shipped CLI): ${check.report.v8Flags?.join(' ') || 'none'}`);

  // Warm-up: compiles the script to rules.svbin and builds Dovecot's index of the Maildir
  // when they are missing, and brings the files into the page cache for both tools.
  const fresh = !existsSync(join(SIEVE_DIR, 'rules.svbin')) || !existsSync(join(MAILDIR, 'dovecot.index'));
  const warm = await runSieveFilter(runAs, script);
  if (warm.status !== 0 || warm.messages === 0) {
    throw new BenchUnavailable(`sieve-filter failed (exit ${warm.status}):\n${warm.stderr.trim()}`);
  }
  log(`sieve-filter warm-up${fresh ? ' (compiles, indexes)' : ''}: ${warm.seconds.toFixed(3)} s, ${warm.messages} messages`);

  // Runs alternate between the tools, so that load from other processes on the machine
  // hits both alike.
  const load = [loadavg()[0]!];
  const reference: ToolRun[] = [];
  const ours: Awaited<ReturnType<typeof runMailsift>>[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await runSieveFilter(runAs, script);
    if (r.status !== 0) throw new Error(`sieve-filter failed (exit ${r.status}):\n${r.stderr.trim()}`);
    log(`sieve-filter run ${i + 1}: ${r.seconds.toFixed(3)} s (cpu ${r.cpuSeconds?.toFixed(2) ?? 'n/a'} s), ${r.peakRssMB?.toFixed(1) ?? 'n/a'} MB`);
    reference.push(r);
    const m = await runMailsift(worker);
    log(`mailsift run ${i + 1}: loop ${m.seconds.toFixed(3)} s (cpu ${m.cpuSeconds?.toFixed(2)} s; whole process ${m.wallSeconds.toFixed(3)} s), ${m.peakRssMB.toFixed(1)} MB`);
    ours.push(m);
    load.push(loadavg()[0]!);
  }

  const mine = row('mailsift', ours);
  const ref = row('sieve-filter', reference);
  const ratio = mine.perSecond / ref.perSecond;
  const goals: SectionGoal[] = [
    { name: `throughput ≥ ${GOAL_RATIO}× sieve-filter`, met: ratio >= GOAL_RATIO, detail: `${ratio.toFixed(2)}× (${mine.perSecond.toFixed(0)} vs ${ref.perSecond.toFixed(0)} msg/s)` },
    {
      name: `mailsift peak RSS < ${GOAL_RSS_MB} MB`,
      met: mine.peakRssMB !== null && mine.peakRssMB < GOAL_RSS_MB,
      detail: `${mine.peakRssMB?.toFixed(1)} MB (of which ${(ours[0]!.report.baselineRssKB / 1024).toFixed(1)} MB before the first message)`,
    },
  ];
  const cpuOf = (runs: readonly ToolRun[]): number | null => {
    const v = runs.map((r) => r.cpuSeconds).filter((x): x is number => x !== null);
    return v.length === runs.length ? median(v) : null;
  };
  const cpuMine = cpuOf(ours);
  const cpuRef = cpuOf(reference);
  const cmp = compareOutcomes(ours[0]!.outcomes, reference[0]!.outcomes);
  const notes = [
    `ratio mailsift/sieve-filter: ${ratio.toFixed(2)}×   (median of ${RUNS} runs each; sieve-filter after a warm-up run)`,
    ...(cpuMine !== null && cpuRef !== null
      ? [`CPU time (user + system, median): mailsift ${cpuMine.toFixed(2)} s, sieve-filter ${cpuRef.toFixed(2)} s → ratio by CPU ${(cpuRef / cpuMine).toFixed(2)}× (for reference; the goal is on wall time)`]
      : []),
    `mailsift: loop time (read + parse + evaluate; compile ${(median(ours.map((r) => r.report.compileSeconds)) * 1000).toFixed(1)} ms and Node start-up excluded); ` +
      `whole child process ${median(ours.map((r) => r.wallSeconds)).toFixed(3)} s`,
    `sieve-filter: whole process (runuser, start, load rules.svbin, filter); warm-up run ${warm.seconds.toFixed(3)} s${fresh ? ' (compiled the script, built the index)' : ''}`,
    `outcomes (first run of each; ${cmp.differing === 0 ? 'folder counts identical' : `folder counts differ by ${cmp.differing} stores in total`}):`,
    ...cmp.lines,
  ];
  const busy = Math.max(...load) > cpus().length / 2;
  if (busy) notes.unshift(`NOTE: the machine was busy (1-min load average up to ${Math.max(...load).toFixed(1)} on ${cpus().length} CPUs): figures are noisy`);

  const json = {
    date: new Date().toISOString(),
    node: process.version,
    script: relative(REPO, SCRIPT),
    corpus: root,
    messages: files.length,
    maildirBytes: built.bytes,
    runs: RUNS,
    cpus: cpus().length,
    loadAverage: load,
    v8Flags: check.report.v8Flags ?? [],
    worker: process.env.MAILSIFT_BENCH_WORKER ?? (process.env.MAILSIFT_BENCH_TSX === '1' ? 'tsx' : 'esbuild bundle, bare node'),
    mailsift: { ...mine, compileSeconds: ours.map((r) => r.report.compileSeconds), processSeconds: ours.map((r) => r.wallSeconds), baselineRssMB: ours.map((r) => r.report.baselineRssKB / 1024) },
    sieveFilter: { ...ref, warmupSeconds: warm.seconds },
    ratio,
    cpuRatio: cpuMine !== null && cpuRef !== null ? cpuRef / cpuMine : null,
    goals,
    outcomes: { mailsift: ours[0]!.outcomes, sieveFilter: reference[0]!.outcomes },
  };
  writeFileSync(RESULTS, JSON.stringify(json, null, 2) + '\n');
  notes.push(`figures written to ${relative(REPO, RESULTS)}`);
  return { name: 'rules', rows: [mine, ref], goals, notes };
}

/** True when `cmd` can be started at all. */
function canStart(cmd: string): boolean {
  return !spawnSync(cmd, ['--help'], { stdio: 'ignore' }).error;
}
