/**
 * The mailsift side of bench section "classify", in a process of its own (bundled by
 * bench/bundle.ts, run under bare node) so that its time and peak RSS are only its own.
 *
 *   node classify-worker.mjs <corpus dir: spamham or multiclass> <model dir> [--rules]
 *
 * Trains a fresh model on <corpus>/train/<bucket>/*.eml (ModelStore batch: read, tokenize,
 * one transaction), then classifies <corpus>/test/<bucket>/*.eml (snapshot load included),
 * and with --rules measures what a `classify` test adds to a rule evaluation per message.
 * Prints one JSON report (WorkerReport) on stdout.
 *
 * The first import sets the V8 flags of the shipped CLI (bin/mailsift.js imports the same
 * file), so the engine measured is the one `mailsift train` and `mailsift classify` run.
 */
import { V8_FLAGS } from '../bin/v8-flags.js';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ModelStore } from '../src/classify/store/model-store.js';
import { tokenHashesRaw } from '../src/classify/tokenize.js';
import { compile } from '../src/dsl/compile.js';
import { runPlan } from '../src/runtime/dry-run.js';
import { parseMessage } from '../src/runtime/message/parse.js';

export interface Phase {
  readonly messages: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

export interface Prediction {
  readonly truth: string;
  readonly bucket: string;
  readonly unsure: boolean;
}

export interface WorkerReport {
  readonly train: Phase;
  readonly classify: Phase;
  readonly predictions: readonly Prediction[];
  /** Per-message extra time of a rule with `classify` over the same rule without it, ms (--rules). */
  readonly ruleMs?: { readonly median: number; readonly p90: number };
  readonly peakRssMB: number;
  readonly vocabulary: number;
  /** The V8 flags the worker ran with (bin/v8-flags.js, as the shipped CLI). */
  readonly v8Flags: readonly string[];
}

function files(root: string, split: 'train' | 'test'): { bucket: string; path: string }[] {
  const dir = join(root, split);
  return readdirSync(dir)
    .sort()
    .flatMap((bucket) => readdirSync(join(dir, bucket)).sort().map((f) => ({ bucket, path: join(dir, bucket, f) })));
}

function timed<T>(fn: () => T): { value: T; seconds: number; cpuSeconds: number } {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { value, seconds: (performance.now() - t0) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

function main(): void {
  const [root, modelDir] = process.argv.slice(2);
  if (!root || !modelDir) throw new Error('usage: classify-worker CORPUS_DIR MODEL_DIR [--rules]');
  rmSync(modelDir, { recursive: true, force: true });
  const trainFiles = files(root, 'train');
  const testFiles = files(root, 'test');

  // Training, as `mailsift train` does it: read each file, tokenize, one transaction.
  const train = timed(() => {
    const store = ModelStore.open(modelDir, { create: true });
    const batch = store.batch();
    for (const f of trainFiles) batch.train(f.bucket, readFileSync(f.path));
    batch.commit();
    store.close();
  });

  // Classification, as `mailsift classify` does it: load the snapshot, read, tokenize, classify.
  const classify = timed(() => {
    const store = ModelStore.open(modelDir, { readonly: true });
    const model = store.snapshot();
    store.close();
    const predictions: Prediction[] = testFiles.map((f) => {
      const r = model.classify(tokenHashesRaw(readFileSync(f.path)));
      return { truth: f.bucket, bucket: r.bucket, unsure: r.unsure };
    });
    return { predictions, vocabulary: model.vocabulary };
  });

  let ruleMs: WorkerReport['ruleMs'];
  if (process.argv.includes('--rules')) {
    const store = ModelStore.open(modelDir, { readonly: true });
    const model = store.snapshot();
    store.close();
    const settings = { classify: { models: new Map([[model.name, model]]) } };
    const head = 'require ["vnd.mailsift.classify", "fileinto"];\n';
    const withTest = compile(head + 'if classify ["spam", "sci.space"] { fileinto "Junk"; }\n');
    const without = compile(head + 'if header :contains "subject" "zzzz" { fileinto "Junk"; }\n');
    if (!withTest.ok || !without.ok) throw new Error('bench rules do not compile');
    const extra: number[] = [];
    for (const [i, f] of testFiles.entries()) {
      const raw = readFileSync(f.path);
      // Alternate the order so that neither side always gets the warmer cache.
      const once = (plan: typeof withTest.plan): number => {
        const view = parseMessage(raw);
        const t0 = performance.now();
        runPlan(plan, view, { settings });
        return performance.now() - t0;
      };
      const [a, b] = i % 2 === 0 ? [once(withTest.plan), once(without.plan)] : [once(without.plan), once(withTest.plan)].reverse();
      extra.push(a! - b!);
    }
    ruleMs = { median: percentile(extra, 0.5), p90: percentile(extra, 0.9) };
  }

  const report: WorkerReport = {
    train: { messages: trainFiles.length, seconds: train.seconds, cpuSeconds: train.cpuSeconds },
    classify: { messages: testFiles.length, seconds: classify.seconds, cpuSeconds: classify.cpuSeconds },
    predictions: classify.value.predictions,
    ruleMs,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    vocabulary: classify.value.vocabulary,
    v8Flags: V8_FLAGS,
  };
  process.stdout.write(JSON.stringify(report) + '\n');
}

main();
