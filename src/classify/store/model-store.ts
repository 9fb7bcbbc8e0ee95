/**
 * A classifier model on disk: one SQLite file, `<dir>/model.sqlite` (better-sqlite3, WAL,
 * like the state database). Training and untraining are incremental and keyed by message
 * (message-key.ts): training a message twice counts once, training it into another bucket
 * moves it, untraining removes exactly the tokens its training added (they are stored
 * with it, as token hashes: token-hash.ts). Counts live in packed pages (token-pages.ts).
 * Classification never reads this file directly: it reads a ModelSnapshot (snapshot()),
 * an immutable in-memory copy, so evaluation stays pure.
 *
 * The API for the daemon's "learning by moving" is the three functions at the end:
 * train(model, bucket, raw), untrain(model, bucket, raw), reclassify(model, from, to, raw).
 * Many messages at once go through a TrainingBatch: count changes are summed in memory (an
 * ordered hash table per bucket, sorted-counts.ts) and the pages they touch rewritten in
 * one transaction, which is what makes `mailsift train` fast.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { MailsiftError } from '../../errors.js';
import { modelOptions, SnapshotBuilder, snapshotOfCounts, type ModelOptions, type ModelSnapshot } from '../model-snapshot.js';
import { hashToken } from '../token-hash.js';
import { stripMboxFrom, sourceTokenHashes, TOKENIZER_VERSION } from '../tokenize.js';
import { tokenSource } from '../token-source.js';
import { messageKey } from './message-key.js';
import { isSqliteError, isWriteRefusal, sqliteReason } from '../../state/sqlite-errors.js';
import { openReadOnlyDatabase } from './read-only-open.js';
import { migrateModel, MODEL_SCHEMA_VERSION } from './schema.js';
import { SortedCounts } from './sorted-counts.js';
import { decodeTokens, encodeTokens, hashTokenLines } from './token-blob.js';
import { applyDeltas, countTokens, readCounts, readToken } from './token-pages.js';

/** Lookups after which a batch reads all trained keys at once (TrainingBatch.current). */
const KEY_SET_AFTER = 32;

export const MODEL_FILE = 'model.sqlite';

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

export interface OpenModelOptions {
  /** Create the directory and the file when missing (training). */
  readonly create?: boolean;
  /** Read only (classification): the file must exist; writes fail; nothing is written beside it (read-only-open.ts). */
  readonly readonly?: boolean;
  /** Clock for trained_at (ms). */
  readonly now?: () => number;
}

interface Analysed {
  readonly key: string;
  /** The message's token hashes (tokenHashes). */
  readonly tokens: Float64Array;
}

interface Trained {
  readonly bucket: number;
  /** The token hashes its training added. */
  readonly tokens: Float64Array;
}

function unavailable(file: string, what: string, cause: unknown): MailsiftError {
  const code = (cause as { code?: unknown }).code;
  const message = (cause as Error).message;
  // Node's own errors already begin with their code ("EACCES: permission denied, mkdir ..."); SQLite's do not.
  const why = typeof code === 'string' && !message.startsWith(`${code}:`) ? `${code}: ${message}` : message;
  return new MailsiftError('MODEL_UNAVAILABLE', `${what} ${file}: ${why}`, { cause });
}

/** A write the model refused (a full disk: sqlite-errors.ts): its file, the reason, and that the model is as it was. */
export function modelUnwritable(file: string, cause: Error & { code: string }): MailsiftError {
  return new MailsiftError('MODEL_UNWRITABLE', `cannot write model ${file}: ${sqliteReason(cause)}; the model is unchanged`, { cause });
}

/**
 * Run one write transaction of the model at `file`; a refusal (a full disk, an I/O error, or a
 * writable open that SQLite could only open read-only: a 0444 file, a read-only mount) becomes
 * MODEL_UNWRITABLE naming the file, for `mailsift train` and the daemon's learning alike.
 * SQLite has rolled the transaction back, so "the model is unchanged" holds.
 */
function writing<T>(file: string, transaction: () => T): T {
  try {
    return transaction();
  } catch (err) {
    if (isSqliteError(err) && (isWriteRefusal(err) || err.code.startsWith('SQLITE_READONLY'))) throw modelUnwritable(file, err);
    throw err;
  }
}

