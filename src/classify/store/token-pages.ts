/**
 * Token counts on disk: table token_pages (schema.ts) holds them in packed pages. The
 * 52-bit token hashes (token-hash.ts) are split by their top 12 bits into 4,096 pages;
 * a page is one row whose blob lists its (hash, bucket id, count) entries, sorted.
 *
 * Why pages and not a row per token and bucket: better-sqlite3 spends about a microsecond
 * per row, so reading 130,000 rows for a snapshot took 0.1–0.2 s and writing them after a
 * training run as long again; 4,096 rows of ~30 entries are read or written in
 * milliseconds. Training stays incremental: a commit rewrites only the pages its changes
 * fall in (one retrained message of ~300 tokens touches ~300 pages of ~30 entries), and
 * the whole model file is still one SQLite file.
 *
 * Entry layout, 16 bytes, little-endian: float64 hash (an integer below 2^52, exact),
 * int32 bucket id, int32 count. Entries whose count falls to 0 or below are dropped.
 */
import type Database from 'better-sqlite3';
import { HashCounts } from '../token-hash.js';
import { SortedCounts } from './sorted-counts.js';

const ENTRY = 16;
/** 2^40: hash / PAGE_SIZE is the page (the top 12 of 52 bits). */
const PAGE_SIZE = 2 ** 40;
/** Read every page at once (one query) when a commit touches more pages than this. */
const READ_ALL_FROM = 64;

export function pageOf(hash: number): number {
  return Math.floor(hash / PAGE_SIZE);
}

/** The counts of every token, one column per bucket id of `columns` (other buckets are skipped). */
export function readCounts(db: Database.Database, columns: readonly number[], room = 0): HashCounts {
  const pages = db.prepare('SELECT entries FROM token_pages').pluck().all() as Buffer[];
  let entries = 0;
  for (const p of pages) entries += p.length / ENTRY;
  const table = new HashCounts(columns.length, entries + room);
  const column = columnIndex(columns);
  for (const p of pages) {
    const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
    for (let o = 0; o + ENTRY <= p.length; o += ENTRY) {
      const c = column.get(view.getInt32(o + 8, true));
      if (c !== undefined) table.add(view.getFloat64(o, true), c, view.getInt32(o + 12, true));
    }
  }
  return table;
}

/**
 * How many distinct tokens the pages hold, in all and per bucket id of `columns` (other
 * buckets are skipped): counted on the sorted entries as they are, without building the
 * table readCounts builds (stats(), and `mailsift train`'s summary).
 */
export function countTokens(db: Database.Database, columns: readonly number[]): { tokens: number; perBucket: Map<number, number> } {
  const perBucket = new Map(columns.map((id) => [id, 0]));
  let tokens = 0;
  for (const p of db.prepare('SELECT entries FROM token_pages').pluck().all() as Buffer[]) {
    const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
    let last = -1;
    for (let o = 0; o + ENTRY <= p.length; o += ENTRY) {
      const bucket = view.getInt32(o + 8, true);
      const n = perBucket.get(bucket);
      if (n === undefined) continue;
      perBucket.set(bucket, n + 1);
      // Entries are sorted by hash: a token's entries (one per bucket) are adjacent.
      const hash = view.getFloat64(o, true);
      if (hash !== last) tokens++;
      last = hash;
    }
  }
  return { tokens, perBucket };
}

/** The stored counts of one token: bucket id → count. */
export function readToken(db: Database.Database, hash: number): Map<number, number> {
  const out = new Map<number, number>();
  const p = db.prepare('SELECT entries FROM token_pages WHERE page = ?').pluck().get(pageOf(hash)) as Buffer | undefined;
  if (p === undefined) return out;
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  for (let o = 0; o + ENTRY <= p.length; o += ENTRY) if (view.getFloat64(o, true) === hash) out.set(view.getInt32(o + 8, true), view.getInt32(o + 12, true));
  return out;
}

/**
 * Add count changes (bucket id → hash → delta) to the stored pages: every
 * page a change falls in is read, merged with its changes and written back (or deleted
 * when nothing is left in it).
 */
export function applyDeltas(db: Database.Database, deltas: ReadonlyMap<number, SortedCounts>): void {
  const changes = sortedChanges(deltas);
  if (changes.hashes.length === 0) return;
  const touched = new Set<number>();
  for (let i = 0; i < changes.hashes.length; i++) touched.add(pageOf(changes.hashes[i]!));
  const stored = new Map<number, Buffer>();
  if (touched.size > READ_ALL_FROM) {
    for (const row of db.prepare('SELECT page, entries FROM token_pages').raw(true).all() as [number, Buffer][]) stored.set(row[0], row[1]);
  } else {
    const one = db.prepare('SELECT entries FROM token_pages WHERE page = ?').pluck();
    for (const page of touched) {
      const p = one.get(page) as Buffer | undefined;
      if (p !== undefined) stored.set(page, p);
    }
  }
  const put = db.prepare('INSERT OR REPLACE INTO token_pages (page, entries) VALUES (?, ?)');
  const drop = db.prepare('DELETE FROM token_pages WHERE page = ?');
  let i = 0;
  while (i < changes.hashes.length) {
    const page = pageOf(changes.hashes[i]!);
    let end = i;
    while (end < changes.hashes.length && pageOf(changes.hashes[end]!) === page) end++;
    const merged = mergePage(stored.get(page), changes, i, end);
    if (merged.length === 0) drop.run(page);
    else put.run(page, merged);
    i = end;
  }
}

