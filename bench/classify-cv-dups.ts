/**
 * Near-duplicate campaigns (a diagnostic of classify-cv-ideas.ts): spam training holds many
 * near-copies of one mailing, each counted as an independent message. Here a training
 * message counts 1 / (the number of training messages of its bucket, itself included,
 * whose token set has Jaccard similarity ≥ 0.8 with its own), estimated with 64 MinHashes
 * (Broder 1997). Counts are integers in the snapshot, so every weight is scaled by SCALE
 * and rounded (at least 1), and Robinson's s is scaled with them (f depends on counts only
 * through p and n against s). The store could not do this incrementally: a new message
 * changes the weights of its whole cluster.
 */
import { DEFAULT_MODEL_OPTIONS, modelOptions, SnapshotBuilder, type ModelSnapshot } from '../src/classify/model-snapshot.js';
import type { Sample } from './classify-cv-data.js';

const HASHES = 64;
const THRESHOLD = 0.8;
const SCALE = 60;

/** For every message, the other messages of its bucket that are near-duplicates of it. */
export function duplicateWeights(samples: readonly Sample[]): number[][] {
  const sigs = samples.map((s) => minHashes(s.hashes));
  const near: number[][] = samples.map(() => []);
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      if (samples[i]!.bucket !== samples[j]!.bucket) continue;
      const a = sigs[i]!;
      const b = sigs[j]!;
      let same = 0;
      for (let k = 0; k < HASHES; k++) if (a[k] === b[k]) same++;
      if (same >= THRESHOLD * HASHES) (near[i]!.push(j), near[j]!.push(i));
    }
  }
  return near;
}

/** A model of the training messages `idx`, each counted 1 / its cluster size within `idx`. */
export function weightedModel(samples: readonly Sample[], idx: readonly number[], near: readonly number[][]): ModelSnapshot {
  const inTrain = new Uint8Array(samples.length);
  for (const i of idx) inTrain[i] = 1;
  const buckets = ['ham', 'spam'];
  const w = idx.map((i) => Math.max(1, Math.round(SCALE / (1 + near[i]!.filter((j) => inTrain[j]).length))));
  const messages = [0, 0];
  idx.forEach((i, n) => (messages[samples[i]!.bucket === 'spam' ? 1 : 0]! += w[n]!));
  const options = modelOptions({ ...DEFAULT_MODEL_OPTIONS, robS: DEFAULT_MODEL_OPTIONS.robS * SCALE });
  const builder = new SnapshotBuilder('cv-dups', buckets, messages, options, 200_000);
  idx.forEach((i, n) => {
    const b = samples[i]!.bucket === 'spam' ? 1 : 0;
    for (const h of samples[i]!.hashes) builder.add(h, b, w[n]!);
  });
  return builder.build();
}

/** 64 MinHashes of a set of 52-bit token hashes (each: min over tokens of a seeded 32-bit mix). */
function minHashes(hashes: Float64Array): Uint32Array {
  const out = new Uint32Array(HASHES).fill(0xffffffff);
  for (const h of hashes) {
    const lo = h >>> 0;
    const hi = Math.floor(h / 4294967296) >>> 0;
    for (let k = 0; k < HASHES; k++) {
      let x = (lo ^ Math.imul(k + 1, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca6b)) >>> 0;
      x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
      x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
      x = (x ^ (x >>> 16)) >>> 0;
      if (x < out[k]!) out[k] = x;
    }
  }
  return out;
}
