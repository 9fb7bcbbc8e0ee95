/**
 * The in-memory, read-only view of a trained model that classification uses: bucket
 * names, message counts, and for every token how many messages of each bucket held it.
 * Pure (no Node module): the store (src/classify/store/) builds it from SQLite, the
 * runtime and the CLI only read it. A snapshot never changes; training writes the store,
 * and the host loads a new snapshot when it wants to see the changes.
 *
 * Tokens are known by their 52-bit hashes (token-hash.ts). Counts live in one typed-array
 * hash table (HashCounts: token hash → one Int32 per bucket), about 24 bytes per token and
 * no object or string per token, so a snapshot of 100,000 tokens is built in milliseconds.
 */
import { classifyMulti } from './multiclass.js';
import { classifyTwo } from './robinson-fisher.js';
import { HashCounts, hashToken } from './token-hash.js';

/** A message's tokens: their text (tokenize) or their hashes (tokenHashes). */
export type MessageTokens = readonly string[] | Float64Array;

/** The hashes of a message's tokens, and their text when known (for clues). */
function tokenKeys(tokens: MessageTokens): { hashes: ArrayLike<number>; names?: readonly string[] } {
  if (tokens instanceof Float64Array) return { hashes: tokens };
  const names = tokens as readonly string[];
  const hashes = new Float64Array(names.length);
  for (let i = 0; i < names.length; i++) hashes[i] = hashToken(names[i]!);
  return { hashes, names };
}

/** How a clue names a token known only by its hash. */
export function hashName(hash: number): string {
  return '#' + hash.toString(16).padStart(13, '0');
}

/** How a model decides. Stored with the model (meta table); every field has a default. */
export interface ModelOptions {
  /** Two buckets: Robinson's s, the strength of the prior x for rare tokens. */
  readonly robS: number;
  /** Two buckets: Robinson's x, the probability assumed for a token never seen. */
  readonly robX: number;
  /** Two buckets: tokens whose probability is within minDev of 0.5 are ignored. */
  readonly minDev: number;
  /** Two buckets: at most this many of the most extreme tokens are combined. */
  readonly maxClues: number;
  /** Two buckets: the positive bucket's probability below which the verdict is sure for the other one. */
  readonly hamCutoff: number;
  /** Two buckets: the positive bucket's probability from which the verdict is sure for it. */
  readonly spamCutoff: number;
  /** Two buckets: the positive ("spam") bucket; default "spam" when there is one, else the first by name. */
  readonly positive?: string;
  /** Two buckets: how much more a negative (ham) message counts than a positive one; above 1 trades misses for fewer false positives. */
  readonly negativeWeight: number;
  /** More buckets: Lidstone smoothing of the complement token counts. */
  readonly alpha: number;
  /** More buckets: the temperature that turns log-likelihoods into calibrated probabilities. */
  readonly temperature: number;
  /** More buckets: a winner below this probability is unsure. */
  readonly minProbability: number;
}

/**
 * Defaults, chosen by 5-fold cross-validation on the training split of the shared corpus
 * (never its test split): see docs/classify.md. robS is lower than SpamBayes' 0.45, which
 * lets rare but one-sided tokens (a sender, a list) count sooner.
 */
export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  robS: 0.1,
  robX: 0.5,
  minDev: 0.1,
  maxClues: 150,
  hamCutoff: 0.2,
  spamCutoff: 0.9,
  negativeWeight: 1,
  alpha: 2,
  temperature: 1.25,
  minProbability: 0.5,
};

/** One token that weighed in a decision. */
export interface Clue {
  readonly token: string;
  /**
   * Two buckets: the token's probability of the positive bucket (0.5 is neutral).
   * More buckets: log(P(token | winner) / P(token | runner-up)) — positive favours the winner.
   */
  readonly weight: number;
}

export interface Classification {
  /** The most probable bucket (always set when the model has at least one bucket). */
  readonly bucket: string;
  /** Probability of every bucket; they sum to 1. */
  readonly scores: Readonly<Record<string, number>>;
  /** The decision falls in the unsure band. */
  readonly unsure: boolean;
  /** The tokens that weighed most, strongest first (only when asked for). */
  readonly clues?: readonly Clue[];
}

export interface ClassifyOptions {
  /** Return the clues: how many of the strongest. */
  readonly explain?: number;
}

export class ModelSnapshot {
  readonly bucketCount: number;
  private readonly table: HashCounts;