export class ModelStore {
  private readonly bucketIds = new Map<string, number>();
  /** The file's schema: the current one, or 1 for an old model opened read-only (never migrated then). */
  private readonly schema: number;
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
   * MODEL_UNWRITABLE when a writable open is refused a write (a full disk: the -shm cannot grow),
   * MODEL_INVALID when a newer mailsift wrote it.
   */
  static open(dir: string, options: OpenModelOptions = {}): ModelStore {
    const file = join(dir, MODEL_FILE);
    const name = basename(resolve(dir));
    if (!existsSync(file)) {
      if (!options.create || options.readonly) {
        throw new MailsiftError('MODEL_UNAVAILABLE', `no model at ${dir} (no ${MODEL_FILE}; train one with \`mailsift train --model ${dir} --bucket NAME FILES\`)`);
      }
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        closeSync(openSync(file, 'a', 0o600));
      } catch (cause) {
        throw unavailable(file, 'cannot create model', cause);
      }
    }
    let db: Database.Database | undefined;
    try {
      db = options.readonly ? openReadOnlyDatabase(file) : new Database(file);
      db.pragma('busy_timeout = 5000');
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        migrateModel(db, file);
        const has = db.prepare("SELECT value FROM meta WHERE key = 'tokenizer'").get();
        if (has === undefined) db.prepare("INSERT INTO meta (key, value) VALUES ('tokenizer', ?)").run(String(TOKENIZER_VERSION));
      } else {
        // Read-only opens never migrate (the file may not be ours to write): an older schema
        // is read as it is (snapshot(), stats()); the next training migrates it.
        const version = db.pragma('user_version', { simple: true }) as number;
        if (version === 0) throw new MailsiftError('MODEL_INVALID', `${file} is not a mailsift model (empty or foreign database)`);
        if (version > MODEL_SCHEMA_VERSION) throw new MailsiftError('MODEL_INVALID', `model ${file} was written by a newer mailsift (schema ${version})`);
      }
      return new ModelStore(db, file, name, options.now ?? Date.now);
    } catch (cause) {
      db?.close();
      if (cause instanceof MailsiftError) throw cause;
      // A writable open writes (the -wal and -shm, a migration): on a full disk that is the
      // same refusal as a failed training, and nothing was written (the migration is one transaction).
      if (!options.readonly && isWriteRefusal(cause)) {
        throw modelUnwritable(file, cause as Error & { code: string });
      }
      throw unavailable(file, 'cannot open model', cause);
    }
  }

  /** The model's decision constants (defaults completed). */
  options(): ModelOptions {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'options'").get() as { value: string } | undefined;
    let stored: Partial<ModelOptions> | undefined;
    try {
      stored = row === undefined ? undefined : (JSON.parse(row.value) as Partial<ModelOptions>);
    } catch {
      stored = undefined;
    }
    return modelOptions(stored);
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
    return this.db.transaction(() => this.readStats())();
  }

  private readStats(): ModelStats {
    const rows = this.db.prepare('SELECT id, name, messages FROM buckets ORDER BY name').all() as { id: number; name: string; messages: number }[];
    const perBucket = new Map<number, number>();
    let tokens: number;
    if (this.schema === 1) {
      for (const row of this.db.prepare('SELECT bucket, count(*) AS n FROM tokens GROUP BY bucket').all() as { bucket: number; n: number }[]) {
        perBucket.set(row.bucket, row.n);
      }
      tokens = (this.db.prepare('SELECT count(DISTINCT token) AS n FROM tokens').get() as { n: number }).n;
    } else {
      const counted = countTokens(this.db, rows.map((r) => r.id));
      for (const [id, n] of counted.perBucket) perBucket.set(id, n);
      tokens = counted.tokens;
    }
    const buckets = rows.map((r) => ({ name: r.name, messages: r.messages, tokens: perBucket.get(r.id) ?? 0 }));
    const tokenizer = Number((this.db.prepare("SELECT value FROM meta WHERE key = 'tokenizer'").get() as { value: string } | undefined)?.value ?? TOKENIZER_VERSION);
    return { name: this.name, file: this.file, buckets, messages: buckets.reduce((a, b) => a + b.messages, 0), tokens, tokenizer, options: this.options() };
  }

  /** The count of one token (its text or hash) per bucket (0 when absent): for tests and debugging. */
  tokenCounts(token: string | number): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(this.bucketNames().map((b) => [b, 0]));
    const byId = new Map([...this.bucketIds].map(([n, id]) => [id, n]));
    if (this.schema === 1) {
      for (const row of this.db.prepare('SELECT bucket, count FROM tokens WHERE token = ?').all(token) as { bucket: number; count: number }[]) {
        out[byId.get(row.bucket)!] = row.count;
      }
    } else {
      for (const [bucket, count] of readToken(this.db, typeof token === 'number' ? token : hashToken(token))) out[byId.get(bucket)!] = count;
    }
    return out;
  }

  /**
   * An immutable in-memory copy for classification (see model-snapshot.ts). Read in one
   * transaction: the buckets and counts of one commit, even while another process's writer
   * commits to the -wal between the statements (as stats()).
   */
  snapshot(name: string = this.name): ModelSnapshot {
    return this.db.transaction(() => this.readSnapshot(name))();
  }

  private readSnapshot(name: string): ModelSnapshot {
    const rows = this.db.prepare('SELECT id, name, messages FROM buckets ORDER BY name').all() as { id: number; name: string; messages: number }[];
    const buckets = rows.map((r) => r.name);
    const messages = rows.map((r) => r.messages);
    if (this.schema !== 1) return snapshotOfCounts(name, buckets, messages, readCounts(this.db, rows.map((r) => r.id)), this.options());
    // Schema 1 (an old model opened read-only) keeps token text: hashed here, as migration 2 does.
    const builder = new SnapshotBuilder(name, buckets, messages, this.options());
    const column = new Map(rows.map((r, i) => [r.id, i]));
    const it = this.db.prepare('SELECT token, bucket, count FROM tokens').raw(true).iterate() as IterableIterator<[string, number, number]>;
    for (const [token, bucket, count] of it) {
      const b = column.get(bucket);
      if (b !== undefined && count > 0) builder.add(token, b, count);
    }
    return builder.build();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
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
