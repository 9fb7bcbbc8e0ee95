/**
 * 5-fold cross-validation of the classifier's variants on the TRAINING splits of the shared
 * corpus (never a test split): how the false-positive table of docs/classify.md ("False
 * positives: what was tried") was measured, reproducibly.
 *
 *   npx tsx bench/classify-cv.ts                     every variant (about 40 s on one CPU)
 *   npx tsx bench/classify-cv.ts --only esf          the variants whose name contains "esf"
 *   npx tsx bench/classify-cv.ts --errors            also list the misclassified messages of each row
 *   npx tsx bench/classify-cv.ts --rules             also each row with a decision threshold fitted by CV (k = 1, 3)
 *   npx tsx bench/classify-cv.ts --grid              Robinson's s × minDev × body-word weight instead of the list
 *   npx tsx bench/classify-cv.ts --seed 7            folds from a seeded shuffle instead of file order (repeated CV)
 *   npx tsx bench/classify-cv.ts --curve             also the fewest misses at 13, 12, 10, … false positives
 *
 * Folds: in each bucket the files are sorted by name and the i-th goes to fold i mod 5
 * (deterministic, stratified). Each fold's model is trained in memory from the other four
 * (token hashes from tokenHashesRaw, counted as the store counts them) and classifies the
 * fold. A row prints false positives (ham called spam), misses (spam called ham) and
 * accuracy over all 4,212 spam/ham messages; rows that add tokens also print the
 * 10-newsgroups cross-validated accuracy. With --rules each row is followed by decision
 * rules whose cut is fitted on the out-of-fold scores of the other folds (a cut never sees
 * its own fold). The defaults row also checks, message by message, that the tool's scoring
 * (classify-cv-score.ts) is what src/classify/robinson-fisher.ts computes.
 *
 * Results (2026-11-22) and what they mean: docs/classify.md, "False positives: what was
 * tried". Differences of a few messages are the luck of the split: compare --seed 1, 2.
 *
 * Environment: MAILSIFT_CORPUS (corpus root, default ../shared/corpus).
 */
import { join, resolve } from 'node:path';
import { buildModel, FOLDS, loadSplit, withExtras, type ExtraTokens, type Sample } from './classify-cv-data.js';
import { estimateX, scoreTwo, type Score, type ScoreKnobs } from './classify-cv-score.js';
import { both, headerCountTokens, imageCountTokens, listFieldTokens, mimeStructureTokens, reputationCopies, senderConsistencyTokens, messageIdShapeTokens, boundaryShapeTokens, dateShapeTokens, receivedCountTokens, urlPathTokens } from './classify-cv-tokens.js';
import { hashToken } from '../src/classify/token-hash.js';
import { DEFAULT_MODEL_OPTIONS, modelOptions, type ModelOptions } from '../src/classify/model-snapshot.js';

interface Variant {
  readonly name: string;
  readonly options?: Partial<ModelOptions>;
  readonly knobs?: ScoreKnobs;
  readonly extra?: ExtraTokens;
  /** TUNE: retrain the training messages the model gets wrong, this many passes. */
  readonly tune?: number;
}

/** What tokenize.ts emits from the body (bodyTokens): every token without a header prefix. */
const BODY_TOKEN = /^(?!(from|reply-to|sender|to|cc|subject|list-id|x-mailer|user-agent|organization|received|thread|msgid):)/;

