/**
 * Per (account, mailbox): where processing stands. `lastUid` is the highest UID
 * *fully processed* (every action done and the message's ledger rows written),
 * so after a crash the daemon restarts at lastUid + 1 and the ledger tells it
 * which actions of that next message already happened.
 *
 * `advance` only moves forward (a late or repeated call is harmless); the only
 * way back is `reset`, for a first start or a UIDVALIDITY change (RFC 3501
 * §2.3.1.1: the old UIDs then mean nothing).
 */
import type Database from 'better-sqlite3';
import { MailsiftError } from '../errors.js';
import { opt } from './rows.js';

/** imapflow gives UIDVALIDITY as a BigInt; numbers and decimal strings are accepted too. */
export type Uidvalidity = bigint | number | string;

export interface Checkpoint {
  readonly account: string;
  readonly mailbox: string;
  /** Decimal string. */
  readonly uidvalidity: string;
  /** Highest UID fully processed; 0 when nothing was. */
  readonly lastUid: number;
  /** CONDSTORE HIGHESTMODSEQ, when the server has it. */
  readonly highestModseq?: bigint;
  readonly updatedAt: number;
}

export interface CheckpointInput {
  readonly account: string;
  readonly mailbox: string;
  readonly uidvalidity: Uidvalidity;
  readonly lastUid: number;
  readonly highestModseq?: bigint | number;
}

interface Row {
  account: string;
  mailbox: string;
  uidvalidity: string;
  last_uid: bigint;
  highest_modseq: bigint | null;
  updated_at: bigint;
}

const MAX_UID = 0xffff_ffff;
const MAX_MODSEQ = (1n << 63n) - 1n;

function misuse(message: string): MailsiftError {
  return new MailsiftError('STATE_MISUSE', message);
}

/** Canonical decimal form, so 42n, 42 and "042" are the same UIDVALIDITY. */
export function normalizeUidvalidity(v: Uidvalidity): string {
  const s = typeof v === 'string' ? v.trim() : String(v);
  if (!/^\d+$/.test(s)) throw misuse(`UIDVALIDITY must be a non-negative integer, not ${JSON.stringify(String(v))}`);
  return BigInt(s).toString();
}

function checkUid(uid: number): number {
  if (!Number.isInteger(uid) || uid < 0 || uid > MAX_UID) throw misuse(`a UID must be an integer from 0 to ${MAX_UID}, not ${uid}`);
  return uid;
}

function checkModseq(m: bigint | number | undefined): bigint | null {
  if (m === undefined) return null;
  const b = BigInt(m);
  if (b < 0n || b > MAX_MODSEQ) throw misuse(`a MODSEQ must be from 0 to 2^63-1, not ${b}`);
  return b;
}

function toCheckpoint(r: Row): Checkpoint {
  return {
    account: r.account,
    mailbox: r.mailbox,
    uidvalidity: r.uidvalidity,
    lastUid: Number(r.last_uid),
    ...opt('highestModseq', r.highest_modseq),
    updatedAt: Number(r.updated_at),
  };
}

const COLUMNS = 'account, mailbox, uidvalidity, last_uid, highest_modseq, updated_at';

