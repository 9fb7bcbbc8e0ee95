/**
 * Durations ("60s", "5m", "1h30m") and sizes ("25MB"): parsed to milliseconds and
 * bytes, and printed back in the largest exact unit. Pure.
 */

const DURATION_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];
const DURATION_MS = new Map(DURATION_UNITS);

// duration = 1*( 1*DIGIT unit ) ; unit = "d" / "h" / "m" / "s" / "ms"
const DURATION_RE = /^(?:\d+(?:ms|d|h|m|s))+$/;

/** Milliseconds, or undefined when `text` is not a duration. A bare number has no unit and is refused. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!DURATION_RE.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+)(ms|d|h|m|s)/g)) total += Number(m[1]) * DURATION_MS.get(m[2]!)!;
  return Number.isSafeInteger(total) ? total : undefined;
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const [unit, size] of DURATION_UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** Binary multiples: mail servers and users both mean 1024 here. */
const SIZE_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['GB', 1024 ** 3],
  ['MB', 1024 ** 2],
  ['KB', 1024],
  ['B', 1],
];

/** Bytes from "25MB", "512KB", "1GiB", "1000B" or "1000" (case-insensitive units); undefined if malformed. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)\s*(?:([kmg])i?b?|(b))?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2] === undefined ? 'B' : `${m[2].toUpperCase()}B`;
  const bytes = Number(m[1]) * SIZE_UNITS.find(([u]) => u === unit)![1];
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

export function formatSize(bytes: number): string {
  for (const [unit, size] of SIZE_UNITS) if (bytes !== 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  return `${bytes}B`;
}