const VARIANTS: Variant[] = [
  { name: 'defaults' },
  { name: 'esf 0.9/0.9 (spam/ham)', knobs: { spamEsf: 0.9, hamEsf: 0.9 } },
  { name: 'esf 0.75/0.75', knobs: { spamEsf: 0.75, hamEsf: 0.75 } },
  { name: 'esf 0.5/0.5', knobs: { spamEsf: 0.5, hamEsf: 0.5 } },
  { name: 'esf 0.75/1', knobs: { spamEsf: 0.75, hamEsf: 1 } },
  { name: 'esf 0.5/1', knobs: { spamEsf: 0.5, hamEsf: 1 } },
  { name: 'esf 1/0.75', knobs: { spamEsf: 1, hamEsf: 0.75 } },
  { name: 'bounds [0.01, 0.99] (Graham)', knobs: { bounds: [0.01, 0.99] } },
  { name: 'x = mean p of tokens seen <= 3 times', knobs: { xFromRare: 3 } },
  { name: 'unknown tokens count with f = 0.4', knobs: { unknownF: 0.4 } },
  { name: 'unknown tokens count with f = 0.35', knobs: { unknownF: 0.35 } },
  { name: 'unknown tokens count with f = 0.6', knobs: { unknownF: 0.6 } },
  { name: 'tokens: List-* fields, Precedence', extra: listFieldTokens },
  { name: 'tokens: header count', extra: headerCountTokens },
  { name: 'tokens: URL path pieces', extra: urlPathTokens },
  { name: 'tokens: MIME structure', extra: mimeStructureTokens },
  { name: 'tokens: image count', extra: imageCountTokens },
  { name: 'tokens: all five above', extra: both(listFieldTokens, headerCountTokens, urlPathTokens, mimeStructureTokens, imageCountTokens) },
  { name: 'tokens: sender consistency (links, Message-ID, Return-Path at the From domain)', extra: senderConsistencyTokens },
  { name: 'tokens: Message-ID shape', extra: messageIdShapeTokens },
  { name: 'tokens: MIME boundary shape', extra: boundaryShapeTokens },
  { name: 'tokens: Date shape', extra: dateShapeTokens },
  { name: 'tokens: number of Received fields', extra: receivedCountTokens },
  { name: 'sender/list tokens count 2x', extra: reputationCopies(2) },
  { name: 'sender/list tokens count 3x', extra: reputationCopies(3) },
  { name: 'TUNE: retrain training errors once', tune: 1 },
  { name: 'TUNE: twice', tune: 2 },
  { name: 'Robinson geometric mean (not Fisher)', knobs: { geometric: true } },
  { name: 'family esf: html: tags count m^0.5', knobs: { family: { member: family(/^html:/), gamma: 0.5 } } },
  { name: 'family esf: html: tags count 1 in all', knobs: { family: { member: family(/^html:/), gamma: 0 } } },
  { name: 'family esf: html:/ct:/cte:/charset: m^0.5', knobs: { family: { member: family(/^(html|ct|cte|charset):/), gamma: 0.5 } } },
  { name: 'family esf: all header tokens m^0.5', knobs: { family: { member: family(/^[a-z-]+:/), gamma: 0.5 } } },
  { name: 'family esf: body tokens (all after the header) m^0.75', knobs: { family: { member: family(BODY_TOKEN), gamma: 0.75 } } },
  { name: 'family esf: body tokens m^0.75, s 0.05, minDev 0.2', options: { robS: 0.05, minDev: 0.2 }, knobs: { family: { member: family(BODY_TOKEN), gamma: 0.75 } } },
  { name: 'family esf: body words m^0.75, s 0.05, minDev 0.2', options: { robS: 0.05, minDev: 0.2 }, knobs: { family: { member: family(/^[^:]*$/), gamma: 0.75 } } },
  { name: 'family esf: body words m^0.5', knobs: { family: { member: family(/^[^:]*$/), gamma: 0.5 } } },
  { name: 'family esf: body tokens m^0.5', knobs: { family: { member: family(BODY_TOKEN), gamma: 0.5 } } },
  { name: 'complement NB (the 3+ bucket rule)', knobs: { complement: true } },
  { name: 'family esf: body words m^0.9', knobs: { family: { member: family(/^[^:]*$/), gamma: 0.9 } } },
  { name: 'family esf: body words m^0.75', knobs: { family: { member: family(/^[^:]*$/), gamma: 0.75 } } },
];

/** --grid: Robinson's s × minDev × body-word weight, to look for a false-positive/miss trade better than one knob at a time. */
const GRID: Variant[] = [0.0178, 0.05, 0.1].flatMap((robS) =>
  [0.1, 0.2, 0.3, 0.375].flatMap((minDev) =>
    [1, 0.9, 0.75].map((gamma) => ({
      name: `grid: s ${robS}, minDev ${minDev}, body m^${gamma}`,
      options: { robS, minDev },
      knobs: gamma === 1 ? {} : { family: { member: family(/^[^:]*$/), gamma } },
    })),
  ),
);

/** Hashes of the corpus tokens whose text matches `re` (a family's membership test), made on first use. */
function family(re: RegExp): (hash: number) => boolean {
  let set: Set<number> | undefined;
  return (h) => {
    if (set === undefined) {
      set = new Set();
      for (const s of loaded) for (const t of s.names()) if (re.test(t)) set.add(hashToken(t));
    }
    return set.has(h);
  };
}
let loaded: readonly Sample[] = [];

/** --rules: spam when the lean > a cut fitted on the other folds to minimise misses + k·false positives; k stated here, never fitted. */
const COSTS = [1, 3];

