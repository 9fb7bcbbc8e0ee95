/**
 * Learning by moving (POPFile's reclassify): for every `[models.NAME]` with buckets, the
 * daemon watches each bucket's folder. A message that arrives there and that mailsift did
 * not file there itself was moved by the user; when the model classifies it into another
 * bucket (or has it trained in another one), it is retrained into the folder's bucket.
 *
 * - Moves into folders that are no bucket (Trash) teach nothing; a message deleted from
 *   Junk is simply gone, never "ham".
 * - mailsift's own filings are recognised through the action ledger (a done move/copy into
 *   the folder whose detail names the new UID, UIDPLUS) and the processed log (Message-ID
 *   and `fileinto "Folder"`). While a move into the folder is unfinished in the ledger the
 *   folder is left for the next pass, so a filing in flight is never mistaken for the user's.
 * - Only what arrives after the daemon first sees a folder counts (the folder's history is
 *   for `mailsift train`). The position per folder (UIDVALIDITY, last UID) lives in the
 *   model's meta table, so it goes with the model it describes.
 * - Every retrain is logged (an event line) and written to the processed log with actions
 *   `learn MODEL: OLD -> NEW`, which `mailsift status` lists. A state database that refuses
 *   that row (STATE_UNWRITABLE, warned once) loses only the row: the model is trained.
 * - A model that refuses a write (MODEL_UNWRITABLE: a full disk) ends the pass at that message,
 *   whose position is not passed: it is tried again every pass and learned once there is room.
 *   One warning per episode: it is re-armed only by a pass that wrote the model or looked at
 *   every folder, not by one that ended early (account down, a STATUS failing). Learning
 *   never touches the mail itself.
 *
 * The folders are polled (STATUS, then a fetch only when UIDNEXT moved) over the account's
 * one connection (ImapSessions): the runner's watcher when the account is watched. A folder
 * that connection still has selected gets a NOOP first, or its STATUS is stale (folderPass).
 */
import type { ImapFlow } from 'imapflow';
import { normalizePath } from 'imapflow/lib/tools.js';
import { ModelStore, train } from '../classify/store/model-store.js';
import type { ModelSnapshot } from '../classify/model-snapshot.js';
import type { MailboxWatcher } from '../connectors/imap/watch.js';
import type { FetchedMessage } from '../connectors/imap/types.js';
import type { Config, ModelConfig } from '../config/types.js';
import { MailsiftError } from '../errors.js';
import { parseMessage } from '../runtime/message/parse.js';
import { sameMailbox } from '../runtime/result.js';
import type { StateDb } from '../state/db.js';
import { isSqliteError, sqliteReason } from '../state/sqlite-errors.js';
import type { DaemonLogger } from './log.js';

export interface LearningDeps {
  readonly state: StateDb;
  readonly logger: DaemonLogger;
  /** The account's connection (rejects while it is down: the pass is retried later). */
  session(account: string): Promise<MailboxWatcher>;
  /** Poll interval per model; default the account's poll_interval. */
  readonly intervalMs?: number;
  /** Told after a model was retrained, so that rules see the new snapshot. */
  onLearned?(lesson: Lesson): void;
}

/** What one message taught: `from` is the bucket it was classified (or trained) as. */
export interface Lesson {
  readonly model: string;
  readonly account: string;
  readonly folder: string;
  readonly uid: number;
  readonly from: string;
  readonly to: string;
  readonly outcome: 'trained' | 'moved' | 'duplicate';
}

interface Position {
  uidValidity: number;
  lastUid: number;
}

const SEP = '\u001f';