interface Changes {
  readonly hashes: Float64Array;
  readonly buckets: Int32Array;
  readonly deltas: Int32Array;
}

/**
 * Every non-zero change, sorted by (hash, bucket id). Each bucket's table lists its hashes
 * in order already (sorted-counts.ts): the non-zero changes are taken from it as they come,
 * and the buckets' lists merged.
 */
function sortedChanges(deltas: ReadonlyMap<number, SortedCounts>): Changes {
  const lists: Changes[] = [];
  for (const [bucket, table] of [...deltas].sort((a, b) => a[0] - b[0])) lists.push(nonZero(bucket, table));
  if (lists.length === 1) return lists[0]!;
  let total = 0;
  for (const l of lists) total += l.hashes.length;
  const out: Changes = { hashes: new Float64Array(total), buckets: new Int32Array(total), deltas: new Int32Array(total) };
  const at = lists.map(() => 0);
  for (let k = 0; k < total; k++) {
    // The smallest next hash; on a tie the lower bucket id (lists are in bucket id order).
    let best = -1;
    let min = Infinity;
    for (let l = 0; l < lists.length; l++) {
      const h = at[l]! < lists[l]!.hashes.length ? lists[l]!.hashes[at[l]!]! : Infinity;
      if (h < min) {
        min = h;
        best = l;
      }
    }
    const list = lists[best]!;
    const i = at[best]!++;
    out.hashes[k] = min;
    out.buckets[k] = list.buckets[i]!;
    out.deltas[k] = list.deltas[i]!;
  }
  return out;
}

/** One bucket's non-zero changes, in hash order. */
function nonZero(bucket: number, table: SortedCounts): Changes {
  const { keys, counts } = table.slots();
  const hashes = new Float64Array(table.size);
  const deltas = new Int32Array(table.size);
  let n = 0;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== 0 && counts[i] !== 0) {
      hashes[n] = keys[i]!;
      deltas[n++] = counts[i]!;
    }
  }
  return { hashes: hashes.subarray(0, n), buckets: new Int32Array(n).fill(bucket), deltas: deltas.subarray(0, n) };
}

/** A page's entries (sorted) merged with changes[from, to) (sorted), counts ≤ 0 dropped. */
function mergePage(stored: Buffer | undefined, changes: Changes, from: number, to: number): Buffer {
  const old = stored ?? Buffer.alloc(0);
  const oldView = new DataView(old.buffer, old.byteOffset, old.byteLength);
  const oldN = old.length / ENTRY;
  const out = Buffer.allocUnsafe((oldN + to - from) * ENTRY);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let n = 0;
  const emit = (hash: number, bucket: number, count: number): void => {
    if (count <= 0) return;
    view.setFloat64(n * ENTRY, hash, true);
    view.setInt32(n * ENTRY + 8, bucket, true);
    view.setInt32(n * ENTRY + 12, count, true);
    n++;
  };
  let a = 0;
  let b = from;
  while (a < oldN || b < to) {
    const ah = a < oldN ? oldView.getFloat64(a * ENTRY, true) : Infinity;
    const ab = a < oldN ? oldView.getInt32(a * ENTRY + 8, true) : 0;
    const bh = b < to ? changes.hashes[b]! : Infinity;
    const bb = b < to ? changes.buckets[b]! : 0;
    if (ah < bh || (ah === bh && ab < bb)) {
      emit(ah, ab, oldView.getInt32(a * ENTRY + 12, true));
      a++;
    } else if (bh < ah || bb < ab) {
      emit(bh, bb, changes.deltas[b]!);
      b++;
    } else {
      emit(ah, ab, oldView.getInt32(a * ENTRY + 12, true) + changes.deltas[b]!);
      a++;
      b++;
    }
  }
  return out.subarray(0, n * ENTRY);
}

/** Schema 1 → 2: rows of (hash, bucket id, count), in any order, into pages. */
export function writeRows(db: Database.Database, rows: readonly (readonly [number, number, number])[]): void {
  const deltas = new Map<number, SortedCounts>();
  for (const [hash, bucket, count] of rows) {
    let table = deltas.get(bucket);
    if (table === undefined) deltas.set(bucket, (table = new SortedCounts()));
    table.add(hash, count);
  }
  applyDeltas(db, deltas);
}

function columnIndex(columns: readonly number[]): Map<number, number> {
  return new Map(columns.map((id, c) => [id, c]));
}