interface Outcome {
  readonly fp: number;
  readonly fn: number;
  readonly accuracy: number;
  readonly errors: string[];
}

function main(): void {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]! : undefined;
  const showErrors = args.includes('--errors');
  const showCurve = args.includes('--curve');
  const rules = args.includes('--rules');
  const root = process.env.MAILSIFT_CORPUS ? resolve(process.env.MAILSIFT_CORPUS) : resolve(import.meta.dirname, '../../shared/corpus');
  const t0 = Date.now();
  const seed = args.includes('--seed') ? Number(args[args.indexOf('--seed') + 1]) : 0;
  const spamham = loadSplit(join(root, 'spamham', 'train'), seed);
  const groups = loadSplit(join(root, 'multiclass', 'train'), seed);
  loaded = spamham;
  console.log(`loaded and tokenized ${spamham.length} spam/ham and ${groups.length} newsgroups training messages in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${FOLDS} folds, seed ${seed}`);
  console.log(pad('variant', 42) + pad('false pos.', 12) + pad('misses', 8) + pad('accuracy', 10) + 'newsgroups');
  const variants = (args.includes('--grid') ? GRID : VARIANTS).filter((v) => only === undefined || v.name.includes(only));
  for (const v of variants) {
    const scores = crossValidate(spamham, v, v.name === 'defaults');
    const o = outcome(spamham, (i) => decide(scores[i]!, 0.5));
    const ng = v.extra || v.name === 'defaults' ? newsgroups(groups, v.extra) : undefined;
    print(v.name, o, ng, showErrors);
    if (showCurve) console.log('  ' + frontier(spamham, scores));
    if (rules) {
      for (const k of COSTS) {
        const r = thresholdRule(spamham, scores, k);
        print(`  + cut on lean by CV, FP = ${k} misses`, r, undefined, showErrors);
        console.log(`      cuts per fold: ${r.cuts.map((c) => c.toFixed(2)).join(' ')}`);
      }
    }
  }
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Out-of-fold scores of every message. `check`: also compare with the real classifier. */
function crossValidate(samples: readonly Sample[], v: Variant, check: boolean): Score[] {
  const buckets = ['ham', 'spam'];
  const options = modelOptions({ ...DEFAULT_MODEL_OPTIONS, ...v.options });
  const tokens = samples.map((s) => withExtras(s, v.extra));
  const scores: Score[] = new Array(samples.length);
  for (let k = 0; k < FOLDS; k++) {
    const train = samples.map((s, i) => [s, i] as const).filter(([s]) => s.fold !== k);
    const trainTokens = train.map(([, i]) => tokens[i]!);
    let model = buildModel(buckets, train.map(([s]) => s), trainTokens, options);
    for (let pass = 0; pass < (v.tune ?? 0); pass++) {
      const x = model.options.robX;
      const times = train.map(([s], j) => {
        const wrong = decide(scoreTwo(model, trainTokens[j]!, v.knobs ?? {}, x), 0.5) !== (s.bucket === 'spam');
        return wrong ? 2 : 1;
      });
      model = buildModel(buckets, train.map(([s]) => s), trainTokens, options, times);
    }
    const ia = model.buckets.indexOf('spam');
    const x = v.knobs?.xFromRare !== undefined ? estimateX(model, ia, v.knobs.xFromRare) : model.options.robX;
    samples.forEach((s, i) => {
      if (s.fold !== k) return;
      scores[i] = scoreTwo(model, tokens[i]!, v.knobs ?? {}, x);
      if (check) {
        const real = model.classify(tokens[i]!);
        if (Math.abs(real.scores['spam']! - scores[i]!.p) > 1e-12 || (real.bucket === 'spam') !== decide(scores[i]!, 0.5)) {
          throw new Error(`scoreTwo disagrees with classifyTwo on ${s.path}: ${real.scores['spam']} vs ${scores[i]!.p}`);
        }
      }
    });
  }
  return scores;
}

/** Spam when P(spam) > t; at exactly 0.5 with t = 0.5 the stronger side (lean) decides, as classifyTwo. */
function decide(s: Score, t: number): boolean {
  return s.p > t || (s.p === t && t === 0.5 && s.lean > 0);
}

function outcome(samples: readonly Sample[], spam: (i: number) => boolean): Outcome {
  let fp = 0;
  let fn = 0;
  const errors: string[] = [];
  samples.forEach((s, i) => {
    const says = spam(i);
    if (says && s.bucket === 'ham') (fp++, errors.push('FP ' + s.path));
    if (!says && s.bucket === 'spam') (fn++, errors.push('FN ' + s.path));
  });
  return { fp, fn, accuracy: 1 - (fp + fn) / samples.length, errors };
}