/** Did mailsift itself file the message with this UID / Message-ID into `folder` of `account`? */
export function filedByMailsift(state: StateDb, account: string, folder: string, uid: number, messageId: string | undefined): boolean {
  const intoFolder = (source: string, action: string): boolean => {
    const [kind, target, mailbox] = action.split(SEP);
    if ((kind !== 'move' && kind !== 'copy') || mailbox === undefined) return false;
    return (target === account || (target === '' && source === account)) && sameMailbox(mailbox, folder);
  };
  const done = state.db.prepare("SELECT source, action, detail FROM ledger WHERE state = 'done' AND detail LIKE ?").all(`%(uid ${uid})%`) as { source: string; action: string; detail: string }[];
  if (done.some((r) => intoFolder(r.source, r.action) && new RegExp(`\\(uid ${uid}\\)`).test(r.detail))) return true;
  if (messageId === undefined) return false;
  const rows = state.db.prepare('SELECT account, actions FROM processed WHERE message_id = ?').all(messageId) as { account: string; actions: string }[];
  return rows.some((r) => r.actions.includes(`fileinto ${account}:"${folder}"`) || (r.account === account && r.actions.includes(`fileinto "${folder}"`)));
}

/** Is a move or copy into `folder` of `account` started and not finished (in flight, or in doubt)? */
function filingInFlight(state: StateDb, account: string, folder: string): boolean {
  return state.ledger.unfinished().some((r) => {
    if (r.state !== 'started') return false;
    const [kind, target, mailbox] = r.action.split(SEP);
    return (kind === 'move' || kind === 'copy') && mailbox !== undefined && (target === account || (target === '' && r.source === account)) && sameMailbox(mailbox, folder);
  });
}

/** One model learning from its bucket folders. */
export class ModelLearner {
  private store: ModelStore | undefined;
  private snap: ModelSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly warned = new Set<string>();
  /**
   * What the current pass got done, for re-arming the pass warning (start): a model write that
   * succeeded (a retrain, a position), or every folder looked at. A pass that ended early (the
   * account down, a STATUS failing) proves nothing about the model, so a flaky connection
   * during a long full-disk episode does not repeat the warning.
   */
  private progress = { wrote: false, complete: false };

  constructor(
    readonly config: ModelConfig,
    private readonly deps: LearningDeps,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.pass()
        .then(
          () => this.closeEpisode(),
          (err: unknown) => {
            this.closeEpisode(); // a write that succeeded before this failure ended the last episode
            this.warnOnce('pass', this.passFailure(err), err instanceof MailsiftError ? err.code : undefined);
          },
        )
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.store?.close();
    this.store = undefined;
  }

  private model(): ModelStore {
    this.store ??= ModelStore.open(this.config.path, { create: true });
    return this.store;
  }

  private snapshot(): ModelSnapshot {
    this.snap ??= this.model().snapshot(this.config.name);
    return this.snap;
  }

  /**
   * A pass that wrote the model, or looked at every folder, closes the episode of failed passes:
   * the next failure is logged again. One that ended early (account down, a STATUS failing)
   * does not.
   */
  private closeEpisode(): void {
    if (this.progress.wrote || this.progress.complete) this.warned.delete('pass');
  }

  private warnOnce(key: string, text: string, code?: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.deps.logger.event('warn', text, { account: this.config.account, ...(code !== undefined && { code }) });
  }

  /**
   * The warning for a failed pass. A refused write (MODEL_UNWRITABLE, a full disk) stopped at
   * the message being learned: its folder's position stays before it, so every pass tries it
   * again and it is learned once there is room (folderPass).
   */
  private passFailure(err: unknown): string {
    const text = `learning for model "${this.config.name}": ${(err as Error).message}`;
    return err instanceof MailsiftError && err.code === 'MODEL_UNWRITABLE' ? `${text}; the move is learned once the model can be written` : text;
  }

