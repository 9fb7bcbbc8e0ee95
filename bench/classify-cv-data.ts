/**
 * Data side of the cross-validation tool (classify-cv.ts): the training splits of the
 * shared corpus read once, tokenized once (the hash path, tokenHashesRaw), deterministic
 * stratified folds, and in-memory models built from token hashes (SnapshotBuilder), so a
 * variant costs a few seconds instead of a bench run. Never reads a test split.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL_OPTIONS, SnapshotBuilder, type ModelOptions, type ModelSnapshot } from '../src/classify/model-snapshot.js';
import { hashToken } from '../src/classify/token-hash.js';
import { stripMboxFrom, tokenHashesRaw, tokenizeRaw } from '../src/classify/tokenize.js';
import { tokenSource, type TokenSource } from '../src/classify/token-source.js';

export const FOLDS = 5;

export interface Sample {
  readonly bucket: string;
  /** The file, relative to the split's directory (bucket/name). */
  readonly path: string;
  /** Fold 0..FOLDS-1: the i-th file (sorted by name) of its bucket goes to fold i mod FOLDS. */
  readonly fold: number;
  readonly raw: Uint8Array;
  /** tokenHashesRaw(raw): what training and classification use. */
  readonly hashes: Float64Array;
  /** tokenizeRaw(raw), made on first use (variants that look at token text). */
  names(): readonly string[];
  /** The message as the tokenizer reads it, made on first use (variants that add tokens). */
  source(): TokenSource;
}

/**
 * Every message of `<dir>/<bucket>/*`, buckets and files sorted by name. `seed` 0: the i-th
 * file of a bucket goes to fold i mod FOLDS; another seed first shuffles each bucket's
 * files with a seeded generator (repeated cross-validation: is a difference more than the
 * luck of one split?).
 */
export function loadSplit(dir: string, seed = 0): Sample[] {
  const out: Sample[] = [];
  for (const bucket of readdirSync(dir).sort()) {
    const files = readdirSync(join(dir, bucket)).sort();
    const order = shuffled(files.length, seed);
    files.forEach((file, i) => {
      const raw = readFileSync(join(dir, bucket, file));
      let names: readonly string[] | undefined;
      let source: TokenSource | undefined;
      out.push({
        bucket,
        path: `${bucket}/${file}`,
        fold: order[i]! % FOLDS,
        raw,
        hashes: tokenHashesRaw(raw),
        names: () => (names ??= tokenizeRaw(raw)),
        source: () => (source ??= tokenSource(stripMboxFrom(raw))),
      });
    });
  }
  return out;
}

/** A permutation of 0..n-1: the identity for seed 0, else a Fisher–Yates shuffle driven by mulberry32(seed). */
function shuffled(n: number, seed: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  if (seed === 0) return out;
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Extra tokens a variant adds to a message (text; hashed and merged with its hashes). */
export type ExtraTokens = (s: Sample) => readonly string[];

/** The message's hashes with `extra` merged in (distinct, order kept). */
export function withExtras(s: Sample, extra: ExtraTokens | undefined): Float64Array {
  if (extra === undefined) return s.hashes;
  const seen = new Set<number>(s.hashes);
  const more: number[] = [];
  for (const t of extra(s)) {
    const h = hashToken(t);
    if (!seen.has(h)) {
      seen.add(h);
      more.push(h);
    }
  }
  if (more.length === 0) return s.hashes;
  const out = new Float64Array(s.hashes.length + more.length);
  out.set(s.hashes);
  out.set(more, s.hashes.length);
  return out;
}

/**
 * A model of `samples` (their token sets `tokens[i]`), counted the way the store counts:
 * per token, in how many trained messages of each bucket it occurs. `times[i]` (default 1)
 * trains a message more than once (the TUNE experiment; the store itself never does).
 */
export function buildModel(buckets: readonly string[], samples: readonly Sample[], tokens: readonly Float64Array[], options: ModelOptions = DEFAULT_MODEL_OPTIONS, times?: readonly number[]): ModelSnapshot {
  const messages = buckets.map(() => 0);
  const index = new Map(buckets.map((b, i) => [b, i]));
  for (let i = 0; i < samples.length; i++) messages[index.get(samples[i]!.bucket)!]! += times?.[i] ?? 1;
  const builder = new SnapshotBuilder('cv', buckets, messages, options, 200_000);
  for (let i = 0; i < samples.length; i++) {
    const b = index.get(samples[i]!.bucket)!;
    const w = times?.[i] ?? 1;
    for (const h of tokens[i]!) builder.add(h, b, w);
  }
  return builder.build();
}
