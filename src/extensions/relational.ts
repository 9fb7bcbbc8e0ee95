/**
 * relational: RFC 5231. The match types :count and :value, each with a relational
 * operator (gt, ge, lt, le, eq, ne; checked by the binder, src/dsl/bind.ts).
 *
 * :value compares each value with each key using the comparator's ordering
 * (§4.2); the test is true when one pair satisfies the operator. :count compares
 * the NUMBER of values with the keys (§4.1): the header test counts field
 * occurrences over all the names given, address and envelope count addresses,
 * and the string test leaves out empty strings (RFC 5229 §5). The count is
 * compared as a string, so without i;ascii-numeric "10" sorts before "9", as in
 * the RFC and Pigeonhole. Status: complete.
 */
import { defineExtension } from './define.js';
import type { Comparator } from '../runtime/comparators.js';
import type { MatchType } from '../runtime/match.js';

/** Does `order` (the sign of compare(value, key)) satisfy the operator? */
export function satisfies(relation: string | undefined, order: number): boolean {
  switch (relation) {
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    default:
      return false; // bind.ts guarantees one of the six
  }
}

function relate(comparator: Comparator, relation: string | undefined, value: string, key: string): boolean {
  return satisfies(relation, Math.sign(comparator.compare(value, key)));
}

export const value: MatchType = {
  name: 'value',
  substring: false,
  match(values, keys, cx) {
    for (const v of values) for (const k of keys) if (relate(cx.comparator, cx.relation, v, k)) return true;
    return false;
  },
};

export const count: MatchType = {
  name: 'count',
  substring: false,
  match(values, keys, cx) {
    const n = String(values.length);
    return keys.some((k) => relate(cx.comparator, cx.relation, n, k));
  },
};

export const relational = defineExtension({
  name: 'relational',
  spec: 'RFC 5231',
  matchTypes: [
    { type: count, arg: 'relation' },
    { type: value, arg: 'relation' },
  ],
});
