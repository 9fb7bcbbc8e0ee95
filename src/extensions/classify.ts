/**
 * vnd.mailsift.classify: mailsift's own extension (no RFC). Status: complete.
 * A test that asks a trained Bayes model (src/classify) which bucket a message belongs to.
 *
 *   classify [:model <name: string>] [:verdict | :probability <bucket: string>]
 *            [COMPARATOR] [MATCH-TYPE] <keys: string-list>
 *
 * - Plain: compares the winning bucket's name with the keys ("spam", "Lists", ...). The
 *   winner is always the most probable bucket, unsure or not.
 * - :verdict compares "unsure" instead of the winner when the decision falls in the
 *   model's unsure band (so a bucket may not be named "unsure").
 * - :probability <bucket> compares that bucket's probability, a number from 0 to 1; ""
 *   means the winner's. The comparison is numeric (keys are decimals such as "0.95"), so
 *   only :is and :value (relational) apply and :comparator is refused.
 *
 * After the test, ${bucket} holds the winner when variables is in use, so that
 * `fileinto "Buckets/${bucket}"` files mail as POPFile does (RFC 5229 §3: an extension
 * may set variables).
 *
 * The models are host-provided, pure data: settings.classify = { models: Map<name,
 * ModelSnapshot>, default?: name }. No :model means the default (or the only) model. A
 * model the host does not have is a runtime error ("host-error"): the message is kept.
 * Each model classifies a message at most once per evaluation (cached in rt.state).
 * `spamtestFromModel` backs spamtest/spamtestplus (RFC 5235) with a model's spam bucket.
 */
import { defineExtension, defineTest, tagArgument, type Call, type LowerContext } from './define.js';
import type { ScoreTestSettings } from './spamtest.js';
import type { Classification, ModelSnapshot } from '../classify/model-snapshot.js';
import { tokenHashes } from '../classify/tokenize.js';
import type { Comparator } from '../runtime/comparators.js';
import type { MatchSpec, Runtime } from '../runtime/runtime.js';
import { truncateUtf8, type Str } from '../runtime/strings.js';

/** What the host puts under settings.classify. */
export interface ClassifySettings {
  readonly models: ReadonlyMap<string, ModelSnapshot>;
  /** The model used without :model; default: the only model, else the first. */
  readonly default?: string;
}

/** The variable the winner lands in. */
export const BUCKET_VARIABLE = 'bucket';

/** A decimal number as `:probability` keys are written: "0.95", "1", ".5", "0". */
const DECIMAL = /^\s*(?:\d+(?:\.\d*)?|\.\d+)\s*$/;

function parseProbability(s: string): number | undefined {
  return DECIMAL.test(s) ? Number(s) : undefined;
}

/** Numeric order for :probability; a key that is not a number never matches. */
const decimal: Comparator = {
  name: 'vnd.mailsift.decimal',
  substring: false,
  equals: (a, b) => {
    const x = parseProbability(a);
    const y = parseProbability(b);
    return x !== undefined && y !== undefined && x === y;
  },
  compare: (a, b) => {
    const x = parseProbability(a);
    const y = parseProbability(b);
    // Unparsable keys: NaN makes every relation false (satisfies() gets NaN → no operator holds).
    return x === undefined || y === undefined ? Number.NaN : x - y;
  },
  fold: (s) => s,
};

interface ClassifyArgs {
  readonly model?: Str;
  readonly mode: 'bucket' | 'verdict' | 'probability';
  readonly bucket?: Str;
  readonly keys: readonly Str[];
  readonly match: MatchSpec;
}