  constructor(
    readonly name: string,
    readonly buckets: readonly string[],
    /** Messages trained per bucket, in the order of `buckets`. */
    readonly messages: readonly number[],
    /** Sum over tokens of their count, per bucket (the multinomial denominator). */
    readonly tokenTotals: readonly number[],
    table: HashCounts,
    readonly options: ModelOptions = DEFAULT_MODEL_OPTIONS,
  ) {
    this.bucketCount = buckets.length;
    this.table = table;
  }

  /** Distinct tokens known. */
  get vocabulary(): number {
    return this.table.size;
  }

  /** The row of a token (its text or its hash), or -1 when it was never trained. */
  row(token: string | number): number {
    return this.table.find(typeof token === 'number' ? token : hashToken(token));
  }

  /** How many messages of bucket `b` (index into `buckets`) held the token of row `row`. */
  count(row: number, b: number): number {
    return this.table.at(row, b);
  }

  /** Counts of one token by bucket name (0 when unknown); for tests and `--explain`. */
  tokenCounts(token: string | number): Record<string, number> {
    const r = this.row(token);
    return Object.fromEntries(this.buckets.map((b, i) => [b, r < 0 ? 0 : this.count(r, i)]));
  }

  /** The bucket whose probability the two-bucket rule reports as "positive" (spam). */
  get positive(): string | undefined {
    if (this.bucketCount !== 2) return undefined;
    const p = this.options.positive;
    if (p !== undefined && this.buckets.includes(p)) return p;
    return this.buckets.includes('spam') ? 'spam' : [...this.buckets].sort()[0];
  }

  /** Every token hash with its counts: for copying a model. */
  *entries(): IterableIterator<[number, readonly number[]]> {
    for (const [hash, slot] of this.table.slots()) yield [hash, this.buckets.map((_, b) => this.table.at(slot, b))];
  }

  /**
   * Classify a message's tokens (tokenize.ts): their hashes (tokenHashes, the fast path) or
   * their text (clues then name the tokens; with hashes they show as "#<hex>").
   */
  classify(tokens: MessageTokens, options: ClassifyOptions = {}): Classification {
    if (this.bucketCount === 0) return { bucket: '', scores: {}, unsure: true, clues: options.explain ? [] : undefined };
    if (this.bucketCount === 1) {
      return { bucket: this.buckets[0]!, scores: { [this.buckets[0]!]: 1 }, unsure: false, clues: options.explain ? [] : undefined };
    }
    const { hashes, names } = tokenKeys(tokens);
    return this.bucketCount === 2 ? classifyTwo(this, hashes, names, options) : classifyMulti(this, hashes, names, options);
  }
}

/** Builds a snapshot row by row (the store streams its rows into this). */
export class SnapshotBuilder {
  private readonly table: HashCounts;
  private readonly totals: number[];

  constructor(
    private readonly name: string,
    private readonly buckets: readonly string[],
    private readonly messages: readonly number[],
    private readonly options: ModelOptions = DEFAULT_MODEL_OPTIONS,
    expectedTokens = 1024,
  ) {
    this.table = new HashCounts(Math.max(1, buckets.length), expectedTokens);
    this.totals = buckets.map(() => 0);
  }

  /** Add `count` to a token's (text or hash) count in bucket `b` (index into buckets). */
  add(token: string | number, b: number, count: number): void {
    this.table.add(typeof token === 'number' ? token : hashToken(token), b, count);
    this.totals[b]! += count;
  }

  build(): ModelSnapshot {
    return new ModelSnapshot(this.name, this.buckets, this.messages, this.totals, this.table, this.options);
  }
}

/**
 * A snapshot of ready counts (one column per bucket, in the order of `buckets`), as the store
 * reads them from its pages: no builder, whose own table would be allocated only to be dropped.
 */
export function snapshotOfCounts(name: string, buckets: readonly string[], messages: readonly number[], table: HashCounts, options: ModelOptions): ModelSnapshot {
  const totals = buckets.map(() => 0);
  for (const slot of table.occupied()) for (let b = 0; b < totals.length; b++) totals[b]! += table.at(slot, b);
  return new ModelSnapshot(name, buckets, messages, totals, table, options);
}

/** The options stored with a model, completed with defaults (unknown keys are dropped). */
export function modelOptions(partial: Partial<ModelOptions> | undefined): ModelOptions {
  const out: Record<string, unknown> = { ...DEFAULT_MODEL_OPTIONS };
  for (const key of Object.keys(DEFAULT_MODEL_OPTIONS) as (keyof ModelOptions)[]) {
    const v = partial?.[key];
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  }
  if (typeof partial?.positive === 'string') out['positive'] = partial.positive;
  return out as unknown as ModelOptions;
}
