/**
 * The periodic jobs of one watcher session, by mode:
 * - notify: the keepalive (default every 2 min: re-arm NOTIFY, see notify-arming.ts, or a plain
 *   NOOP with `rearmNotify: false`) and a safety-net LIST-STATUS (default every 15 min);
 * - idle and poll: the LIST-STATUS poll (default every 60 s).
 * The intervals are unref'd and stop being run once the session they were started for ends.
 */
import type { ImapFlow } from 'imapflow';
import type { ChangeSource, WatchMode } from './types.js';
import type { WatcherOptions } from './watcher-options.js';

type Job = (client: ImapFlow) => Promise<unknown>;

export interface SessionJobs {
  /** Queues a job on the connection if the session the timers belong to is still current. */
  run(job: Job): void;
  rearmNotify(client: ImapFlow): Promise<unknown>;
  refreshAll(client: ImapFlow, source: ChangeSource): Promise<unknown>;
}

export type TimerOptions = Pick<WatcherOptions, 'keepaliveMs' | 'rearmNotify' | 'resyncIntervalMs' | 'pollIntervalMs'>;

/** Starts the session's intervals; clear them with clearInterval. */
export function startSessionTimers(mode: WatchMode, options: TimerOptions, jobs: SessionJobs): NodeJS.Timeout[] {
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, job: Job) => {
    const t = setInterval(() => jobs.run(job), ms);
    t.unref();
    timers.push(t);
  };
  if (mode === 'notify') {
    every(options.keepaliveMs ?? 120_000, (c) => (options.rearmNotify === false ? c.noop() : jobs.rearmNotify(c)));
    every(options.resyncIntervalMs ?? 900_000, (c) => jobs.refreshAll(c, 'resync'));
  } else {
    every(options.pollIntervalMs ?? 60_000, (c) => jobs.refreshAll(c, 'poll'));
  }
  return timers;
}