/**
 * Cost-sensitive threshold on the lean (ln Q(ham side) − ln Q(spam side), which unlike
 * P(spam) does not saturate at 0 or 1): for each fold, the cut (0, or a midpoint between
 * two distinct out-of-fold leans of the OTHER folds) that minimises misses + k·false
 * positives there, nearest 0 on ties; applied to the fold. k is stated, not fitted.
 */
function thresholdRule(samples: readonly Sample[], scores: readonly Score[], k: number): Outcome & { cuts: number[] } {
  const cuts = new Array<number>(FOLDS);
  for (let f = 0; f < FOLDS; f++) {
    const idx = samples.map((_, i) => i).filter((i) => samples[i]!.fold !== f);
    const ranked = idx.map((i) => ({ v: scores[i]!.lean, spam: samples[i]!.bucket === 'spam' })).sort((a, b) => a.v - b.v);
    // Sweep the cut upwards: everything above it is called spam.
    let fp = ranked.filter((r) => !r.spam).length;
    let fn = 0;
    let best = 0;
    let bestCost = Infinity;
    const consider = (c: number, cost: number): void => {
      if (cost < bestCost || (cost === bestCost && Math.abs(c) < Math.abs(best))) [best, bestCost] = [c, cost];
    };
    consider(-Infinity, fn + k * fp);
    for (let j = 0; j < ranked.length; j++) {
      if (ranked[j]!.spam) fn++;
      else fp--;
      if (j + 1 < ranked.length && ranked[j + 1]!.v === ranked[j]!.v) continue;
      consider(j + 1 < ranked.length ? (ranked[j]!.v + ranked[j + 1]!.v) / 2 : Infinity, fn + k * fp);
    }
    // The default rule (cut 0) when it costs no more.
    let f0 = 0;
    for (const r of ranked) if (r.spam ? !(r.v > 0) : r.v > 0) f0 += r.spam ? 1 : k;
    if (f0 <= bestCost) best = 0;
    cuts[f] = best;
  }
  const o = outcome(samples, (i) => scores[i]!.lean > cuts[samples[i]!.fold]!);
  return { ...o, cuts };
}

/**
 * The trade-off a threshold could buy (for comparing variants, not for choosing one): the
 * fewest misses at which at most N hams are called spam, ranking by the log-space lean
 * (which, unlike P(spam), does not saturate at 0 or 1). In-sample over the thresholds.
 */
function frontier(samples: readonly Sample[], scores: readonly Score[]): string {
  const ranked = samples.map((s, i) => ({ spam: s.bucket === 'spam', v: scores[i]!.lean })).sort((a, b) => b.v - a.v);
  const spamTotal = ranked.filter((r) => r.spam).length;
  const out: string[] = [];
  for (const maxFp of [13, 12, 10, 8, 6, 4]) {
    // Call spam everything above the cut; the cut goes just before the (maxFp + 1)-th ham.
    let fp = 0;
    let caught = 0;
    for (const r of ranked) {
      if (!r.spam && ++fp > maxFp) break;
      if (r.spam) caught++;
    }
    out.push(`FP ${maxFp}: ${spamTotal - caught} misses`);
  }
  return out.join(', ');
}

/** Cross-validated accuracy of the 10-bucket model with the extra tokens. */
function newsgroups(samples: readonly Sample[], extra: ExtraTokens | undefined): number {
  const buckets = [...new Set(samples.map((s) => s.bucket))].sort();
  const tokens = samples.map((s) => withExtras(s, extra));
  let right = 0;
  for (let k = 0; k < FOLDS; k++) {
    const train = samples.map((s, i) => [s, i] as const).filter(([s]) => s.fold !== k);
    const model = buildModel(buckets, train.map(([s]) => s), train.map(([, i]) => tokens[i]!));
    samples.forEach((s, i) => {
      if (s.fold === k && model.classify(tokens[i]!).bucket === s.bucket) right++;
    });
  }
  return right / samples.length;
}

function print(name: string, o: Outcome, ng: number | undefined, errors: boolean): void {
  const pct = (x: number): string => (100 * x).toFixed(2) + ' %';
  console.log(pad(name, 42) + pad(String(o.fp), 12) + pad(String(o.fn), 8) + pad(pct(o.accuracy), 10) + (ng === undefined ? '' : pct(ng)));
  if (errors) for (const e of o.errors) console.log('    ' + e);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length);
}

main();
