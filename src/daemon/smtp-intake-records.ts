/**
 * What an smtp-intake account writes down (smtp-intake-runner.ts): its status row in
 * `mailsift status` (mailbox SMTP: listening or offline, with the last error and its
 * code), and per message the daemon log line and the processed row with the duplicate ids
 * (RFC 7352 `duplicate`), written after the stores and before the reply.
 *
 * The rows of the messages that finish in one turn of the event loop share one SQLite
 * transaction (a group commit); a row that cannot be written costs only itself: the reply
 * stands, since the message is stored (or the client keeps it).
 */
import { MailsiftError } from '../errors.js';
import { isSqliteError, sqliteReason } from '../state/sqlite-errors.js';
import { INTAKE_FOLDER } from '../connectors/smtp-intake/outbound.js';
import type { IntakeVerdict } from '../connectors/smtp-intake/server.js';
import { describeAction } from '../report/describe-action.js';
import type { Action } from '../runtime/actions.js';
import type { MessageView } from '../runtime/message/types.js';
import type { StateDb } from '../state/db.js';
import type { StatusPatch } from '../state/events.js';
import type { DaemonLogger, MessageLogEntry } from './log.js';

let transactions = 0;

/** The number of the next SMTP transaction of this process (every intake counts in one sequence). */
export function nextTransaction(): number {
  return ++transactions;
}

/** A message's failure: the text for the log line, and its stable code for the status row. */
export interface Problem {
  readonly text: string;
  readonly code?: string;
}

export function problemOf(err: unknown): Problem {
  return { text: (err as Error).message, ...(err instanceof MailsiftError && { code: err.code }) };
}

/** The outcome of one message, as finish() writes it down. */
export interface Outcome {
  /** The transaction's id: `<session id>.<transaction number>`. */
  readonly id: string;
  /** The message as parsed; undefined when it never was (the rules were not loaded). */
  readonly view: MessageView | undefined;
  readonly actions: readonly Action[];
  readonly verdict: IntakeVerdict;
  readonly status: 'ok' | 'error';
  readonly problem?: Problem;
  /** Remembers the message's duplicate ids, in the same transaction as its processed row. */
  readonly remember?: () => void;
}

export class IntakeRecords {
  private recordQueue: { write: () => void; id: string }[] = [];
  private recordFlush: Promise<void> | undefined;

  constructor(
    /** The account's name. */
    private readonly name: string,
    private readonly state: StateDb,
    private readonly logger: DaemonLogger,
  ) {}

  /** The intake's row in `mailsift status` (mailbox SMTP), as the IMAP and POP3 accounts keep theirs. */
  setStatus(patch: StatusPatch): void {
    try {
      this.state.events.setStatus(this.name, INTAKE_FOLDER, patch);
    } catch {
      // the state database is closing: nothing left to show
    }
  }

  /** Log the outcome (daemon log and the processed table, with the duplicate ids), then give the verdict back. */
  async finish(outcome: Outcome): Promise<IntakeVerdict> {
    const { id, view, actions, verdict, status, problem, remember } = outcome;
    const error = problem?.text;
    const from = view?.header('from')[0];
    const subject = view?.header('subject')[0];
    const messageId = view?.header('message-id')[0]?.trim();
    const reply = verdict.kind === 'accepted' ? '250' : verdict.kind === 'rejected' ? '550' : '451';
    const described = [...new Set(actions.map(describeAction))];
    const entry: MessageLogEntry = {
      account: this.name,
      mailbox: INTAKE_FOLDER,
      uid: transactions,
      ...(from !== undefined && { from }),
      ...(subject !== undefined && { subject }),
      ...(messageId !== undefined && { messageId }),
      actions: [...described, `SMTP ${reply}`],
      status,
      ...(error !== undefined && { error }),
    };
    await this.record(() => {
      remember?.();
      this.state.events.logProcessed({
        account: this.name,
        mailbox: INTAKE_FOLDER,
        uid: id,
        ...(messageId !== undefined && { messageId }),
        ...(from !== undefined && { from }),
        ...(subject !== undefined && { subject }),
        actions: entry.actions.join('; '),
        status,
        // The status row's LAST ERROR carries the code, as a connection error's does (`CODE: reason`).
        ...(problem !== undefined && { error: problem.code !== undefined ? `${problem.code}: ${problem.text}` : problem.text }),
      });
    }, id);
    this.logger.message(entry);
    return verdict;
  }

  /**
   * Group commit of the bookkeeping rows: the messages that finish in the same turn of the
   * event loop share one SQLite transaction (one WAL append instead of one per message).
   * Resolves once the rows are written; a row that fails is logged and costs only itself.
   */
  private record(write: () => void, id: string): Promise<void> {
    this.recordQueue.push({ write, id });
    this.recordFlush ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        const batch = this.recordQueue;
        this.recordQueue = [];
        this.recordFlush = undefined;
        const failed: { id: string; err: unknown }[] = [];
        try {
          this.state.transaction(() => {
            for (const r of batch) {
              try {
                r.write();
              } catch (err) {
                failed.push({ id: r.id, err });
              }
            }
          });
        } catch (err) {
          failed.push(...batch.map((r) => ({ id: r.id, err })));
        }
        for (const f of failed) {
          // The reply stands (the message is stored, or the client keeps it): only the log row is missing.
          const refused = isSqliteError(f.err);
          const why = refused ? sqliteReason(f.err as Error & { code: string }) : (f.err as Error).message;
          this.logger.event('warn', `${this.name}: cannot record message ${f.id} in the state database ${this.state.file}: ${why}`, { account: this.name, ...(refused && { code: 'STATE_UNWRITABLE' }) });
        }
        resolve();
      }),
    );
    return this.recordFlush;
  }
}
