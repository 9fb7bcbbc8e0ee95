/**
 * Training and untraining a model (model-store.ts): a TrainingBatch sums the count changes
 * of many messages in memory (an ordered hash table per bucket, sorted-counts.ts) and hands
 * them to ModelStore.write at commit(), which rewrites the pages they touch in one
 * transaction: what makes `mailsift train` fast. Training is keyed by message
 * (message-key.ts): the same message twice counts once, into another bucket it moves.
 *
 * The API for the daemon's "learning by moving" is the three functions at the end:
 * train(model, bucket, raw), untrain(model, bucket, raw), reclassify(model, from, to, raw).
 *
 * The loops here are the hot path of `mailsift train`, tuned by measurement (bench/README.md,
 * classify): change them only with the training harness at hand.
 */
import { MailsiftError } from '../../errors.js';
import type { ModelStore } from './model-store.js';
import { SortedCounts } from './sorted-counts.js';

/** Lookups after which a batch reads all trained keys at once (TrainingBatch.current). */
const KEY_SET_AFTER = 32;

/** Bucket names: they become folder names through ${bucket}, so no "/" and nothing exotic. */
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** "unsure" is what `classify :verdict` says in the unsure band, so no bucket may be called that. */
export function checkBucketName(name: string): void {
  if (!BUCKET_NAME.test(name) || name.toLowerCase() === 'unsure') {
    throw new MailsiftError(
      'MODEL_INVALID',
      `invalid bucket name ${JSON.stringify(name)}: use 1-64 letters, digits, ".", "_", "+" or "-", starting with a letter or digit (and not "unsure")`,
    );
  }
}

/** trained: new; duplicate: already in this bucket (nothing changed); moved: was in another bucket, now in this one. */
export type TrainOutcome = 'trained' | 'duplicate' | 'moved';
/** untrained: removed; not-trained: unknown message (nothing changed); other-bucket: it is trained in another bucket (nothing changed). */
export type UntrainOutcome = 'untrained' | 'not-trained' | 'other-bucket';

/** Where a message is trained. */
export interface Trained {
  readonly bucket: number;
  /** The token hashes its training added. */
  readonly tokens: Float64Array;
}

/**
 * Many train/untrain calls written in one transaction. The batch keeps the state of every
 * message it touched, so the same message twice in one batch behaves as it would in two.
 */
export class TrainingBatch {
  /** bucket id → token hash → change of its count. */
  private readonly deltas = new Map<number, SortedCounts>();
  private readonly messageDeltas = new Map<number, number>();
  private readonly touched = new Map<string, Trained | null>();
  /** Buckets this batch creates, written by commit() (their provisional ids: ModelStore.write). */
  private readonly created: string[] = [];
  private committed = false;
  private lookups = 0;
  private known: Set<string> | undefined;

  constructor(private readonly store: ModelStore) {}

  /** Messages changed so far. */
  get pending(): number {
    return this.touched.size;
  }

  train(bucket: string, raw: Uint8Array): TrainOutcome {
    const b = this.bucketId(bucket, true)!;
    const keyed = this.store.keyed(raw);
    const key = keyed.key;
    const current = this.current(key);
    if (current?.bucket === b) return 'duplicate';
    if (current) this.apply(current.bucket, current.tokens, -1);
    const tokens = keyed.tokens();
    this.apply(b, tokens, 1);
    this.touched.set(key, { bucket: b, tokens });
    return current ? 'moved' : 'trained';
  }

  untrain(bucket: string, raw: Uint8Array): UntrainOutcome {
    const b = this.bucketId(bucket, false);
    const { key } = this.store.keyed(raw);
    const current = this.current(key);
    if (!current) return 'not-trained';
    if (current.bucket !== b) return 'other-bucket';
    this.apply(b, current.tokens, -1);
    this.touched.set(key, null);
    return 'untrained';
  }

  /** Write everything in one transaction. A batch is committed once. */
  commit(): void {
    if (this.committed) return;
    this.committed = true;
    if (this.touched.size > 0) this.store.write(this.deltas, this.messageDeltas, this.touched, this.created);
  }

  /** The store's id of a bucket, or the provisional id of one this batch creates (checking its name). */
  private bucketId(name: string, create: boolean): number | undefined {
    const id = this.store.bucketId(name);
    if (id !== undefined) return id;
    const at = this.created.indexOf(name);
    if (at >= 0) return -(at + 1);
    if (!create) return undefined;
    checkBucketName(name);
    return -this.created.push(name);
  }

  private current(key: string): Trained | undefined {
    const t = this.touched.get(key);
    if (t !== undefined) return t ?? undefined;
    // A big batch (a `mailsift train` run) reads the keys of all trained messages once and
    // queries only for those it finds, instead of one query per message (most are new).
    if (this.lookups++ === KEY_SET_AFTER) this.known = this.store.trainedKeys();
    if (this.known !== undefined && !this.known.has(key)) return undefined;
    return this.store.lookup(key);
  }

  private apply(bucket: number, tokens: Float64Array, sign: 1 | -1): void {
    let deltas = this.deltas.get(bucket);
    if (deltas === undefined) this.deltas.set(bucket, (deltas = new SortedCounts(4096)));
    for (let i = 0; i < tokens.length; i++) deltas.add(tokens[i]!, sign);
    this.messageDeltas.set(bucket, (this.messageDeltas.get(bucket) ?? 0) + sign);
  }
}

/** Train one message into `bucket` (created when new). See TrainOutcome. */
export function train(model: ModelStore, bucket: string, raw: Uint8Array): TrainOutcome {
  const batch = model.batch();
  const outcome = batch.train(bucket, raw);
  batch.commit();
  return outcome;
}

/** Untrain one message from `bucket`. See UntrainOutcome. */
export function untrain(model: ModelStore, bucket: string, raw: Uint8Array): UntrainOutcome {
  const batch = model.batch();
  const outcome = batch.untrain(bucket, raw);
  batch.commit();
  return outcome;
}

/**
 * The user moved a message from the folder of bucket `from` to that of bucket `to`:
 * move its training. A message not trained at all (or trained elsewhere) is trained into
 * `to` all the same, since the move says where it belongs. Returns what happened in `to`.
 */
export function reclassify(model: ModelStore, from: string, to: string, raw: Uint8Array): TrainOutcome {
  const batch = model.batch();
  // untrain then train in one batch: one transaction, and the training of `to` sees the untraining.
  const untrained = batch.untrain(from, raw);
  const outcome = batch.train(to, raw);
  batch.commit();
  return untrained === 'untrained' && outcome === 'trained' ? 'moved' : outcome;
}
