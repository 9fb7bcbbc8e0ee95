/**
 * Fourth round of the false-positive search (issue 5), 5-fold cross-validation on the
 * spam/ham TRAINING split only, on several fold assignments at once:
 *
 *   npx tsx bench/classify-cv-ideas.ts                 seeds 0, 1, 2
 *   npx tsx bench/classify-cv-ideas.ts --seeds 0,3 --only gate
 *   npx tsx bench/classify-cv-ideas.ts --weights       also print the fitted family weights
 *
 * Variants (all within Robinson–Fisher: the verdict at 0.5 is the sign of Σ ln(f/(1−f))
 * over the chosen clues, see classify-cv-clues.ts):
 * - hapax filter: a token is a clue only if ≥ 2 / ≥ 3 training messages held it (all
 *   tokens, or body-side tokens only);
 * - Bayesian noise reduction (Zdziarski 2004) before the clues are chosen;
 * - per-family effective size factors fitted by nested CV (logistic regression on the
 *   inner folds' out-of-fold family sums; classify-cv-fit.ts);
 * - agreement gate: spam only when header and body leans agree, or (fitted by nested CV)
 *   when the total lean exceeds a margin;
 * - near-duplicate campaigns: each training message counts 1 / (messages of its bucket with
 *   token-set Jaccard ≥ 0.8, MinHash estimate) (classify-cv-dups.ts).
 *
 * Nested CV: for outer fold k, the inner folds are the other four outer folds; a model of
 * three of them scores the fourth, which gives out-of-fold family sums for every training
 * message of fold k's model; the rule is fitted on those and applied to fold k.
 *
 * Results (2026-11-22; no variant qualified for the test split): docs/classify.md, "Fourth
 * round". Runs ~35 s on one CPU; on a shared machine use flock /tmp/mailsift-bench.lock.
 */
import { join, resolve } from 'node:path';
import { buildModel, FOLDS, loadSplit, type Sample } from './classify-cv-data.js';
import { scoreTwo } from './classify-cv-score.js';
import { chooseClues, FAMILIES, familiesOf, familySums, hapaxFilter, HEADER_FAMILIES, noiseReduction, type ClueFilter } from './classify-cv-clues.js';
import { fitFamilyWeights, fitGateMargin, type Row } from './classify-cv-fit.js';
import { duplicateWeights, weightedModel } from './classify-cv-dups.js';

type Rule =
  | { readonly kind: 'sign'; readonly filter?: ClueFilter; readonly bnr?: number; readonly dedup?: boolean }
  | { readonly kind: 'lr'; readonly lambda: number; readonly hamCost?: number; readonly towardMean?: boolean }
  | { readonly kind: 'gate'; readonly margin: boolean; readonly fpCost?: number };

const VARIANTS: { readonly name: string; readonly rule: Rule }[] = [
  { name: 'defaults', rule: { kind: 'sign' } },
  { name: 'hapax: clue only if seen in >= 2 msgs', rule: { kind: 'sign', filter: hapaxFilter(2, false) } },
  { name: 'hapax: >= 3 msgs', rule: { kind: 'sign', filter: hapaxFilter(3, false) } },
  { name: 'hapax: body-side tokens >= 2', rule: { kind: 'sign', filter: hapaxFilter(2, true) } },
  { name: 'hapax: body-side tokens >= 3', rule: { kind: 'sign', filter: hapaxFilter(3, true) } },
  { name: 'hapax: spam-leaning tokens >= 2', rule: { kind: 'sign', filter: hapaxFilter(2, false, true) } },
  { name: 'hapax: spam-leaning tokens >= 3', rule: { kind: 'sign', filter: hapaxFilter(3, false, true) } },
  { name: 'BNR, bands f >= 0.6 / <= 0.4', rule: { kind: 'sign', bnr: 0.6 } },
  { name: 'BNR, bands f >= 0.7 / <= 0.3', rule: { kind: 'sign', bnr: 0.7 } },
  { name: 'BNR, bands f >= 0.8 / <= 0.2', rule: { kind: 'sign', bnr: 0.8 } },
  { name: 'family ESF by nested CV, lambda 1', rule: { kind: 'lr', lambda: 1 } },
  { name: 'family ESF by nested CV, lambda 10', rule: { kind: 'lr', lambda: 10 } },
  { name: 'family ESF by nested CV, lambda 100', rule: { kind: 'lr', lambda: 100 } },
  { name: 'family ESF, lambda 10, ham rows 3x', rule: { kind: 'lr', lambda: 10, hamCost: 3 } },
  { name: 'family ESF, pulled to their mean, lambda 10', rule: { kind: 'lr', lambda: 10, towardMean: true } },
  { name: 'family ESF, pulled to their mean, lambda 1000', rule: { kind: 'lr', lambda: 1000, towardMean: true } },
  { name: 'family ESF, pulled to their mean, lambda 1e5', rule: { kind: 'lr', lambda: 1e5, towardMean: true } },
  { name: 'gate: header and body leans agree', rule: { kind: 'gate', margin: false } },
  { name: 'gate, or total > margin (nested CV)', rule: { kind: 'gate', margin: true } },
  { name: 'gate, or total > margin, FP = 3 misses', rule: { kind: 'gate', margin: true, fpCost: 3 } },
  { name: 'near-duplicates count 1/cluster size', rule: { kind: 'sign', dedup: true } },
];