  /** One look at every bucket folder; returns what was learned. */
  async pass(): Promise<Lesson[]> {
    this.progress = { wrote: false, complete: false };
    const account = this.config.account;
    if (account === undefined) return [];
    let session: MailboxWatcher;
    try {
      session = await this.deps.session(account);
    } catch {
      return []; // the account is down: its runner reports that
    }
    const lessons: Lesson[] = [];
    let everyFolder = true;
    for (const [bucket, folder] of Object.entries(this.config.buckets)) {
      if (this.stopped) return lessons;
      const looked = await this.folderPass(session, account, bucket, folder);
      if (looked === undefined) everyFolder = false;
      else lessons.push(...looked);
    }
    this.progress.complete = everyFolder;
    return lessons;
  }

  private positionKey(account: string, folder: string): string {
    return `learned-from:${account}${SEP}${folder}`;
  }

  private position(account: string, folder: string): Position | undefined {
    const value = this.model().meta(this.positionKey(account, folder));
    return value === undefined ? undefined : (JSON.parse(value) as Position);
  }

  private setPosition(account: string, folder: string, p: Position): void {
    this.model().setMeta(this.positionKey(account, folder), JSON.stringify(p));
    this.progress.wrote = true;
  }

  /** What one folder taught; undefined when it could not be looked at (STATUS failed). */
  private async folderPass(session: MailboxWatcher, account: string, bucket: string, folder: string): Promise<Lesson[] | undefined> {
    let status: { uidValidity: number; uidNext: number };
    try {
      status = await session.withClient(async (c: ImapFlow) => {
        // The folder may still be selected on this shared connection (our last fetchNew of it:
        // poll mode has no posture to leave it, and passes faster than the posture's settle time
        // starve it). Dovecot answers STATUS of the selected mailbox from this session's view,
        // which no STATUS or LIST-STATUS brings up to date (measured: a later arrival was never
        // seen; RFC 3501 §6.3.10 says STATUS SHOULD NOT be used on it). NOOP syncs the view
        // (RFC 3501 §6.1.2), so the STATUS after it counts the arrival.
        if (c.mailbox && c.mailbox.path === normalizePath(c, folder)) await c.noop();
        const s = await c.status(folder, { uidNext: true, uidValidity: true });
        if (!s) throw new Error('STATUS failed');
        return { uidValidity: Number(s.uidValidity ?? 0), uidNext: Number(s.uidNext ?? 0) };
      });
    } catch (err) {
      this.warnOnce(`status:${folder}`, `model "${this.config.name}": cannot look at folder "${folder}" of bucket "${bucket}" (${(err as Error).message}); retrying every pass`);
      return undefined;
    }
    this.warned.delete(`status:${folder}`);
    const pos = this.position(account, folder);
    if (!pos || pos.uidValidity !== status.uidValidity) {
      // First sight (or the folder was recreated): learn from what arrives from now on.
      this.setPosition(account, folder, { uidValidity: status.uidValidity, lastUid: Math.max(0, status.uidNext - 1) });
      if (pos) this.deps.logger.event('info', `model "${this.config.name}": folder "${folder}" was recreated (UIDVALIDITY changed); learning from new arrivals`, { account, mailbox: folder });
      return [];
    }
    if (status.uidNext <= pos.lastUid + 1) return [];
    if (filingInFlight(this.deps.state, account, folder)) return []; // next pass, once it is recorded

    const lessons: Lesson[] = [];
    for await (const m of session.fetchNew(folder, pos.lastUid, { full: true, expectUidValidity: pos.uidValidity })) {
      if (this.stopped) break;
      const lesson = this.learn(account, bucket, folder, m);
      if (lesson) lessons.push(lesson);
      // Only past a message that is learned: a refused write (learn throws) leaves the position
      // before it, so the next pass fetches it again. Learning it twice is harmless: once
      // trained in this bucket it teaches nothing (learn).
      this.setPosition(account, folder, { uidValidity: pos.uidValidity, lastUid: m.uid });
    }
    return lessons;
  }

