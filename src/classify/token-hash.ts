/**
 * Token identities: a model stores and looks up 52-bit hashes of tokens, not their text.
 * Hashing while the tokenizer scans (hashSpan) means a body word never becomes a string,
 * the model file holds fixed-size integer keys (SQLite INTEGER, compared as integers),
 * and a snapshot is a typed-array hash table instead of a Map of 100,000 strings.
 *
 * The hash is two 32-bit lanes over the token's UTF-16 code units (FNV-1a, and the same
 * xor-multiply step with MurmurHash2's constant from another seed), each finished with
 * MurmurHash3's fmix32 (which also mixes in the length);
 * 32 bits of one and 20 of the other make a 52-bit integer, exact in a JS number. With
 * 200,000 distinct tokens the chance that any two share a hash is about 4 in a million,
 * and a shared hash only merges two tokens' counts. 0 is never a hash (it marks an empty
 * slot in the tables below).
 *
 * hashToken(prefix + text.slice(start, end)) === hashSpan(prefix, text, start, end): the
 * fast path and the string path (tests, --explain, models migrated from token text)
 * always agree. Pure: no Node module.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const LANE2_SEED = 0x2545f491;
const LANE2_MUL = 0x5bd1e995;
const TWO_32 = 4294967296;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** One UTF-16 code unit into lane 1 (the tokenizer inlines these while it scans a word). */
export function mix1(h: number, c: number): number {
  return Math.imul(h ^ c, FNV_PRIME);
}

/** One UTF-16 code unit into lane 2. */
export function mix2(h: number, c: number): number {
  return Math.imul(h ^ c, LANE2_MUL);
}

export const SEED1 = FNV_OFFSET;
export const SEED2 = LANE2_SEED;

/** The hash of the `length` code units mixed into lanes h1 and h2. */
export function finish(h1: number, h2: number, length: number): number {
  const a = fmix32(h1 ^ length) >>> 0;
  const b = fmix32(h2 ^ Math.imul(length, 0x9e3779b1)) & 0xfffff;
  const h = a + b * TWO_32;
  return h === 0 ? 1 : h;
}

/** The hash of `prefix + text.slice(start, end)`, without building that string. */
export function hashSpan(prefix: string, text: string, start: number, end: number): number {
  let h1 = FNV_OFFSET;
  let h2 = LANE2_SEED;
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    h1 = mix1(h1, c);
    h2 = mix2(h2, c);
  }
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    h1 = mix1(h1, c);
    h2 = mix2(h2, c);
  }
  return finish(h1, h2, prefix.length + end - start);
}

/** The hash of a token's text. */
export function hashToken(token: string): number {
  return hashSpan('', token, 0, token.length);
}

/** Slot of a hash in a power-of-two table: its low bits are already well mixed (fmix32). */
function slotOf(hash: number, mask: number): number {
  return (hash >>> 0) & mask;
}

/**
 * The distinct hashes of one message, in the order first seen, at most `max` of them.
 * Open addressing over a table reused from message to message (reset clears only the
 * slots used), so tokenizing allocates nothing per token.
 */
export class HashSet {
  private keys: Float64Array;
  private mask: number;
  private readonly order: Float64Array;
  private readonly used: Int32Array;
  size = 0;

  constructor(readonly max: number) {
    let cap = 16;
    while (cap < max * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.mask = cap - 1;
    this.order = new Float64Array(max);
    this.used = new Int32Array(max);
  }

  get full(): boolean {
    return this.size >= this.max;
  }

  add(hash: number): void {
    if (this.size >= this.max) return;
    let i = slotOf(hash, this.mask);
    for (;;) {
      const k = this.keys[i]!;
      if (k === hash) return;
      if (k === 0) break;
      i = (i + 1) & this.mask;
    }
    this.keys[i] = hash;
    this.used[this.size] = i;
    this.order[this.size++] = hash;
  }

  /** The hashes added since the last reset, as a new array. */
  values(): Float64Array {
    return this.order.slice(0, this.size);
  }

  reset(): void {
    for (let j = 0; j < this.size; j++) this.keys[this.used[j]!] = 0;
    this.size = 0;
  }
}

/**
 * hash → `columns` Int32 counters, open addressing, grown at 50 % load: a snapshot's
 * counts, one column per bucket. (A training batch's changes go to store/sorted-counts.ts.)
 */
export class HashCounts {
  private keys: Float64Array;
  private counts: Int32Array;
  private mask: number;
  size = 0;

  constructor(
    readonly columns: number,
    expected = 1024,
  ) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.counts = new Int32Array(cap * Math.max(1, columns));
    this.mask = cap - 1;
  }

  /** The slot holding `hash`, or -1. */
  find(hash: number): number {
    let i = slotOf(hash, this.mask);
    for (;;) {
      const k = this.keys[i]!;
      if (k === hash) return i;
      if (k === 0) return -1;
      i = (i + 1) & this.mask;
    }
  }

  /** The count of column `c` in slot `slot` (from find). */
  at(slot: number, c: number): number {
    return this.counts[slot * this.columns + c]!;
  }

  /** Add `delta` to the count of `hash` in column `c`. */
  add(hash: number, c: number, delta: number): void {
    // The slot first: slotFor may grow the table, and `this.counts[…] +=` would read the
    // old array before the index expression runs.
    const slot = this.slotFor(hash);
    this.counts[slot * this.columns + c]! += delta;
  }

  /** The slot of `hash`, inserted (with zero counts) when missing. Slots move when the table grows. */
  private slotFor(hash: number): number {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    let i = slotOf(hash, this.mask);
    for (;;) {
      const k = this.keys[i]!;
      if (k === hash) return i;
      if (k === 0) {
        this.keys[i] = hash;
        this.size++;
        return i;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Every hash with the slot of its counts. */
  *slots(): IterableIterator<[number, number]> {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0) yield [this.keys[i]!, i];
  }

  /** The occupied slots, in table order (a loop over them is cheaper than slots()). */
  occupied(): Int32Array {
    const out = new Int32Array(this.size);
    let n = 0;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0) out[n++] = i;
    return out;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    // Big tables (a snapshot built row by row reaches 100,000 hashes from 1,024) grow four times
    // over: half the rehashing of doubling, at most 8 empty slots per hash instead of 4.
    const cap = oldKeys.length * (oldKeys.length >= 16384 ? 4 : 2);
    this.keys = new Float64Array(cap);
    this.counts = new Int32Array(cap * Math.max(1, this.columns));
    this.mask = cap - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const hash = oldKeys[j]!;
      if (hash === 0) continue;
      let i = slotOf(hash, this.mask);
      while (this.keys[i] !== 0) i = (i + 1) & this.mask;
      this.keys[i] = hash;
      for (let c = 0; c < this.columns; c++) this.counts[i * this.columns + c] = oldCounts[j * this.columns + c]!;
    }
  }
}