function main(): void {
  const args = process.argv.slice(2);
  const arg = (k: string): string | undefined => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  const seeds = (arg('--seeds') ?? '0,1,2').split(',').map(Number);
  const only = arg('--only');
  const variants = VARIANTS.filter((v) => only === undefined || v.name === 'defaults' || v.name.includes(only));
  const root = process.env.MAILSIFT_CORPUS ? resolve(process.env.MAILSIFT_CORPUS) : resolve(import.meta.dirname, '../../shared/corpus');
  const table = new Map<string, string[]>(variants.map((v) => [v.name, []]));
  for (const seed of seeds) {
    const t0 = Date.now();
    const samples = loadSplit(join(root, 'spamham', 'train'), seed);
    const fams = samples.map(familiesOf);
    const spam = samples.map((s) => s.bucket === 'spam');
    const says = new Map<string, boolean[]>(variants.map((v) => [v.name, new Array<boolean>(samples.length)]));
    const weights = new Map<string, Float64Array[]>();
    const dupW = variants.some((v) => v.rule.kind === 'sign' && v.rule.dedup) ? duplicateWeights(samples) : undefined;
    for (let k = 0; k < FOLDS; k++) {
      const inFold = (f: number): number[] => samples.flatMap((s, i) => (s.fold === f ? [i] : []));
      const trainIdx = samples.flatMap((s, i) => (s.fold !== k ? [i] : []));
      const model = modelOf(samples, trainIdx);
      const dupModel = dupW && weightedModel(samples, trainIdx, dupW);
      const test = inFold(k);
      const sums = new Map<number, Float64Array>();
      for (const i of test) {
        const s = samples[i]!;
        const sum = familySums(chooseClues(model, s, fams[i]!), fams[i]!);
        sums.set(i, sum);
        const lean = total(sum);
        const real = scoreTwo(model, s.hashes, {}, model.options.robX);
        if (real.p > 0.5 !== lean > 0 && real.p !== 0.5) throw new Error(`sign rule disagrees with classifyTwo on ${s.path}`);
      }
      // Inner out-of-fold family sums of every training message (only when a fitted rule runs).
      const inner = new Map<number, Float64Array>();
      if (variants.some((v) => v.rule.kind !== 'sign')) {
        for (let j = 0; j < FOLDS; j++) {
          if (j === k) continue;
          const m = modelOf(samples, trainIdx.filter((i) => samples[i]!.fold !== j));
          for (const i of inFold(j)) inner.set(i, familySums(chooseClues(m, samples[i]!, fams[i]!), fams[i]!));
        }
      }
      const rows: Row[] = trainIdx.map((i) => ({ x: inner.get(i)!, spam: spam[i]! }));
      for (const v of variants) {
        const out = says.get(v.name)!;
        const r = v.rule;
        if (r.kind === 'sign') {
          for (const i of test) {
            const m = r.dedup ? dupModel! : model;
            const drop = r.bnr === undefined ? undefined : noiseReduction(m, samples[i]!, r.bnr);
            out[i] = total(familySums(chooseClues(m, samples[i]!, fams[i]!, r.filter, drop), fams[i]!)) > 0;
          }
        } else if (r.kind === 'lr') {
          const w = fitFamilyWeights(rows, r.lambda, r.hamCost, r.towardMean);
          weights.set(v.name, [...(weights.get(v.name) ?? []), w]);
          for (const i of test) out[i] = dotTotal(w, sums.get(i)!) > 0;
        } else {
          const gateRows = trainIdx.map((i) => ({ ...lean2(inner.get(i)!), spam: spam[i]! }));
          const margin = r.margin ? fitGateMargin(gateRows, r.fpCost) : Infinity;
          for (const i of test) {
            const g = lean2(sums.get(i)!);
            out[i] = g.agree || g.total > margin;
          }
        }
      }
    }
    console.log(`seed ${seed} (${((Date.now() - t0) / 1000).toFixed(1)} s):`);
    for (const v of variants) {
      const out = says.get(v.name)!;
      const fp = out.filter((x, i) => x && !spam[i]).length;
      const fn = out.filter((x, i) => !x && spam[i]).length;
      console.log(`  ${v.name.padEnd(44)} ${String(fp).padStart(3)} FP ${String(fn).padStart(4)} misses`);
      table.get(v.name)!.push(`${fp} / ${fn}`);
    }
    if (args.includes('--weights')) {
      for (const [name, ws] of weights) {
        // Only the ratios decide the sign: each fold's weights divided by the body words' weight.
        console.log(`  ${name}: weights per outer fold, relative to body words`);
        FAMILIES.forEach((f, j) => console.log(`    ${f.padEnd(14)} ${ws.map((w) => (w[j]! / w[10]!).toFixed(2)).join('  ')}`));
      }
    }
  }
  console.log('\nvariant | ' + seeds.map((s) => `seed ${s}`).join(' | ') + ' | FP sum');
  for (const [name, cells] of table) console.log(`${name} | ${cells.join(' | ')} | ${cells.reduce((a, c) => a + Number(c.split(' / ')[0]), 0)}`);
}

function modelOf(samples: readonly Sample[], idx: readonly number[]) {
  return buildModel(['ham', 'spam'], idx.map((i) => samples[i]!), idx.map((i) => samples[i]!.hashes));
}

function total(sum: Float64Array): number {
  let t = 0;
  for (const v of sum) t += v;
  return t;
}

function dotTotal(w: Float64Array, sum: Float64Array): number {
  let t = 0;
  for (let j = 0; j < sum.length; j++) t += w[j]! * sum[j]!;
  return t;
}

/** Header-side lean (sender … mailer) and body-side lean (mime, url, html, words): do both say spam? */
function lean2(sum: Float64Array): { total: number; agree: boolean } {
  let header = 0;
  let body = 0;
  sum.forEach((v, j) => (j < HEADER_FAMILIES ? (header += v) : (body += v)));
  return { total: header + body, agree: header > 0 && body > 0 };
}

main();
