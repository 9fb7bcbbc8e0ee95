/**
 * A classifier model on disk: one SQLite file, `<dir>/model.sqlite` (better-sqlite3, WAL,
 * like the state database). Training and untraining are incremental and keyed by message
 * (message-key.ts): training a message twice counts once, training it into another bucket
 * moves it, untraining removes exactly the tokens its training added (they are stored
 * with it, as token hashes: token-hash.ts). Counts live in packed pages (token-pages.ts).
 * Classification never reads this file directly: it reads a ModelSnapshot (snapshot()),
 * an immutable in-memory copy, so evaluation stays pure.
 *
 * The store is split by what each part does; this file is the ModelStore and the import
 * path of all of it:
 *
 *   model-open.ts       creating and opening the file (writable and migrated, or read-only)
 *   model-errors.ts     MODEL_UNAVAILABLE / MODEL_UNWRITABLE, each naming the file
 *   model-reads.ts      options, stats, token counts and snapshots, in either schema
 *   training-batch.ts   TrainingBatch and train / untrain / reclassify (the daemon's learning)
 *
 * Many messages at once go through a TrainingBatch: count changes are summed in memory and
 * written by write() here, in one transaction.
 */
import type Database from 'better-sqlite3';
import { MailsiftError } from '../../errors.js';
import { modelOptions, type ModelOptions, type ModelSnapshot } from '../model-snapshot.js';
import { stripMboxFrom, sourceTokenHashes, TOKENIZER_VERSION } from '../tokenize.js';
import { tokenSource } from '../token-source.js';
import { messageKey } from './message-key.js';
import { writing } from './model-errors.js';
import { openModelFile, type OpenModelOptions } from './model-open.js';
import { readOptions, readSnapshot, readStats, readTokenCounts, type ModelSource, type ModelStats } from './model-reads.js';
import { MODEL_SCHEMA_VERSION } from './schema.js';
import type { SortedCounts } from './sorted-counts.js';
import { decodeTokens, encodeTokens, hashTokenLines } from './token-blob.js';
import { applyDeltas } from './token-pages.js';
import { TrainingBatch, type Trained } from './training-batch.js';

export { MODEL_FILE, type OpenModelOptions } from './model-open.js';
export type { BucketStats, ModelStats } from './model-reads.js';
export { checkBucketName, reclassify, train, TrainingBatch, untrain, type TrainOutcome, type UntrainOutcome } from './training-batch.js';

interface Analysed {
  readonly key: string;
  /** The message's token hashes (tokenHashes). */
  readonly tokens: Float64Array;
}

export class ModelStore {
  private readonly bucketIds = new Map<string, number>();
  /** The file's schema: the current one, or 1 for an old model opened read-only (never migrated then). */
  private readonly schema: number;
  /** What model-reads.ts reads from. */
  private readonly source: ModelSource;
  private readonly stmt: {
    bucketInsert: Database.Statement<[string]>;
    message: Database.Statement<[string], { bucket: number; tokens: Buffer | string }>;
    bucketMessages: Database.Statement<[number, number]>;
    messagePut: Database.Statement<[string, number, Buffer, number]>;
    messageDelete: Database.Statement<[string]>;
  };

  private constructor(
    readonly db: Database.Database,
    readonly file: string,
    /** The model's name: its directory's name (what `classify :model` refers to). */
    readonly name: string,
    private readonly now: () => number,
  ) {
    for (const row of db.prepare('SELECT id, name FROM buckets').all() as { id: number; name: string }[]) this.bucketIds.set(row.name, row.id);
    this.schema = db.pragma('user_version', { simple: true }) as number;
    this.source = { db, schema: this.schema, name, file };
    const writable = !db.readonly && this.schema === MODEL_SCHEMA_VERSION;
    const prep = <P extends unknown[], R = unknown>(sql: string): Database.Statement<P, R> =>
      writable ? db.prepare<P, R>(sql) : (undefined as unknown as Database.Statement<P, R>);
    this.stmt = {
      bucketInsert: prep('INSERT INTO buckets (name) VALUES (?)'),
      message: db.prepare(`SELECT bucket, tokens FROM ${this.schema === 1 ? 'messages' : 'trained_messages'} WHERE key = ?`),
      bucketMessages: prep('UPDATE buckets SET messages = max(0, messages + ?) WHERE id = ?'),
      messagePut: prep('INSERT OR REPLACE INTO trained_messages (key, bucket, tokens, trained_at) VALUES (?, ?, ?, ?)'),
      messageDelete: prep('DELETE FROM trained_messages WHERE key = ?'),
    };
  }

  /**
   * Open the model in directory `dir` (its file is dir/model.sqlite). Throws
   * MODEL_UNAVAILABLE when it cannot be created or opened (or is missing without `create`),
   * MODEL_UNWRITABLE when a writable open is refused a write (a full disk: the -shm cannot grow;
   * a read-only file, directory or mount), MODEL_INVALID when a newer mailsift wrote it
   * (model-open.ts).
   */
  static open(dir: string, options: OpenModelOptions = {}): ModelStore {
    const { db, file, name } = openModelFile(dir, options);
    return new ModelStore(db, file, name, options.now ?? Date.now);
  }

