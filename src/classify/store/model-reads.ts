/**
 * What the model store reads for others: its decision constants, its stats (`mailsift model
 * stats`, train's summary), one token's counts, and the immutable snapshot classification
 * runs on (model-snapshot.ts). Each reads either schema: the current one (packed pages,
 * token-pages.ts) or schema 1, which an old model keeps when it is opened read-only (it is
 * never migrated then: schema.ts), with token text in table `tokens`.
 *
 * The callers (ModelStore) run stats and snapshot reads in one transaction, so that beside
 * another process's writer they see the buckets and counts of one commit.
 */
import type Database from 'better-sqlite3';
import { modelOptions, SnapshotBuilder, snapshotOfCounts, type ModelOptions, type ModelSnapshot } from '../model-snapshot.js';
import { hashToken } from '../token-hash.js';
import { TOKENIZER_VERSION } from '../tokenize.js';
import { countTokens, readCounts, readToken } from './token-pages.js';

export interface BucketStats {
  readonly name: string;
  readonly messages: number;
  /** Distinct tokens seen in this bucket's messages. */
  readonly tokens: number;
}

export interface ModelStats {
  readonly name: string;
  readonly file: string;
  readonly buckets: readonly BucketStats[];
  readonly messages: number;
  /** Distinct tokens over all buckets. */
  readonly tokens: number;
  readonly tokenizer: number;
  readonly options: ModelOptions;
}

/** The model being read: its connection, schema version (1 or current), name and file. */
export interface ModelSource {
  readonly db: Database.Database;
  readonly schema: number;
  readonly name: string;
  readonly file: string;
}

interface BucketRow {
  id: number;
  name: string;
  messages: number;
}

function bucketRows(db: Database.Database): BucketRow[] {
  return db.prepare('SELECT id, name, messages FROM buckets ORDER BY name').all() as BucketRow[];
}

/** The model's decision constants (defaults completed; a stored value that is not JSON counts as none). */
export function readOptions(db: Database.Database): ModelOptions {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'options'").get() as { value: string } | undefined;
  let stored: Partial<ModelOptions> | undefined;
  try {
    stored = row === undefined ? undefined : (JSON.parse(row.value) as Partial<ModelOptions>);
  } catch {
    stored = undefined;
  }
  return modelOptions(stored);
}

/** Buckets with message and distinct-token counts, and totals. */
export function readStats(model: ModelSource): ModelStats {
  const { db } = model;
  const rows = bucketRows(db);
  const perBucket = new Map<number, number>();
  let tokens: number;
  if (model.schema === 1) {
    for (const row of db.prepare('SELECT bucket, count(*) AS n FROM tokens GROUP BY bucket').all() as { bucket: number; n: number }[]) {
      perBucket.set(row.bucket, row.n);
    }
    tokens = (db.prepare('SELECT count(DISTINCT token) AS n FROM tokens').get() as { n: number }).n;
  } else {
    const counted = countTokens(db, rows.map((r) => r.id));
    for (const [id, n] of counted.perBucket) perBucket.set(id, n);
    tokens = counted.tokens;
  }
  const buckets = rows.map((r) => ({ name: r.name, messages: r.messages, tokens: perBucket.get(r.id) ?? 0 }));
  const tokenizer = Number((db.prepare("SELECT value FROM meta WHERE key = 'tokenizer'").get() as { value: string } | undefined)?.value ?? TOKENIZER_VERSION);
  return { name: model.name, file: model.file, buckets, messages: buckets.reduce((a, b) => a + b.messages, 0), tokens, tokenizer, options: readOptions(db) };
}

/** The count of one token (its text or hash) per bucket name of `bucketIds` (0 when absent). */
export function readTokenCounts(model: ModelSource, bucketIds: ReadonlyMap<string, number>, token: string | number): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries([...bucketIds.keys()].sort().map((b) => [b, 0]));
  const byId = new Map([...bucketIds].map(([n, id]) => [id, n]));
  if (model.schema === 1) {
    for (const row of model.db.prepare('SELECT bucket, count FROM tokens WHERE token = ?').all(token) as { bucket: number; count: number }[]) {
      out[byId.get(row.bucket)!] = row.count;
    }
  } else {
    for (const [bucket, count] of readToken(model.db, typeof token === 'number' ? token : hashToken(token))) out[byId.get(bucket)!] = count;
  }
  return out;
}

/** An immutable in-memory copy for classification, named `name`. */
export function readSnapshot(model: ModelSource, name: string): ModelSnapshot {
  const { db } = model;
  const rows = bucketRows(db);
  const buckets = rows.map((r) => r.name);
  const messages = rows.map((r) => r.messages);
  if (model.schema !== 1) return snapshotOfCounts(name, buckets, messages, readCounts(db, rows.map((r) => r.id)), readOptions(db));
  // Schema 1 (an old model opened read-only) keeps token text: hashed here, as migration 2 does.
  const builder = new SnapshotBuilder(name, buckets, messages, readOptions(db));
  const column = new Map(rows.map((r, i) => [r.id, i]));
  const it = db.prepare('SELECT token, bucket, count FROM tokens').raw(true).iterate() as IterableIterator<[string, number, number]>;
  for (const [token, bucket, count] of it) {
    const b = column.get(bucket);
    if (b !== undefined && count > 0) builder.add(token, b, count);
  }
  return builder.build();
}
