/**
 * Reconnect delays: exponential backoff with "full jitter" (each delay is uniformly random
 * between 0 and the exponential ceiling), which spreads out reconnect storms after a server
 * restart better than equal or decorrelated jitter. Pure: the random source is injected.
 */

export interface BackoffOptions {
  /** Ceiling of the first delay. Default 1000 ms. */
  baseMs?: number;
  /** Largest ceiling. Default 300 000 ms (5 min). */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Floor, so a random 0 never turns into a hot loop. Default 50 ms (capped at maxMs). */
  minMs?: number;
  /** Uniform in [0, 1). Default Math.random. */
  random?: () => number;
}

/** Upper bound of the delay before retry number `attempt` (0-based), before jitter. */
export function backoffCeiling(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 300_000;
  const factor = options.factor ?? 2;
  if (!(attempt >= 0) || !Number.isFinite(attempt)) throw new RangeError(`backoff attempt must be a finite number >= 0, got ${attempt}`);
  // factor ** attempt overflows to Infinity for large attempts; Math.min handles that.
  return Math.min(max, base * factor ** Math.floor(attempt));
}

/** The delay before retry number `attempt` (0-based): uniform in [minMs, ceiling). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const ceiling = backoffCeiling(attempt, options);
  const min = Math.min(options.minMs ?? 50, ceiling);
  const r = (options.random ?? Math.random)();
  const unit = r >= 0 && r < 1 ? r : 0;
  return Math.max(min, Math.floor(unit * ceiling));
}

/** A counter around backoffDelay(): next() gives the delay for the next attempt, reset() after a success. */
export class Backoff {
  private attempts = 0;

  constructor(private readonly options: BackoffOptions = {}) {}

  /** How many delays have been handed out since the last reset(). */
  get attempt(): number {
    return this.attempts;
  }

  next(): number {
    return backoffDelay(this.attempts++, this.options);
  }

  reset(): void {
    this.attempts = 0;
  }
}