function lower(call: Call, cx: LowerContext): ClassifyArgs | undefined {
  const probability = tagArgument(call.tag('probability'));
  const keys = call.positional[0]!.list!;
  if (!probability) {
    return { model: tagArgument(call.tag('model'))?.str, mode: call.tag('verdict') ? 'verdict' : 'bucket', keys, match: call.match };
  }
  const span = call.tagSpan('probability')!;
  const type = call.match.type.name;
  if (type !== 'is' && type !== 'value') {
    cx.error('unsupported-match', span, `classify :probability compares numbers: use :is or :value, not :${type}`);
    return undefined;
  }
  if (call.match.comparator.name !== 'i;ascii-casemap') {
    cx.error('conflicting-tags', span, 'classify :probability always compares numerically; leave out :comparator');
    return undefined;
  }
  let ok = true;
  for (const [i, key] of keys.entries()) {
    if (typeof key === 'string' && (parseProbability(key) === undefined || parseProbability(key)! > 1)) {
      const at = call.positional[0]!.literals?.[i]?.span ?? call.positional[0]!.span;
      cx.error('invalid-value', at, `classify :probability key ${JSON.stringify(key)} is not a probability (a decimal from 0 to 1, e.g. "0.95")`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  return {
    model: tagArgument(call.tag('model'))?.str,
    mode: 'probability',
    bucket: probability.str,
    keys,
    match: { ...call.match, comparator: decimal },
  };
}

/** The model a test refers to, or a runtime error naming what the host lacks. */
function findModel(rt: Runtime, name: string | undefined): ModelSnapshot {
  const settings = rt.setting<ClassifySettings>('classify');
  const models = settings?.models;
  if (!models || models.size === 0) rt.fail('host-error', 'classify: no classifier model is configured');
  const wanted = name ?? settings!.default ?? models.keys().next().value!;
  const model = models.get(wanted);
  if (!model) rt.fail('host-error', `classify: no model named "${wanted}" (known: ${[...models.keys()].join(', ')})`);
  return model;
}

/** The model's verdict on this message, computed once per evaluation. */
export function classification(rt: Runtime, model: ModelSnapshot): Classification {
  const key = `classify/${model.name}`;
  const cached = rt.state.get(key) as Classification | undefined;
  if (cached) return cached;
  const tokensKey = 'classify/tokens';
  let tokens = rt.state.get(tokensKey) as Float64Array | undefined;
  if (!tokens) rt.state.set(tokensKey, (tokens = tokenHashes(rt.message)));
  const result = model.classify(tokens);
  rt.state.set(key, result);
  return result;
}

/** Probabilities are compared as short decimals: 0.9731 (4 places, enough for any band). */
export function formatProbability(p: number): string {
  return String(Math.round(p * 10000) / 10000);
}

const classifyTest = defineTest<ClassifyArgs>({
  signature: {
    positional: [{ name: 'keys', kind: 'string-list' }],
    tags: { model: { arg: 'string' }, verdict: { group: 'classify-value' }, probability: { arg: 'string', group: 'classify-value' } },
    match: true,
  },
  needsBody: true,
  lower,
  test(args, rt) {
    const model = findModel(rt, args.model === undefined ? undefined : rt.expand(args.model));
    const result = classification(rt, model);
    if (rt.capabilities.has('variables')) rt.variables.set(BUCKET_VARIABLE, truncateUtf8(result.bucket, rt.limits.maxVariableSize));
    let value: string;
    switch (args.mode) {
      case 'bucket':
        value = result.bucket;
        break;
      case 'verdict':
        value = result.unsure ? 'unsure' : result.bucket;
        break;
      case 'probability': {
        const bucket = args.bucket === undefined ? '' : rt.expand(args.bucket);
        const p = result.scores[bucket === '' ? result.bucket : bucket];
        if (p === undefined) return false; // no such bucket in this model: nothing to compare
        value = formatProbability(p);
        break;
      }
    }
    return rt.match(args.match, [value], args.keys);
  },
});

export const classify = defineExtension({
  name: 'vnd.mailsift.classify',
  spec: "mailsift's own (docs/rules.md, docs/classify.md)",
  tests: { classify: classifyTest },
});

/**
 * spamtest/spamtestplus settings that take the score from a model instead of a header:
 * the probability of its `bucket` (default "spam"). Pass as settings.spamtest together
 * with settings.classify; scripts written for RFC 5235 then work unchanged.
 */
export function spamtestFromModel(modelName?: string, bucket = 'spam'): ScoreTestSettings {
  return {
    probability: (rt) => {
      const settings = rt.setting<ClassifySettings>('classify');
      const name = modelName ?? settings?.default ?? settings?.models.keys().next().value;
      const model = name === undefined ? undefined : settings?.models.get(name);
      if (!model || !model.buckets.includes(bucket)) return undefined;
      return classification(rt, model).scores[bucket];
    },
  };
}
