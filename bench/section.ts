/**
 * What every benchmark section (bench/<section>.ts) returns to the driver (bench/run.ts).
 * A section measures one thing side by side with its reference tool and says whether
 * the goals of its issue are met.
 */

/** One measured tool (or configuration) of a section: one line of the table. */
export interface SectionRow {
  readonly tool: string;
  /** Work items processed in one run (messages, commands, ...). */
  readonly messages: number;
  /** Median wall time of the measured runs, in seconds. */
  readonly seconds: number;
  /** messages / seconds. */
  readonly perSecond: number;
  /** Peak resident set size of the tool's process, in MB; null when it could not be measured. */
  readonly peakRssMB: number | null;
  /** Every measured run, for the record. */
  readonly runs: readonly { readonly seconds: number; readonly cpuSeconds: number | null; readonly peakRssMB: number | null }[];
}

export interface SectionGoal {
  readonly name: string;
  readonly met: boolean;
  /** What was measured, e.g. "1.62× (goal ≥ 1.5×)". */
  readonly detail: string;
}

export interface SectionResult {
  readonly name: string;
  readonly rows: readonly SectionRow[];
  readonly goals: readonly SectionGoal[];
  /** Further lines to print under the table (action summaries, caveats). */
  readonly notes: readonly string[];
}

/**
 * A section cannot run on this machine (missing corpus, missing reference tool). The driver
 * prints the message and exits non-zero.
 */
export class BenchUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUnavailable';
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