export class Checkpoints {
  private readonly getStmt: Database.Statement<[string, string], Row>;
  private readonly listStmt: Database.Statement<[], Row>;
  private readonly listAccountStmt: Database.Statement<[string], Row>;
  private readonly advanceStmt: Database.Statement<[Record<string, unknown>], Row>;
  private readonly resetStmt: Database.Statement<[Record<string, unknown>], Row>;
  private readonly removeStmt: Database.Statement<[string, string]>;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
  ) {
    // safeIntegers: MODSEQ can exceed 2^53; every integer column then comes back as BigInt.
    this.getStmt = db.prepare<[string, string], Row>(`SELECT ${COLUMNS} FROM checkpoints WHERE account = ? AND mailbox = ?`).safeIntegers(true);
    this.listStmt = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM checkpoints ORDER BY account, mailbox`).safeIntegers(true);
    this.listAccountStmt = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM checkpoints WHERE account = ? ORDER BY mailbox`).safeIntegers(true);
    // One statement, so "only forward" holds even against a concurrent writer.
    // The WHERE turns a UIDVALIDITY mismatch into "no row returned".
    this.advanceStmt = db
      .prepare<[Record<string, unknown>], Row>(
        `INSERT INTO checkpoints (${COLUMNS}) VALUES (@account, @mailbox, @uidvalidity, @lastUid, @modseq, @now)
         ON CONFLICT (account, mailbox) DO UPDATE SET
           last_uid = max(last_uid, excluded.last_uid),
           highest_modseq = CASE
             WHEN excluded.highest_modseq IS NULL THEN highest_modseq
             WHEN highest_modseq IS NULL THEN excluded.highest_modseq
             ELSE max(highest_modseq, excluded.highest_modseq) END,
           updated_at = excluded.updated_at
         WHERE uidvalidity = excluded.uidvalidity
         RETURNING ${COLUMNS}`,
      )
      .safeIntegers(true);
    this.resetStmt = db
      .prepare<[Record<string, unknown>], Row>(
        `INSERT INTO checkpoints (${COLUMNS}) VALUES (@account, @mailbox, @uidvalidity, @lastUid, @modseq, @now)
         ON CONFLICT (account, mailbox) DO UPDATE SET
           uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,
           highest_modseq = excluded.highest_modseq, updated_at = excluded.updated_at
         RETURNING ${COLUMNS}`,
      )
      .safeIntegers(true);
    this.removeStmt = db.prepare<[string, string]>('DELETE FROM checkpoints WHERE account = ? AND mailbox = ?');
  }

  get(account: string, mailbox: string): Checkpoint | undefined {
    const row = this.getStmt.get(account, mailbox);
    return row === undefined ? undefined : toCheckpoint(row);
  }

  /** All checkpoints, or one account's. */
  list(account?: string): Checkpoint[] {
    return (account === undefined ? this.listStmt.all() : this.listAccountStmt.all(account)).map(toCheckpoint);
  }

  /**
   * Move lastUid (and highestModseq) forward to at least the given values;
   * smaller values leave them as they are. Creates the checkpoint if there is
   * none. Throws STATE_MISUSE when the stored UIDVALIDITY differs: call `reset`.
   * Returns the checkpoint as stored afterwards.
   */
  advance(input: CheckpointInput): Checkpoint {
    const uidvalidity = normalizeUidvalidity(input.uidvalidity);
    const row = this.advanceStmt.get({
      account: input.account,
      mailbox: input.mailbox,
      uidvalidity,
      lastUid: checkUid(input.lastUid),
      modseq: checkModseq(input.highestModseq),
      now: this.now(),
    });
    if (row === undefined) {
      const stored = this.get(input.account, input.mailbox);
      throw misuse(
        `checkpoint ${input.account}/${input.mailbox} has UIDVALIDITY ${stored?.uidvalidity ?? '?'}, not ${uidvalidity}: call reset() on a UIDVALIDITY change`,
      );
    }
    return toCheckpoint(row);
  }

  /**
   * Set the checkpoint unconditionally: on the first start (lastUid = UIDNEXT - 1
   * for `start = "new"`, 0 for `"all"`) and after a UIDVALIDITY change. The
   * ledger rows of the old UIDVALIDITY stay (they no longer match any key) until
   * pruned.
   */
  reset(input: Omit<CheckpointInput, 'lastUid'> & { readonly lastUid?: number }): Checkpoint {
    const row = this.resetStmt.get({
      account: input.account,
      mailbox: input.mailbox,
      uidvalidity: normalizeUidvalidity(input.uidvalidity),
      lastUid: checkUid(input.lastUid ?? 0),
      modseq: checkModseq(input.highestModseq),
      now: this.now(),
    })!;
    return toCheckpoint(row);
  }

  /** Forget a mailbox (it was deleted, or is no longer watched). */
  remove(account: string, mailbox: string): boolean {
    return this.removeStmt.run(account, mailbox).changes > 0;
  }
}
