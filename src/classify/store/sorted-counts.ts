/**
 * A training batch's pending count changes for one bucket: token hash → Int32 change, in
 * an ordered hash table (Amble and Knuth, "Ordered hash tables", 1974). A hash's home slot
 * is its top bits, so home order is hash order; within a run of occupied slots the hashes
 * are kept sorted (an insert shifts the larger ones one slot on). Then the slots, read
 * from first to last, list the hashes in ascending order: the commit (token-pages.ts)
 * merges them into the sorted pages as they are, with no sort and no second lookup per
 * hash. A table of the usual kind, sorted at commit, spent ~50 ms on a 4,212-message
 * batch in code that runs once and so unoptimised; here the ordering work is done while
 * training, in code the JIT has long optimised (bench/README.md, section classify).
 *
 * Slots past the last home slot take the overflow of the last runs (the table never
 * wraps around, which would break the order); that area grows when a run reaches its
 * end. Hashes are integers in [1, 2^52) (token-hash.ts); 0 marks an empty slot. Pure.
 */

const HASH_BITS = 52;
/** Overflow slots after the last home slot, to start with. */
const SLACK = 64;

export class SortedCounts {
  private keys: Float64Array;
  private counts: Int32Array;
  /** Home slots: a power of two. keys.length is homes + the overflow area. */
  private homes: number;
  /** homes / 2^52: the home of h is floor(h * scale) (exact: a power of two). */
  private scale: number;
  size = 0;

  constructor(expected = 1024) {
    let homes = 16;
    while (homes < expected * 2) homes *= 2;
    this.homes = homes;
    this.scale = homes / 2 ** HASH_BITS;
    this.keys = new Float64Array(homes + SLACK);
    this.counts = new Int32Array(homes + SLACK);
  }

  /** Add `delta` to the change of `hash`. */
  add(hash: number, delta: number): void {
    if ((this.size + 1) * 2 > this.homes) this.grow();
    const keys = this.keys;
    let i = Math.floor(hash * this.scale);
    // Past the smaller hashes of the run that holds (or will hold) this one.
    let k = keys[i]!;
    while (k !== 0 && k < hash) k = keys[++i]!;
    if (k === hash) {
      this.counts[i]! += delta;
      return;
    }
    // Insert at i: the rest of the run (all larger) moves one slot on.
    // The array's last slot is always empty, so these scans stop inside it.
    let end = i;
    while (keys[end] !== 0) end++;
    if (end + 1 >= keys.length) {
      this.widen();
      this.add(hash, delta);
      return;
    }
    const counts = this.counts;
    for (let j = end; j > i; j--) {
      keys[j] = keys[j - 1]!;
      counts[j] = counts[j - 1]!;
    }
    keys[i] = hash;
    counts[i] = delta;
    this.size++;
  }

  /** The change of `hash` (0 when none). */
  get(hash: number): number {
    const keys = this.keys;
    let i = Math.floor(hash * this.scale);
    while (keys[i] !== 0 && keys[i]! < hash) i++;
    return keys[i] === hash ? this.counts[i]! : 0;
  }

  /**
   * The slots, for reading in order: hashes (0 = empty) and changes side by side. Valid
   * until the next add(); the arrays are the table's own, not copies.
   */
  slots(): { readonly keys: Float64Array; readonly counts: Int32Array } {
    return { keys: this.keys, counts: this.counts };
  }

  /** Four times the home slots (twice for small tables), the hashes re-placed in order. */
  private grow(): void {
    this.rebuild(this.homes * (this.homes >= 16384 ? 4 : 2), SLACK);
  }

  /** More overflow slots: a run reached the end of the array. */
  private widen(): void {
    this.rebuild(this.homes, this.keys.length - this.homes + SLACK * 4);
  }

  private rebuild(homes: number, slack: number): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const scale = homes / 2 ** HASH_BITS;
    // Sorted input: each hash goes to its home or, when that is taken, just after the last
    // placed. A first pass finds where the last one lands, so that the array holds it and
    // keeps its last slot empty (add() relies on that to stop its scans).
    let last = -1;
    for (let j = 0; j < oldKeys.length; j++) if (oldKeys[j] !== 0) last = Math.max(Math.floor(oldKeys[j]! * scale), last + 1);
    const keys = new Float64Array(Math.max(homes + slack, last + 2 + SLACK));
    const counts = new Int32Array(keys.length);
    last = -1;
    for (let j = 0; j < oldKeys.length; j++) {
      const h = oldKeys[j]!;
      if (h === 0) continue;
      last = Math.max(Math.floor(h * scale), last + 1);
      keys[last] = h;
      counts[last] = oldCounts[j]!;
    }
    this.keys = keys;
    this.counts = counts;
    this.homes = homes;
    this.scale = scale;
  }
}