  /** Learn from one arrival in the folder of `bucket`, unless mailsift put it there. */
  private learn(account: string, bucket: string, folder: string, m: FetchedMessage): Lesson | undefined {
    if (filedByMailsift(this.deps.state, account, folder, m.uid, m.messageId)) return undefined;
    const model = this.model();
    const analysed = model.analyse(m.raw);
    const trainedId = model.lookup(analysed.key)?.bucket;
    const trainedAs = trainedId === undefined ? undefined : model.bucketNames().find((b) => model.bucketId(b) === trainedId);
    const snapshot = this.snapshot();
    const winner = snapshot.bucketCount > 0 ? snapshot.classify(analysed.tokens).bucket : undefined;
    if (trainedAs === bucket) return undefined;
    if (trainedAs === undefined && winner === bucket) return undefined; // it agrees: nothing to correct
    const from = trainedAs ?? winner ?? '(empty model)';
    const outcome = train(model, bucket, m.raw);
    this.progress.wrote = true;
    this.snap = undefined;
    const lesson: Lesson = { model: this.config.name, account, folder, uid: m.uid, from, to: bucket, outcome };
    const view = parseMessage(m.raw);
    const parsedSubject = view.header('subject')[0];
    const sender = view.header('from')[0];
    const what = `learn ${this.config.name}: ${from} -> ${bucket}`;
    // The model is trained: what follows from that comes first (the rules see the new counts,
    // the event line), and the processed-log row last. That row lives in the state database,
    // which may refuse it (a full state disk) while the model took the retrain; thrown, it
    // would lose the line and the refresh for good, since the next pass finds the message
    // trained and teaches nothing.
    this.deps.onLearned?.(lesson);
    this.deps.logger.event('info', `${account} ${folder} UID ${m.uid}: moved here by the user; ${trainedAs ? `trained as ${trainedAs}` : `classified ${from}`}: retrained model "${this.config.name}" ${from} -> ${bucket}`, { account, mailbox: folder });
    try {
      this.deps.state.events.logProcessed({
        account,
        mailbox: folder,
        uid: String(m.uid),
        ...(m.messageId !== undefined && { messageId: m.messageId }),
        ...(sender !== undefined && { from: sender }),
        ...(parsedSubject !== undefined && { subject: parsedSubject }),
        actions: what,
        status: 'ok',
      });
      this.warned.delete('state');
    } catch (err) {
      if (!isSqliteError(err)) throw err;
      this.warnOnce('state', `learning for model "${this.config.name}": ${account} ${folder} UID ${m.uid} is learned, but cannot write the state database ${this.deps.state.file}: ${sqliteReason(err)}; \`mailsift status\` misses this retrain (the log line above has it)`, 'STATE_UNWRITABLE');
    }
    return lesson;
  }
}

/** Every learning model of a configuration; reconfigured on reload. */
export class Learning {
  private readonly learners = new Map<string, { learner: ModelLearner; key: string }>();

  constructor(private readonly deps: LearningDeps) {}

  /** Start, stop or restart learners to match `config` (models with buckets and an IMAP account). */
  configure(config: Config): void {
    const wanted = new Map<string, { model: ModelConfig; interval: number }>();
    for (const model of Object.values(config.models)) {
      const account = model.account !== undefined ? config.accounts[model.account] : undefined;
      if (!account || account.type !== 'imap' || Object.keys(model.buckets).length === 0) continue;
      wanted.set(model.name, { model, interval: this.deps.intervalMs ?? account.pollIntervalMs });
    }
    for (const [name, entry] of [...this.learners]) {
      const w = wanted.get(name);
      if (w && JSON.stringify(w) === entry.key) continue;
      this.learners.delete(name);
      void entry.learner.stop();
    }
    for (const [name, w] of wanted) {
      if (this.learners.has(name)) continue;
      const learner = new ModelLearner(w.model, this.deps, w.interval);
      this.learners.set(name, { learner, key: JSON.stringify(w) });
      learner.start();
    }
  }

  async stop(): Promise<void> {
    const all = [...this.learners.values()].map((e) => e.learner.stop());
    this.learners.clear();
    await Promise.all(all);
  }
}
