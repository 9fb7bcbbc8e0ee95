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
/** Read every page at once (one query) when a commit has more changes than this. */
const READ_ALL_FROM = 64;

function pageOf(hash: number): number {
  return Math.floor(hash / PAGE_SIZE);
}

/** The counts of every token, one column per bucket id of `columns` (other buckets are skipped). */
export function readCounts(db: Database.Database, columns: readonly number[]): HashCounts {
  const pages = db.prepare('SELECT entries FROM token_pages').pluck().all() as Buffer[];
  let entries = 0;
  for (const p of pages) entries += p.length / ENTRY;
  const table = new HashCounts(columns.length, entries);
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
 * Add count changes (bucket id → hash → delta) to the stored pages: every page a change
 * falls in is read, merged with its changes and written back (or deleted when nothing is
 * left in it).
 */
export function applyDeltas(db: Database.Database, deltas: ReadonlyMap<number, SortedCounts>): void {
  const changes = sortedChanges(deltas);
  if (changes.hashes.length === 0) return;
  const merged = mergePages(storedPages(db, changes), changes);
  const put = db.prepare('INSERT OR REPLACE INTO token_pages (page, entries) VALUES (?, ?)');
  const drop = db.prepare('DELETE FROM token_pages WHERE page = ?');
  for (let k = 0; k < merged.pages.length; k++) {
    const start = merged.starts[k]!;
    const end = merged.starts[k + 1]!;
    if (start === end) drop.run(merged.pages[k]);
    else put.run(merged.pages[k], merged.bytes.subarray(start, end));
  }
}

/** The stored pages the changes fall in: all pages in one query when there are many changes. */
function storedPages(db: Database.Database, changes: Changes): Map<number, Buffer> {
  const stored = new Map<number, Buffer>();
  if (changes.hashes.length > READ_ALL_FROM) {
    for (const row of db.prepare('SELECT page, entries FROM token_pages').raw(true).all() as [number, Buffer][]) stored.set(row[0], row[1]);
    return stored;
  }
  const one = db.prepare('SELECT entries FROM token_pages WHERE page = ?').pluck();
  for (let i = 0; i < changes.hashes.length; i++) {
    const page = pageOf(changes.hashes[i]!);
    if (stored.has(page)) continue;
    const p = one.get(page) as Buffer | undefined;
    if (p !== undefined) stored.set(page, p);
  }
  return stored;
}

interface MergedPages {
  /** The touched pages, ascending. */
  readonly pages: number[];
  /** Page k's new entries are bytes[starts[k], starts[k + 1]) (empty: delete the page). */
  readonly starts: number[];
  readonly bytes: Buffer;
}

/**
 * Every touched page's entries (sorted) merged with its changes (sorted), counts ≤ 0
 * dropped, all into one buffer. One loop over all pages rather than a call per page: this
 * runs once per commit, mostly before the JIT has compiled it, and a long loop is
 * optimised while it runs (on-stack replacement) where 4,096 short calls are not.
 */
function mergePages(stored: ReadonlyMap<number, Buffer>, changes: Changes): MergedPages {
  const { hashes, buckets, deltas } = changes;
  let room = hashes.length;
  for (const p of stored.values()) room += p.length / ENTRY;
  const bytes = Buffer.allocUnsafe(room * ENTRY);
  const out = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pages: number[] = [];
  const starts: number[] = [];
  let o = 0;
  let b = 0;
  while (b < hashes.length) {
    const page = pageOf(hashes[b]!);
    const limit = (page + 1) * PAGE_SIZE;
    pages.push(page);
    starts.push(o);
    const old = stored.get(page);
    const oldEnd = old === undefined ? 0 : old.length;
    const oldView = old === undefined ? out : new DataView(old.buffer, old.byteOffset, old.byteLength);
    let a = 0;
    for (;;) {
      const bh = b < hashes.length && hashes[b]! < limit ? hashes[b]! : Infinity;
      const ah = a < oldEnd ? oldView.getFloat64(a, true) : Infinity;
      if (ah === Infinity && bh === Infinity) break;
      const ab = a < oldEnd ? oldView.getInt32(a + 8, true) : 0;
      const bb = bh !== Infinity ? buckets[b]! : 0;
      if (ah < bh || (ah === bh && ab < bb)) {
        o = putEntry(out, o, ah, ab, oldView.getInt32(a + 12, true));
        a += ENTRY;
      } else if (bh < ah || bb < ab) {
        o = putEntry(out, o, bh, bb, deltas[b]!);
        b++;
      } else {
        o = putEntry(out, o, ah, ab, oldView.getInt32(a + 12, true) + deltas[b]!);
        a += ENTRY;
        b++;
      }
    }
  }
  starts.push(o);
  return { pages, starts, bytes };
}

/** Write an entry at byte `o` unless its count is ≤ 0; returns where the next one goes. */
function putEntry(out: DataView, o: number, hash: number, bucket: number, count: number): number {
  if (count <= 0) return o;
  out.setFloat64(o, hash, true);
  out.setInt32(o + 8, bucket, true);
  out.setInt32(o + 12, count, true);
  return o + ENTRY;
}

interface Changes {
  readonly hashes: Float64Array;
  readonly buckets: Int32Array;
  readonly deltas: Int32Array;
}

/**
 * Every non-zero change, sorted by (hash, bucket id). Each bucket's table lists its hashes
 * in order already (sorted-counts.ts): the non-zero changes are taken from it as they come,
 * and the buckets' lists merged two at a time, in bucket id order.
 */
function sortedChanges(deltas: ReadonlyMap<number, SortedCounts>): Changes {
  let out: Changes | undefined;
  for (const [bucket, table] of [...deltas].sort((a, b) => a[0] - b[0])) {
    const list = nonZero(bucket, table);
    out = out === undefined ? list : mergeChanges(out, list);
  }
  return out ?? { hashes: new Float64Array(0), buckets: new Int32Array(0), deltas: new Int32Array(0) };
}

/** Two sorted change lists merged; on the same hash, `a`'s first (its bucket ids are lower). */
function mergeChanges(a: Changes, b: Changes): Changes {
  const an = a.hashes.length;
  const bn = b.hashes.length;
  const out: Changes = { hashes: new Float64Array(an + bn), buckets: new Int32Array(an + bn), deltas: new Int32Array(an + bn) };
  let i = 0;
  let j = 0;
  for (let k = 0; k < an + bn; k++) {
    if (j >= bn || (i < an && a.hashes[i]! <= b.hashes[j]!)) {
      out.hashes[k] = a.hashes[i]!;
      out.buckets[k] = a.buckets[i]!;
      out.deltas[k] = a.deltas[i++]!;
    } else {
      out.hashes[k] = b.hashes[j]!;
      out.buckets[k] = b.buckets[j]!;
      out.deltas[k] = b.deltas[j++]!;
    }
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
