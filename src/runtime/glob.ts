/**
 * The :matches wildcard matcher (RFC 5228 §2.7.1): "*" matches any run, "?" one
 * unit, "\" quotes the next character. Captures feed ${1}.. (RFC 5229 §3.2).
 *
 * Not a regular expression: a backtracking regex takes exponential time on keys
 * like "*a*a*a*b" (30 s for a 1,000-character value in V8). Here the pattern is
 * cut at its stars into segments; the first is anchored at the start, the last at
 * the end, and each middle one takes its leftmost place. That is O(value × key),
 * and it is exactly the leftmost-shortest ("non-greedy") choice Pigeonhole makes
 * for each "*", since a leftmost segment never stops the rest from matching.
 */

type Token = { readonly any: true } | { readonly any: false; readonly unit: string };

interface Pattern {
  /** Segments between stars; stars sit between consecutive segments. */
  readonly segments: readonly (readonly Token[])[];
}

const cache = new Map<string, Pattern>();

function compilePattern(pattern: string, units: (s: string) => string[]): Pattern {
  const segments: Token[][] = [[]];
  const chars = units(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') segments.push([]);
    else if (c === '?') segments[segments.length - 1]!.push({ any: true });
    else if (c === '\\' && i + 1 < chars.length) segments[segments.length - 1]!.push({ any: false, unit: chars[++i]! });
    else segments[segments.length - 1]!.push({ any: false, unit: c });
  }
  return { segments };
}

function segmentAt(seg: readonly Token[], s: readonly string[], at: number): boolean {
  for (let i = 0; i < seg.length; i++) {
    const t = seg[i]!;
    if (!t.any && s[at + i] !== t.unit) return false;
  }
  return true;
}

/** Push a [start, end) range for every "?" of a segment placed at `at`. */
function questionRanges(seg: readonly Token[], at: number, out: [number, number][]): void {
  seg.forEach((t, i) => {
    if (t.any) out.push([at + i, at + i + 1]);
  });
}

/**
 * Match `subject` (already split into units) against `pattern`. Returns the unit
 * ranges of every wildcard in pattern order, or null when it does not match.
 * `units` splits a string the same way the subject was split (code points or octets).
 */
export function globMatch(pattern: string, subject: readonly string[], units: (s: string) => string[], cacheKey = pattern): [number, number][] | null {
  let compiled = cache.get(cacheKey);
  if (!compiled) {
    compiled = compilePattern(pattern, units);
    if (cache.size > 10_000) cache.clear();
    cache.set(cacheKey, compiled);
  }
  const segs = compiled.segments;
  const n = subject.length;
  const ranges: [number, number][] = [];
  const first = segs[0]!;
  if (segs.length === 1) {
    if (first.length !== n || !segmentAt(first, subject, 0)) return null;
    questionRanges(first, 0, ranges);
    return ranges;
  }
  const last = segs[segs.length - 1]!;
  const tailStart = n - last.length;
  if (tailStart < first.length || !segmentAt(first, subject, 0) || !segmentAt(last, subject, tailStart)) return null;
  questionRanges(first, 0, ranges);
  let pos = first.length;
  for (let j = 1; j < segs.length - 1; j++) {
    const seg = segs[j]!;
    let at = pos;
    while (at + seg.length <= tailStart && !segmentAt(seg, subject, at)) at++;
    if (at + seg.length > tailStart) return null;
    ranges.push([pos, at]);
    questionRanges(seg, at, ranges);
    pos = at + seg.length;
  }
  ranges.push([pos, tailStart]);
  questionRanges(last, tailStart, ranges);
  return ranges;
}

/** Code points: "?" is one character, never half a surrogate pair. */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Octets of a byte string (one char per octet, as toByteString makes). */
export function octetUnits(s: string): string[] {
  return s.split('');
}

/**
 * The same matcher over plain strings, for the common case where neither the pattern nor
 * the subject holds a surrogate (so code points are UTF-16 units): no arrays of one-character
 * strings, and literal middle segments are found with indexOf. Gives exactly what globMatch
 * gives for such input.
 */
interface StringSegment {
  readonly text: string;
  /** Which positions of `text` are "?" (any one unit); null when there is none. */
  readonly wild: readonly boolean[] | null;
}

const stringCache = new Map<string, readonly StringSegment[]>();

function compileStringPattern(pattern: string): StringSegment[] {
  const segments: { text: string; wild: boolean[] | null }[] = [{ text: '', wild: null }];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const seg = segments[segments.length - 1]!;
    if (c === '*') segments.push({ text: '', wild: null });
    else if (c === '?') {
      seg.wild ??= [];
      seg.wild[seg.text.length] = true;
      seg.text += '?';
    } else if (c === '\\' && i + 1 < pattern.length) seg.text += pattern[++i]!;
    else seg.text += c;
  }
  return segments;
}

function stringSegmentAt(seg: StringSegment, s: string, at: number): boolean {
  if (seg.wild === null) return s.startsWith(seg.text, at);
  const t = seg.text;
  for (let i = 0; i < t.length; i++) if (seg.wild[i] !== true && s.charCodeAt(at + i) !== t.charCodeAt(i)) return false;
  return true;
}

function stringQuestionRanges(seg: StringSegment, at: number, out: [number, number][]): void {
  if (seg.wild === null) return;
  for (let i = 0; i < seg.text.length; i++) if (seg.wild[i] === true) out.push([at + i, at + i + 1]);
}

/** globMatch for a subject and pattern without surrogates; ranges index into the subject. */
export function globMatchString(pattern: string, subject: string): [number, number][] | null {
  let segs = stringCache.get(pattern);
  if (!segs) {
    segs = compileStringPattern(pattern);
    if (stringCache.size > 10_000) stringCache.clear();
    stringCache.set(pattern, segs);
  }
  const n = subject.length;
  const ranges: [number, number][] = [];
  const first = segs[0]!;
  if (segs.length === 1) {
    if (first.text.length !== n || !stringSegmentAt(first, subject, 0)) return null;
    stringQuestionRanges(first, 0, ranges);
    return ranges;
  }
  const last = segs[segs.length - 1]!;
  const tailStart = n - last.text.length;
  if (tailStart < first.text.length || !stringSegmentAt(first, subject, 0) || !stringSegmentAt(last, subject, tailStart)) return null;
  stringQuestionRanges(first, 0, ranges);
  let pos = first.text.length;
  for (let j = 1; j < segs.length - 1; j++) {
    const seg = segs[j]!;
    const len = seg.text.length;
    let at: number;
    if (seg.wild === null) {
      // The leftmost place, as the unit-by-unit scan below would find it.
      at = subject.indexOf(seg.text, pos);
      if (at < 0) at = tailStart + 1;
    } else {
      at = pos;
      while (at + len <= tailStart && !stringSegmentAt(seg, subject, at)) at++;
    }
    if (at + len > tailStart) return null;
    ranges.push([pos, at]);
    stringQuestionRanges(seg, at, ranges);
    pos = at + len;
  }
  ranges.push([pos, tailStart]);
  stringQuestionRanges(last, tailStart, ranges);
  return ranges;
}
