/**
 * `mailsift status [--config FILE] [--json]`: what the daemon is doing, from the state
 * database opened read-only (WAL lets it read while the daemon writes). Per account and
 * mailbox: how it is watched, the lag of the last message, the last event, the last error,
 * how many messages were processed, and the checkpoint.
 *
 * Exit status: 0; 1 when there is no state database yet or it cannot be read; 2 for a
 * configuration problem.
 */
import type { Config } from '../config/types.js';
import { lockHolder, processRunning } from '../daemon/lock.js';
import { openState } from '../state/db.js';
import type { MailboxStatus } from '../state/events.js';
import { EXIT_OK, loadConfigOrReport, reportError } from './config-load.js';
import type { Output } from './io.js';

export interface StatusCommandOptions {
  readonly config?: string;
  readonly json?: boolean;
  /** "Now", for tests. */
  readonly now?: number;
}

export interface StatusRow {
  readonly account: string;
  readonly mailbox: string;
  /** As the daemon last wrote it; 'offline' when no daemon runs. */
  readonly mode: string;
  readonly lagMs?: number;
  readonly lastEventAt?: string;
  readonly lastError?: string;
  readonly lastErrorAt?: string;
  readonly processed: number;
  readonly lastUid?: number;
  readonly uidvalidity?: string;
}

export interface StatusReport {
  readonly daemon: { readonly running: boolean; readonly pid?: number };
  readonly stateDir: string;
  readonly mailboxes: readonly StatusRow[];
  /** Ledger rows started but never finished (a crash mid-action), or failed. */
  readonly unfinishedActions: number;
  /** The latest retrains from the user's moves (src/daemon/learning.ts), newest first. */
  readonly learned: readonly { readonly account: string; readonly mailbox: string; readonly uid: string; readonly subject?: string; readonly what: string; readonly at: string }[];
}

/** How many retrains `status` lists. */
const LEARNED_SHOWN = 10;

/** 850 → "850ms", 12_000 → "12s", 300_000 → "5m", … */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86_400) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function buildStatus(config: Config): StatusReport {
  const dir = config.state.dir;
  const pid = lockHolder(dir);
  const running = pid !== undefined && processRunning(pid);
  const state = openState(dir, { readonly: true });
  try {
    const rows = new Map<string, MailboxStatus>();
    for (const s of state.events.statuses()) rows.set(`${s.account}\0${s.mailbox}`, s);
    const checkpoints = new Map(state.checkpoints.list().map((c) => [`${c.account}\0${c.mailbox}`, c]));
    // Watched names the daemon has not reported on yet still get a row.
    for (const w of config.watch) {
      for (const m of w.mailboxes) {
        const key = `${w.account}\0${m}`;
        if (!/[*%]/.test(m) && !rows.has(key)) rows.set(key, { account: w.account, mailbox: m, mode: 'offline', processedCount: 0, updatedAt: 0 });
      }
    }
    const mailboxes = [...rows.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, s]): StatusRow => {
        const cp = checkpoints.get(key);
        return {
          account: s.account,
          mailbox: s.mailbox,
          mode: running ? s.mode : 'offline',
          ...(s.lagMs !== undefined && { lagMs: s.lagMs }),
          ...(s.lastEventAt !== undefined && { lastEventAt: iso(s.lastEventAt) }),
          ...(s.lastError !== undefined && { lastError: s.lastError }),
          ...(s.lastErrorAt !== undefined && { lastErrorAt: iso(s.lastErrorAt) }),
          processed: s.processedCount,
          ...(cp && { lastUid: cp.lastUid, uidvalidity: cp.uidvalidity }),
        };
      });
    const learned = state.db
      .prepare("SELECT account, mailbox, uid, subject, actions, at FROM processed WHERE actions LIKE 'learn %' ORDER BY id DESC LIMIT ?")
      .all(LEARNED_SHOWN) as { account: string; mailbox: string; uid: string; subject: string | null; actions: string; at: number }[];
    return {
      daemon: { running, ...(running && { pid }) },
      stateDir: dir,
      mailboxes,
      unfinishedActions: state.ledger.unfinished().length,
      learned: learned.map((l) => ({ account: l.account, mailbox: l.mailbox, uid: l.uid, ...(l.subject !== null && { subject: l.subject }), what: l.actions, at: iso(l.at)! })),
    };
  } finally {
    state.close();
  }
}

function ago(at: string | undefined, now: number): string {
  return at === undefined ? '-' : `${formatDuration(Math.max(0, now - Date.parse(at)))} ago`;
}

export function formatStatus(report: StatusReport, now: number): string {
  const head = report.daemon.running ? `daemon: running (pid ${report.daemon.pid}), state in ${report.stateDir}` : `daemon: not running, state in ${report.stateDir}`;
  const header = ['ACCOUNT', 'MAILBOX', 'MODE', 'LAG', 'LAST EVENT', 'PROCESSED', 'LAST ERROR'];
  const body = report.mailboxes.map((r) => [
    r.account,
    r.mailbox,
    r.mode,
    r.lagMs === undefined ? '-' : formatDuration(r.lagMs),
    ago(r.lastEventAt, now),
    String(r.processed),
    r.lastError === undefined ? '-' : `${r.lastError.length > 100 ? `${r.lastError.slice(0, 99)}…` : r.lastError} (${ago(r.lastErrorAt, now)})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const lines = [head, '', line(header), ...body.map(line)];
  if (!body.length) lines.push('(no mailboxes yet)');
  if (report.unfinishedActions) lines.push('', `${report.unfinishedActions} action${report.unfinishedActions === 1 ? '' : 's'} unfinished in the ledger (interrupted or failed; see the log)`);
  if (report.learned.length) {
    lines.push('', 'recent retrains (messages you moved into a bucket folder):');
    for (const l of report.learned) lines.push(`  ${ago(l.at, now)}  ${l.account} ${l.mailbox} uid=${l.uid}${l.subject !== undefined ? ` "${l.subject.length > 60 ? `${l.subject.slice(0, 59)}…` : l.subject}"` : ''}  ${l.what}`);
  }
  return lines.join('\n') + '\n';
}

export async function statusCommand(options: StatusCommandOptions, out: Output): Promise<number> {
  const config = await loadConfigOrReport(options.config, out);
  if (typeof config === 'number') return config;
  let report: StatusReport;
  try {
    report = buildStatus(config);
  } catch (err) {
    return reportError(err, out);
  }
  out.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report, options.now ?? Date.now()));
  return EXIT_OK;
}
