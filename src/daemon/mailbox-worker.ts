/**
 * One watched mailbox: catches up from its checkpoint whenever it is kicked, strictly in UID
 * order, one message at a time. Kicks while a pass runs are folded into one more pass.
 *
 * The checkpoint (state/checkpoints.ts) is the highest UID fully handled; it advances in the
 * same transaction as the processed-log row, so a crash anywhere leaves at most the message in
 * flight to redo, and the action ledger (in the executor) keeps its finished actions from
 * running twice.
 *
 * UIDVALIDITY (RFC 3501 §2.3.1.1): when it changes, the mailbox was recreated and every stored
 * UID is void. The checkpoint is reset to 0 and the mailbox rescanned; during that rescan a
 * message whose Message-ID this mailbox already processed is skipped (logged as such), because
 * the ledger, keyed by UIDVALIDITY, cannot recognise it. Messages without a Message-ID are
 * evaluated again.
 */
import type { MailboxState } from '../connectors/imap/types.js';
import { MailsiftError } from '../errors.js';
import type { Plan } from '../runtime/plan.js';
import type { StateDb } from '../state/db.js';
import { isSqliteError, sqliteReason } from '../state/sqlite-errors.js';
import type { DaemonLogger } from './log.js';
import { planNeedsFullMessage, type SourceMessage, type ProcessOutcome } from './process-message.js';
import type { FetchedMessage } from '../connectors/imap/types.js';

/** What a worker needs from its account. */
export interface WorkerHost {
  readonly account: string;
  readonly state: StateDb;
  readonly logger: DaemonLogger;
  /** The rules file and first-start policy of the watch that owns this mailbox, if any. */
  watchFor(mailbox: string): { rules: string; start: 'new' | 'all' } | undefined;
  plan(rulesFile: string): Plan | undefined;
  /** Last known server state (from the watcher). */
  serverState(mailbox: string): MailboxState | undefined;
  /** The mailbox's UIDVALIDITY and UIDNEXT as the server says now (EXAMINE). */
  currentMailbox(mailbox: string): Promise<{ uidValidity: number; uidNext: number }>;
  fetchNew(mailbox: string, sinceUid: number, options: { full: boolean; expectUidValidity: number }): AsyncIterable<FetchedMessage>;
  process(plan: Plan, message: SourceMessage, options: { commit: () => void; forceCommit: boolean }): Promise<ProcessOutcome>;
  connected(): boolean;
  stopping(): boolean;
}

/** A message that failed transiently this often while connected is committed as an error. */
const MAX_TRANSIENT_FAILURES = 3;

/** Passes after the state database refused a write (a full disk) are retried this often, doubling. */
const STATE_RETRY_FIRST_MS = 1000;
const STATE_RETRY_MAX_MS = 60_000;

export class MailboxWorker {
  private pending = false;
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly failures = new Map<number, number>();
  /** Message-IDs processed under an earlier UIDVALIDITY, and the UIDNEXT below which they apply. */
  private rescan: { ids: Set<string>; belowUid: number } | undefined;
  private lastProblem: string | undefined;
  private stateRetryMs = 0;

  constructor(
    private readonly host: WorkerHost,
    readonly mailbox: string,
  ) {}

