/**
 * The snapshot cache of a model file (table snapshot_cache, schema.ts): every token's
 * counts packed into two blobs, so that loading a snapshot reads one row instead of one
 * row per token and bucket (better-sqlite3 spends about a microsecond per row: 130,000
 * rows are 0.1-0.2 s, the blobs a few milliseconds).
 *
 * token_counts stays the source of truth; the cache is derived from it and rewritten in
 * the same transaction by every training (ModelStore.write), so the two never disagree.
 * A model without the cache (just migrated) is read row by row, and its next training
 * writes the cache. Rewriting costs time in proportion to the vocabulary (about 20 ms per
 * 100,000 tokens), paid once per `mailsift train` run or per retrained message.
 */
import type Database from 'better-sqlite3';
import { HashCounts } from '../token-hash.js';
import { decodeTokens, encodeTokens } from './token-blob.js';

interface CacheRow {
  buckets: string;
  hashes: Buffer;
  counts: Buffer;
}

/**
 * The cached counts with one column per bucket id of `columns` (in that order; a bucket
 * the cache does not know gets zeros), or undefined when there is no cache.
 */
export function readCache(db: Database.Database, columns: readonly number[], room = 0): HashCounts | undefined {
  const row = db.prepare('SELECT buckets, hashes, counts FROM snapshot_cache WHERE id = 1').get() as CacheRow | undefined;
  if (row === undefined) return undefined;
  const cached = JSON.parse(row.buckets) as number[];
  const hashes = decodeTokens(row.hashes);
  const counts = decodeInt32(row.counts);
  const B = cached.length;
  if (counts.length !== hashes.length * B) return undefined;
  const map = cached.map((id) => columns.indexOf(id));
  const table = new HashCounts(columns.length, hashes.length + room);
  for (let i = 0; i < hashes.length; i++) {
    const slot = table.slotFor(hashes[i]!);
    for (let c = 0; c < B; c++) if (map[c]! >= 0) table.setAt(slot, map[c]!, counts[i * B + c]!);
  }
  return table;
}

/** Replace the cache with `table` (columns: the bucket ids of `columns`); tokens with no positive count are left out. */
export function writeCache(db: Database.Database, columns: readonly number[], table: HashCounts): void {
  const B = columns.length;
  const hashes = new Float64Array(table.size);
  const counts = new Int32Array(table.size * B);
  let n = 0;
  for (const slot of table.occupied()) {
    let any = false;
    for (let c = 0; c < B; c++) {
      const v = table.at(slot, c);
      counts[n * B + c] = v > 0 ? v : 0;
      if (v > 0) any = true;
    }
    if (any) hashes[n++] = table.keyAt(slot);
  }
  db.prepare('INSERT OR REPLACE INTO snapshot_cache (id, buckets, hashes, counts) VALUES (1, ?, ?, ?)').run(
    JSON.stringify(columns),
    encodeTokens(hashes.subarray(0, n)),
    encodeInt32(counts.subarray(0, n * B)),
  );
}

const LITTLE_ENDIAN = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;

function encodeInt32(values: Int32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const out = Buffer.allocUnsafe(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeInt32LE(values[i]!, i * 4);
  return out;
}

function decodeInt32(blob: Buffer): Int32Array {
  const out = new Int32Array(Math.floor(blob.length / 4));
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(blob.subarray(0, out.length * 4));
  else for (let i = 0; i < out.length; i++) out[i] = blob.readInt32LE(i * 4);
  return out;
}
