/**
 * `npx tsx bench/profile.ts [SCRIPT] [--worker BUNDLE.mjs]`: CPU profile of the mailsift side of the rules bench.
 * Runs the bundled worker once under `node --cpu-prof` over bench/.work/maildir (built by
 * `npm run bench` when missing) and prints the top functions by self and by total time,
 * mapped back to src/ file:line through the bundle's source map. The raw profile stays in
 * bench/.work/profiles/ (open it in Chrome DevTools → Performance for the flame chart).
 * --worker profiles another esbuild bundle of a worker (with its .map), e.g. a variant
 * with a different message reader.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker } from './bundle.js';
import { prepareMaildir } from './rules.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH, '..');
const PROFILES = join(BENCH, '.work', 'profiles');

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function main(): void {
  const args = process.argv.slice(2);
  const w = args.indexOf('--worker');
  const prebuilt = w >= 0 ? resolve(args.splice(w, 2)[1]!) : undefined;
  const script = resolve(args[0] ?? join(BENCH, 'rules-40.sieve'));
  const maildir = prepareMaildir();
  return void (prebuilt ? Promise.resolve(prebuilt) : bundleWorker(BENCH, 'rules-worker')).then((worker) => {
    rmSync(PROFILES, { recursive: true, force: true });
    mkdirSync(PROFILES, { recursive: true });
    const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', PROFILES, worker, maildir, script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`worker failed: ${r.stderr}`);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ok: boolean; error?: string; messages: number; loopSeconds: number };
    if (!report.ok) throw new Error(`mailsift cannot compile ${script}:\n${report.error}`);
    const file = join(PROFILES, readdirSync(PROFILES).find((f) => f.endsWith('.cpuprofile'))!);
    const map = new SourceMap(JSON.parse(readFileSync(`${worker}.map`, 'utf8')));
    summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, worker, map);
    console.log(`\n${report.messages} messages, loop ${report.loopSeconds.toFixed(3)} s (${(report.messages / report.loopSeconds).toFixed(0)} msg/s, slower under the profiler)`);
    console.log(`profile: ${relative(REPO, file)}`);
  });
}

/** "src/runtime/match.ts:42 matchValue" for bundle frames, "node:fs readFileSync" etc. for the rest. */
function frameName(frame: CallFrame, worker: string, map: SourceMap): { where: string; file: string } {
  const fn = frame.functionName || '(anonymous)';
  if (frame.url.endsWith(worker) || frame.url === `file://${worker}`) {
    const e = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number };
    if (e.originalSource) {
      const src = relative(REPO, e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : resolve(dirname(worker), e.originalSource));
      return { where: `${src}:${(e.originalLine ?? 0) + 1} ${fn}`, file: src };
    }
  }
  if (frame.url === '') return { where: fn, file: fn.startsWith('(') ? fn : '(native)' };
  const url = frame.url.replace(/^file:\/\//, '');
  const nm = url.lastIndexOf('node_modules/');
  const short = nm >= 0 ? url.slice(nm + 13) : url.startsWith('/') ? relative(REPO, url) : url;
  const pkg = nm >= 0 ? short.split('/').slice(0, short.startsWith('@') ? 2 : 1).join('/') : url.startsWith('node:') ? 'node:internal' : short;
  return { where: `${short}:${frame.lineNumber + 1} ${fn}`, file: pkg };
}

function summarise(profile: CpuProfile, worker: string, map: SourceMap): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const names = new Map<number, { where: string; file: string }>();
  for (const n of profile.nodes) names.set(n.id, frameName(n.callFrame, worker, map));

  const self = new Map<string, number>();
  /** For each leaf: the nearest src/ frame above it that is not the leaf itself. */
  const callers = new Map<string, Map<string, number>>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    all += dt;
    const leaf = names.get(id)!;
    self.set(leaf.where, (self.get(leaf.where) ?? 0) + dt);
    files.set(leaf.file, (files.get(leaf.file) ?? 0) + dt);
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const w = names.get(up)!.where;
      if (w === leaf.where || !w.startsWith('src/')) continue;
      let m = callers.get(leaf.where);
      if (!m) callers.set(leaf.where, (m = new Map()));
      m.set(w, (m.get(w) ?? 0) + dt);
      break;
    }
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const w = names.get(byId.get(cur)!.id)!.where;
      if (seen.has(w)) continue;
      seen.add(w);
      total.set(w, (total.get(w) ?? 0) + dt);
    }
  });
  const top = (m: Map<string, number>, n: number, title: string): void => {
    console.log(`\n${title} (ms, % of ${all.toFixed(0)} ms sampled)`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`${v.toFixed(0).padStart(7)}  ${((100 * v) / all).toFixed(1).padStart(5)}%  ${k}`);
    }
  };
  top(self, 30, 'top functions by self time');
  console.log('\nwho calls the top 12 (nearest src/ frame above, ms)');
  for (const [k] of [...self].sort((a, b) => b[1] - a[1]).filter(([k]) => !k.startsWith('(')).slice(0, 12)) {
    const m = callers.get(k);
    if (!m) continue;
    const list = [...m].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([w, v]) => `${w} ${v.toFixed(0)}`);
    console.log(`  ${k}\n      <- ${list.join('\n      <- ')}`);
  }
  top(new Map([...total].filter(([k]) => k.startsWith('src/') || k.startsWith('bench/'))), 30, 'top src/ functions by total time (callees included)');
  top(files, 20, 'self time by file');
}

main();