  /** Schedule a pass (now, or right after the current one). */
  kick(): void {
    this.pending = true;
    if (!this.running) this.running = this.loop().finally(() => (this.running = undefined));
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  cancelRetry(): void {
    clearTimeout(this.retryTimer);
  }

  private async loop(): Promise<void> {
    while (this.pending && !this.host.stopping() && this.host.connected()) {
      this.pending = false;
      try {
        await this.pass();
        this.lastProblem = undefined;
        this.stateRetryMs = 0;
      } catch (err) {
        try {
          this.onError(err);
        } catch {
          // The state database is closed (shutdown): nothing left to record.
        }
      }
    }
  }

  private onError(err: unknown): void {
    const e =
      err instanceof MailsiftError ? err
      : isSqliteError(err) ? new MailsiftError('STATE_UNWRITABLE', `${this.host.account} ${this.mailbox}: cannot write the state database ${this.host.state.file}: ${sqliteReason(err)}; the message stays and is tried again`, { cause: err })
      : new MailsiftError('IMAP_COMMAND_FAILED', `${this.host.account} ${this.mailbox}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    if (e.code === 'IMAP_UIDVALIDITY_CHANGED') {
      this.pending = true;
      return;
    }
    // Nothing was acted on without its ledger row, and nothing committed: no server event will
    // bring this message back, so look again later (before logging, which writes state too).
    if (e.code === 'STATE_UNWRITABLE') this.retryAfterStateFailure();
    // A lost connection is reported once by the account; the 'connected' event kicks us again.
    if (e.code === 'IMAP_CONNECTION_LOST' || !this.host.connected()) return;
    if (e.message !== this.lastProblem) {
      this.lastProblem = e.message;
      this.host.logger.event('error', e.message, { account: this.host.account, mailbox: this.mailbox, code: e.code });
    }
    this.host.state.events.setStatus(this.host.account, this.mailbox, { lastError: `${e.code}: ${e.message}` });
  }

  private retryAfterStateFailure(): void {
    this.stateRetryMs = Math.min(STATE_RETRY_MAX_MS, this.stateRetryMs === 0 ? STATE_RETRY_FIRST_MS : this.stateRetryMs * 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.kick(), this.stateRetryMs);
    this.retryTimer.unref();
  }

  private async pass(): Promise<void> {
    const { host, mailbox } = this;
    const watch = host.watchFor(mailbox);
    const plan = watch && host.plan(watch.rules);
    const server = host.serverState(mailbox);
    if (!watch || !plan || !server) return;

    let cp = host.state.checkpoints.get(host.account, mailbox);
    if (!cp) {
      const lastUid = watch.start === 'new' ? Math.max(0, server.uidNext - 1) : 0;
      cp = host.state.checkpoints.reset({ account: host.account, mailbox, uidvalidity: server.uidValidity, lastUid });
      host.logger.event('info', `${host.account} ${mailbox}: first start, ${watch.start === 'new' ? `new mail only (from UID ${lastUid + 1})` : 'processing the messages already there too'}`, { account: host.account, mailbox });
    } else if (cp.uidvalidity !== String(server.uidValidity) || server.uidNext <= cp.lastUid) {
      // UIDNEXT below a processed UID cannot happen within one UIDVALIDITY: ask the server.
      const now = await host.currentMailbox(mailbox);
      if (String(now.uidValidity) !== cp.uidvalidity) cp = this.resetForUidValidity(cp.uidvalidity, now);
    }
    if (server.uidNext <= cp.lastUid + 1 && !this.rescan) return;

    const full = planNeedsFullMessage(plan);
    try {
      for await (const m of host.fetchNew(mailbox, cp.lastUid, { full, expectUidValidity: Number(cp.uidvalidity) })) {
        if (host.stopping()) return;
        if (!(await this.handle(plan, m))) return;
      }
    } catch (err) {
      if (err instanceof MailsiftError && err.code === 'IMAP_UIDVALIDITY_CHANGED') {
        this.resetForUidValidity(cp.uidvalidity, await host.currentMailbox(mailbox));
      }
      throw err;
    }
    // A whole pass ran: every message that was there when the mailbox was recreated is handled.
    this.rescan = undefined;
  }

  /** Returns false to end the pass (a transient failure: retried later). */
  private async handle(plan: Plan, m: FetchedMessage): Promise<boolean> {
    const { host, mailbox } = this;
    const commit = () => host.state.checkpoints.advance({ account: host.account, mailbox, uidvalidity: m.uidValidity, lastUid: m.uid });
    if (this.rescan && m.uid < this.rescan.belowUid && m.messageId !== undefined && this.rescan.ids.has(m.messageId)) {
      host.state.transaction(commit);
      host.logger.message({ account: host.account, mailbox, uid: m.uid, messageId: m.messageId, actions: [], status: 'skipped', error: 'processed before the mailbox was recreated (UIDVALIDITY changed)' });
      return true;
    }
    const failures = this.failures.get(m.uid) ?? 0;
    const message: SourceMessage = { account: host.account, mailbox, uid: m.uid, uidValidity: m.uidValidity, raw: m.raw, headersOnly: m.headersOnly, size: m.size, flags: m.flags, internalDate: m.internalDate, ...(m.messageId !== undefined && { messageId: m.messageId }) };
    const out = await host.process(plan, message, { commit, forceCommit: failures + 1 >= MAX_TRANSIENT_FAILURES && host.connected() && !host.stopping() });
    if (out.committed) {
      this.failures.delete(m.uid);
      return true;
    }
    // Not committed: the connection went or we are stopping. While still connected, count it
    // and retry after a pause, so a message that always throws ends up committed as an error.
    if (host.connected() && !host.stopping()) {
      this.failures.set(m.uid, failures + 1);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.kick(), 1000 * (failures + 1));
      this.retryTimer.unref();
    }
    return false;
  }

  private resetForUidValidity(old: string, now: { uidValidity: number; uidNext: number }) {
    const { host, mailbox } = this;
    const ids = new Set<string>();
    for (const id of processedMessageIds(host.state, host.account, mailbox)) ids.add(id);
    this.rescan = { ids, belowUid: now.uidNext };
    host.logger.event('warn', `${host.account} ${mailbox}: UIDVALIDITY changed from ${old} to ${now.uidValidity} (the mailbox was recreated): rescanning it; ${ids.size} message${ids.size === 1 ? '' : 's'} processed before are recognised by Message-ID and skipped`, { account: host.account, mailbox, code: 'IMAP_UIDVALIDITY_CHANGED' });
    return host.state.checkpoints.reset({ account: host.account, mailbox, uidvalidity: now.uidValidity, lastUid: 0 });
  }
}

/** Message-IDs in the processed log of one mailbox (kept 30 days by StateDb.maintain). */
export function processedMessageIds(state: StateDb, account: string, mailbox: string): string[] {
  const rows = state.db.prepare('SELECT DISTINCT message_id AS id FROM processed WHERE account = ? AND mailbox = ? AND message_id IS NOT NULL').all(account, mailbox) as { id: string }[];
  return rows.map((r) => r.id);
}
