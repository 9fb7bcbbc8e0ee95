/**
 * Choosing header fields for header, address and date tests, including the
 * :index/:last selection of RFC 5260 §6 (index extension).
 */
import type { Call, LowerContext } from '../define.js';

export interface FieldIndex {
  /** 1-based position among the fields of one name. */
  readonly index: number;
  /** Count from the last field instead of the first. */
  readonly last: boolean;
}

/** Read :index/:last off a call; :last alone is an error (RFC 5260 §6). */
export function lowerIndex(call: Call, cx: LowerContext): FieldIndex | undefined | false {
  const index = call.tag('index');
  const last = call.tag('last') !== undefined;
  if (index === undefined) {
    if (last) {
      cx.error('bad-argument', call.tagSpan('last')!, ':last can only be used together with :index');
      return false;
    }
    return undefined;
  }
  const n = index === true ? 0 : index.num ?? 0;
  if (n < 1) {
    cx.error('invalid-value', call.tagSpan('index')!, ':index must be a number of at least 1');
    return false;
  }
  return { index: n, last };
}

/** Pick the indexed element of one name's values (all of them when there is no index). */
export function pickIndexed<T>(values: readonly T[], index: FieldIndex | undefined): readonly T[] {
  if (!index) return values;
  const i = index.last ? values.length - index.index : index.index - 1;
  return i >= 0 && i < values.length ? [values[i]!] : [];
}

/** RFC 5322 §3.6.8 field-name: printable ASCII except ":". */
export function isFieldName(name: string): boolean {
  return /^[!-9;-~]+$/.test(name);
}
