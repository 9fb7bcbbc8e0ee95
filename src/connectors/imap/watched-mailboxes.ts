/**
 * What a MailboxWatcher knows about each watched mailbox, and the LIST-STATUS poll that keeps
 * it current: `LIST "" (patterns) RETURN (STATUS (...))` (RFC 5819) for all of them at once,
 * plus the `* STATUS` lines NOTIFY pushes (RFC 5465) and the STATUS after our own commands.
 * A state that differs from the last known one becomes a 'change'. Survives reconnects, so
 * the first look after one reports only what moved while the connection was down.
 */
import type { ImapFlow } from 'imapflow';
import { listStatus, statusOf, type StatusAnswer } from './commands.js';
import { mergeStatus, sameState } from './mailbox-state.js';
import type { BackgroundJob } from './watcher-options.js';
import type { ChangeSource, MailboxChange, MailboxState } from './types.js';

export interface WatchedMailboxesHost {
  readonly account: string;
  /** Mailbox names or LIST patterns, as configured. */
  readonly specs: string[];
  /** Queues a job on the connection (a new mailbox's full STATUS). */
  readonly background: BackgroundJob;
  /** Emits 'change'; a throwing listener is rethrown on setImmediate. */
  readonly onChange: (change: MailboxChange) => void;
}

export class WatchedMailboxes {
  private readonly states = new Map<string, MailboxState>();
  /** Mailboxes seen through NOTIFY without UIDVALIDITY, waiting for their full STATUS. */
  private readonly incomplete = new Set<string>();
  /** Set per session: patterns match by the server's hierarchy delimiter. */
  matches: (path: string) => boolean = () => false;
  lastEventAt: Date | undefined;
  lastChangeAt: Date | undefined;

  constructor(private readonly host: WatchedMailboxesHost) {}

  get(path: string): MailboxState | undefined {
    const s = this.states.get(path);
    return s && { ...s };
  }

  all(): MailboxState[] {
    return [...this.states.values()].map((m) => ({ ...m }));
  }

  /** One LIST-STATUS over the watched patterns; returns the selectable watched mailboxes. */
  async refreshAll(client: ImapFlow, source: ChangeSource): Promise<string[]> {
    const seen = new Set<string>();
    const listed = await listStatus(client, this.host.specs, (a) => {
      seen.add(a.mailbox);
      this.applyStatus(a, source);
    });
    const resolved = listed.filter((m) => m.selectable && this.matches(m.mailbox)).map((m) => m.mailbox);
    // RFC 5819 lets a server leave out the selected mailbox; ask for it on its own then.
    for (const m of resolved) if (!seen.has(m)) await statusOf(client, m, (a) => this.applyStatus(a, source));
    for (const known of [...this.states.keys()]) if (!resolved.includes(known)) this.states.delete(known);
    return resolved;
  }

  /** One STATUS of one mailbox (after our own commands on it). */
  async refreshOne(client: ImapFlow, mailbox: string, source: ChangeSource): Promise<void> {
    await statusOf(client, mailbox, (a) => this.applyStatus(a, source));
  }

  applyStatus(answer: StatusAnswer, source: ChangeSource): void {
    this.lastEventAt = new Date();
    if (!this.matches(answer.mailbox)) return;
    const previous = this.states.get(answer.mailbox);
    const next = mergeStatus(answer.mailbox, previous, answer.fields);
    if (!next) {
      // A new mailbox seen through NOTIFY (no UIDVALIDITY in the line): ask for its full status.
      this.incomplete.add(answer.mailbox);
      this.host.background((c) => this.completeIncomplete(c, source));
      return;
    }
    this.incomplete.delete(answer.mailbox);
    if (sameState(previous, next)) return;
    this.states.set(answer.mailbox, next);
    this.lastChangeAt = new Date();
    const change: MailboxChange = { ...next, account: this.host.account, uidValidityChanged: !!previous && previous.uidValidity !== next.uidValidity, source, at: this.lastChangeAt };
    if (previous) change.previous = previous;
    try {
      this.host.onChange(change);
    } catch (err) {
      // A throwing listener is a bug in the listener: surface it like an unhandled error.
      setImmediate(() => {
        throw err;
      });
    }
  }

  private async completeIncomplete(client: ImapFlow, source: ChangeSource): Promise<void> {
    for (const m of [...this.incomplete]) {
      this.incomplete.delete(m);
      await statusOf(client, m, (a) => this.applyStatus(a, source));
    }
  }
}
