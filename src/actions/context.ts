/**
 * What one execute() call shares between its operations: the message, the source account's
 * connection, the message fetched at most once, the Trash cache, and the log. Plus Progress,
 * which tells the ledger whether a failed operation may have done part of its work.
 */
import type { ImapAccount } from '../config/types.js';
import { messageIdOf } from '../connectors/imap/fetch-new.js';
import { MailsiftError } from '../errors.js';
import type { ExecutorDeps, ImapHandle } from './deps.js';
import { enterSource, imapError, isRefusal } from './imap-ops.js';
import type { MessageRef } from './types.js';
import type { Fingerprint } from './verify.js';

/** The message as the source server has it now. */
export interface SourceMessage {
  /** BODY.PEEK[]; absent when only the metadata was asked for. */
  readonly raw?: Uint8Array;
  readonly flags: readonly string[];
  readonly internalDate: Date;
  readonly size: number;
  readonly messageId?: string;
}

/**
 * Counts the steps of an operation that must not be repeated blindly (COPY, MOVE, APPEND,
 * EXPUNGE, a file write). A failure is "clean" (the ledger row may be marked failed, and a
 * retry runs from scratch) only when none of them completed and none was cut off midway; a
 * refusal by the server (NO/BAD) means the step did nothing.
 */
export class Progress {
  private done = 0;
  private inFlight = false;

  async effect<T>(step: () => Promise<T>): Promise<T> {
    this.inFlight = true;
    try {
      const result = await step();
      this.done++;
      this.inFlight = false;
      return result;
    } catch (err) {
      if (isRefusal(err) || (err instanceof MailsiftError && (err.code === 'STORE_WRITE_FAILED' || err.code === 'STORE_LOCKED' || err.code === 'IMAP_MAILBOX_MISSING'))) this.inFlight = false;
      throw err;
    }
  }

  /**
   * A step that is not an effect() finished (an outbound handler returned: the mail went
   * out). If recording it in the ledger then fails, the failure is not clean: marking the row
   * failed would let the next run send it again.
   */
  finished(): void {
    this.done++;
  }

  /** Something may have happened that cannot be checked (an outbound handler said so). */
  uncertain(): void {
    this.inFlight = true;
  }

  /** The last effect turned out to have done nothing (e.g. COPY of a UID that was gone). */
  undo(): void {
    if (this.done > 0) this.done--;
  }

  get clean(): boolean {
    return this.done === 0 && !this.inFlight;
  }
}

export class MessageSession {
  private fetched: Promise<SourceMessage> | undefined;
  private fetchedFull = false;

  constructor(
    readonly deps: ExecutorDeps,
    readonly ref: MessageRef,
    readonly account: ImapAccount,
    readonly edited: Uint8Array | undefined,
    private readonly trash: Map<string, Promise<string>>,
  ) {}

  source(): Promise<ImapHandle> {
    return this.deps.imap(this.ref.account);
  }

  imap(account: string): Promise<ImapHandle> {
    return this.deps.imap(account);
  }

  get ignore(): readonly string[] {
    return this.deps.ignoreCapabilities ?? [];
  }

  /** The message from its server (FETCH BODY.PEEK[] when `full`, else metadata), at most once per execute(). */
  fetchSource(full: boolean): Promise<SourceMessage> {
    if (this.fetched && (this.fetchedFull || !full)) return this.fetched;
    this.fetchedFull = full;
    const { mailbox, uid, uidValidity } = this.ref;
    const p = this.source().then((h) =>
      h.withMailbox(mailbox, async (client) => {
        await enterSource(client, mailbox, uidValidity, uid);
        let m;
        try {
          m = await client.fetchOne(String(uid), full ? { uid: true, flags: true, internalDate: true, size: true, source: true } : { uid: true, flags: true, internalDate: true, size: true, headers: ['message-id'] }, { uid: true });
        } catch (err) {
          throw imapError('IMAP_COMMAND_FAILED', `UID FETCH ${uid} in "${mailbox}" failed`, err);
        }
        if (!m) throw gone(this.ref);
        const raw = full ? m.source : m.headers;
        const bytes = raw ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
        const messageId = bytes ? messageIdOf(bytes) : this.ref.messageId;
        const date = m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0);
        return { ...(full && bytes && { raw: bytes }), flags: [...(m.flags ?? [])], internalDate: date, size: m.size ?? bytes?.byteLength ?? 0, ...(messageId !== undefined && { messageId }) };
      }),
    );
    this.fetched = p;
    p.catch(() => {
      if (this.fetched === p) this.fetched = undefined;
    });
    return p;
  }

  /** How to recognise the message after a COPY/MOVE on its own server: from the ref when it says enough, else fetched. */
  async fingerprint(): Promise<Fingerprint> {
    const { messageId, internalDate, size } = this.ref;
    if (internalDate && (messageId !== undefined || size !== undefined)) {
      return { ...(messageId !== undefined && { messageId }), ...(size !== undefined && { size }), internalDate };
    }
    const m = await this.fetchSource(false);
    return { ...(m.messageId !== undefined && { messageId: m.messageId }), size: m.size, internalDate: m.internalDate };
  }

  trashCache(): Map<string, Promise<string>> {
    return this.trash;
  }

  log(level: 'info' | 'warn', code: string, message: string, operation?: string): void {
    this.deps.log?.({ level, code, account: this.ref.account, mailbox: this.ref.mailbox, uid: this.ref.uid, message, ...(operation !== undefined && { operation }) });
  }
}

export function gone(ref: MessageRef): MailsiftError {
  return new MailsiftError('IMAP_MESSAGE_GONE', `UID ${ref.uid} is no longer in "${ref.mailbox}"`);
}