  /** The model's decision constants (defaults completed). */
  options(): ModelOptions {
    return readOptions(this.db);
  }

  /** Change some decision constants (e.g. the unsure band); the rest keep their values. */
  setOptions(partial: Partial<ModelOptions>): ModelOptions {
    const next = modelOptions({ ...this.options(), ...partial });
    this.setMeta('options', JSON.stringify(next));
    return next;
  }

  /** A value of the model's meta table (the daemon's learning positions live there), or undefined. */
  meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  /** Set a value of the meta table; a refused write is MODEL_UNWRITABLE, as a refused commit. */
  setMeta(key: string, value: string): void {
    writing(this.file, () => this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value));
  }

  /** Bucket names, sorted. */
  bucketNames(): string[] {
    return [...this.bucketIds.keys()].sort();
  }

  /** The id of a bucket, or undefined. Buckets are created only by a batch's commit (write()), with its messages. */
  bucketId(name: string): number | undefined {
    return this.bucketIds.get(name);
  }

  /** Where a message is trained: its bucket id and token hashes, or undefined. */
  lookup(key: string): Trained | undefined {
    const row = this.stmt.message.get(key);
    if (row === undefined) return undefined;
    // Schema 1 (read-only, not migrated): token text, one per line.
    if (typeof row.tokens === 'string') return { bucket: row.bucket, tokens: hashTokenLines(row.tokens) };
    return { bucket: row.bucket, tokens: decodeTokens(row.tokens) };
  }

  /** The keys of every trained message. */
  trainedKeys(): Set<string> {
    const table = this.schema === 1 ? 'messages' : 'trained_messages';
    return new Set(this.db.prepare(`SELECT key FROM ${table}`).pluck().all() as string[]);
  }

  /** Key and token hashes of a raw message (an mbox "From " line in front is ignored). */
  analyse(raw: Uint8Array): Analysed {
    const { key, tokens } = this.keyed(raw);
    return { key, tokens: tokens() };
  }

  /** The key of a raw message, and its tokens on demand (a message already trained is not tokenized again). */
  keyed(raw: Uint8Array): { key: string; tokens: () => Float64Array } {
    const source = tokenSource(stripMboxFrom(raw));
    return { key: messageKey(source.view, source.bytes, source.bodyStart), tokens: () => sourceTokenHashes(source) };
  }

  /** The statements that read and write trained messages; a read-only open has none. */
  private writer(): ModelStore['stmt'] {
    if (this.stmt.messagePut === undefined) throw new MailsiftError('MODEL_UNAVAILABLE', `model ${this.file} is open read-only`);
    return this.stmt;
  }

  /** Start a batch: many train/untrain calls, one transaction at commit(). */
  batch(): TrainingBatch {
    return new TrainingBatch(this);
  }

  /**
   * Write a batch's changes (called by TrainingBatch.commit). `created` are the buckets the
   * batch made, inserted in the same transaction (so a refused commit leaves none behind);
   * until then the batch knows them by provisional ids, -1 for created[0], -2 for created[1], ...
   * A refused write is MODEL_UNWRITABLE (writing()), and changes nothing, buckets included.
   */
  write(deltas: ReadonlyMap<number, SortedCounts>, messages: ReadonlyMap<number, number>, touched: ReadonlyMap<string, Trained | null>, created: readonly string[] = []): void {
    const now = this.now();
    const stmt = this.writer();
    const ids = writing(this.file, () =>
      this.db.transaction(() => {
        const ids = created.map((name) => Number(stmt.bucketInsert.run(name).lastInsertRowid));
        const id = (bucket: number): number => (bucket < 0 ? ids[-bucket - 1]! : bucket);
        applyDeltas(this.db, ids.length ? new Map([...deltas].map(([bucket, d]) => [id(bucket), d])) : deltas);
        for (const [bucket, delta] of messages) if (delta !== 0) stmt.bucketMessages.run(delta, id(bucket));
        for (const [key, state] of touched) {
          if (state === null) stmt.messageDelete.run(key);
          else stmt.messagePut.run(key, id(state.bucket), encodeTokens(state.tokens), now);
        }
        this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('tokenizer', ?)").run(String(TOKENIZER_VERSION));
        return ids;
      }).immediate(),
    );
    created.forEach((name, i) => this.bucketIds.set(name, ids[i]!));
  }

  /** Buckets with message and distinct-token counts, and totals (read in one transaction, as snapshot()). */
  stats(): ModelStats {
    return this.db.transaction(() => readStats(this.source))();
  }

  /** The count of one token (its text or hash) per bucket (0 when absent): for tests and debugging. */
  tokenCounts(token: string | number): Record<string, number> {
    return readTokenCounts(this.source, this.bucketIds, token);
  }

  /**
   * An immutable in-memory copy for classification (see model-snapshot.ts). Read in one
   * transaction: the buckets and counts of one commit, even while another process's writer
   * commits to the -wal between the statements (as stats()).
   */
  snapshot(name: string = this.name): ModelSnapshot {
    return this.db.transaction(() => readSnapshot(this.source, name))();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
