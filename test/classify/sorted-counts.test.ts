/** The ordered hash table of a training batch's count changes (src/classify/store/sorted-counts.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedCounts } from '../../src/classify/store/sorted-counts.js';

/** The (hash, change) pairs in slot order, empty slots skipped. */
function inSlotOrder(table: SortedCounts): [number, number][] {
  const { keys, counts } = table.slots();
  const out: [number, number][] = [];
  for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) out.push([keys[i]!, counts[i]!]);
  return out;
}

function check(adds: readonly (readonly [number, number])[], expected = 4): void {
  const table = new SortedCounts(expected);
  const ref = new Map<number, number>();
  for (const [hash, delta] of adds) {
    table.add(hash, delta);
    ref.set(hash, (ref.get(hash) ?? 0) + delta);
  }
  expect(inSlotOrder(table)).toEqual([...ref].sort((a, b) => a[0] - b[0]));
  expect(table.size).toBe(ref.size);
  for (const [hash, delta] of ref) expect(table.get(hash)).toBe(delta);
  expect(table.get(2 ** 52 - 1)).toBe(ref.get(2 ** 52 - 1) ?? 0);
}

const hash = fc.integer({ min: 1, max: 2 ** 52 - 1 });
const delta = fc.integer({ min: -3, max: 3 });

describe('SortedCounts', () => {
  it('sums the changes of each hash and lists the hashes in ascending order, through every growth', () => {
    fc.assert(fc.property(fc.array(fc.tuple(hash, delta), { maxLength: 3000 }), (adds) => check(adds)));
  });

  it('keeps the order when many hashes share their top bits (long runs, the overflow area widened)', () => {
    // Hashes crowded at the top of the range all want the last home slots: their run spills
    // past the end of the home area, over the initial overflow slots.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 2 ** 52 - 5000, max: 2 ** 52 - 1 }), delta), { minLength: 100, maxLength: 600 }), (adds) => check(adds, 1024)),
    );
    // And crowded at one point in the middle, with a few spread ones.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.integer({ min: 2 ** 40, max: 2 ** 40 + 300 }), hash), delta), { maxLength: 800 }), (adds) => check(adds, 16)),
    );
  });

  it('a change that sums to zero stays listed with 0 (the commit skips it)', () => {
    const table = new SortedCounts();
    table.add(5, 1);
    table.add(5, -1);
    table.add(3, 2);
    expect(inSlotOrder(table)).toEqual([
      [3, 2],
      [5, 0],
    ]);
  });
});
