/**
 * `mailsift train --model DIR --bucket NAME SOURCE...` and `mailsift untrain ...`: teach a
 * classifier model (src/classify/store) the messages of .eml files, mbox files, Maildirs
 * and directories, or of an IMAP mailbox (`--account A --mailbox M`, read-only: EXAMINE
 * and BODY.PEEK[], so nothing is marked seen). All messages of one run are written in one
 * transaction; a model that refuses it (a full disk) is the store's MODEL_UNWRITABLE, naming the
 * file. A progress bar goes to stderr when it is a terminal; a summary to stdout.
 *
 * The configuration, imapflow and the progress bar are imported only when used: a run over
 * files loads none of them (together ~0.25 s of CPU per run).
 */
import type { SingleBar } from 'cli-progress';
import { checkBucketName, ModelStore, type TrainOutcome, type UntrainOutcome } from '../classify/store/model-store.js';
import { findEmlFiles } from '../connectors/local/eml.js';
import { detectSource, readSource } from '../connectors/local/source.js';
import { MailsiftError } from '../errors.js';
import type { Output } from './io.js';

export interface TrainOptions {
  readonly model: string;
  readonly bucket: string;
  /** IMAP: account name in the configuration, and the mailbox to read. */
  readonly account?: string;
  readonly mailbox?: string;
  readonly config?: string;
  /** Show a progress bar (only when stderr is a terminal). Default true. */
  readonly progress?: boolean;
}

interface Source {
  /** For the progress bar: messages expected, when cheap to know. */
  readonly total?: number;
  readonly messages: AsyncIterable<{ readonly raw: Uint8Array }>;
}

const TRAIN_WORDS: Record<TrainOutcome, string> = { trained: 'trained', duplicate: 'already trained', moved: 'moved from another bucket' };
const UNTRAIN_WORDS: Record<UntrainOutcome, string> = { untrained: 'untrained', 'not-trained': 'not trained', 'other-bucket': 'trained in another bucket (left alone)' };

export async function trainCommand(sources: readonly string[], options: TrainOptions, out: Output): Promise<number> {
  return run('train', sources, options, out);
}

export async function untrainCommand(sources: readonly string[], options: TrainOptions, out: Output): Promise<number> {
  return run('untrain', sources, options, out);
}

async function run(mode: 'train' | 'untrain', paths: readonly string[], options: TrainOptions, out: Output): Promise<number> {
  const imap = options.account !== undefined || options.mailbox !== undefined;
  if (imap && (options.account === undefined || options.mailbox === undefined)) {
    throw new MailsiftError('USAGE', '--account and --mailbox go together');
  }
  if (!imap && paths.length === 0) throw new MailsiftError('USAGE', `${mode}: give messages (files, mboxes, Maildirs, directories) or --account A --mailbox M`);
  const store = ModelStore.open(options.model, { create: mode === 'train' });
  try {
    // Checked up front, so that a typo does not read a whole mailbox first.
    // A new bucket is only checked here: the batch creates it with its messages, in one transaction.
    if (mode === 'train') {
      if (store.bucketId(options.bucket) === undefined) checkBucketName(options.bucket);
    } else if (store.bucketId(options.bucket) === undefined) {
      throw new MailsiftError('MODEL_INVALID', `model ${options.model} has no bucket "${options.bucket}" (buckets: ${store.bucketNames().join(', ') || 'none'})`);
    }
    const sources = imap ? [await imapSource(options)] : await Promise.all(paths.map(localSource));
    const started = performance.now();
    const bar = await progressBar(options, sources);
    const batch = store.batch();
    const counts = new Map<string, number>();
    let n = 0;
    try {
      for (const source of sources) {
        for await (const msg of source.messages) {
          const outcome = mode === 'train' ? TRAIN_WORDS[batch.train(options.bucket, msg.raw)] : UNTRAIN_WORDS[batch.untrain(options.bucket, msg.raw)];
          counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
          n++;
          bar?.increment();
        }
      }
      batch.commit();
    } finally {
      bar?.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const parts = [...counts].map(([what, k]) => `${k} ${what}`).join(', ') || 'nothing to do';
    const stats = store.stats();
    const buckets = stats.buckets.map((b) => `${b.name} ${b.messages}`).join(', ');
    out.stdout(
      `${n} message${n === 1 ? '' : 's'} ${mode === 'train' ? 'into' : 'from'} ${options.bucket}: ${parts} (${seconds.toFixed(1)} s, ${Math.round(n / Math.max(seconds, 1e-3))} msg/s)\n` +
        `model ${stats.name}: ${buckets || 'no buckets'}; ${stats.tokens} tokens\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}

async function localSource(path: string): Promise<Source> {
  const kind = await detectSource(path); // fails early, with the source's own error, on a bad path
  const total = kind === 'eml' ? 1 : kind === 'eml-dir' ? (await findEmlFiles(path)).length : undefined;
  return { total, messages: readSource(path) };
}

/** The messages of an IMAP mailbox, read-only (EXAMINE, BODY.PEEK[]): training never changes the mailbox. */
async function imapSource(options: TrainOptions): Promise<Source> {
  const [{ loadConfig }, { resolveSecret }, { connectImap }] = await Promise.all([
    import('../config/load.js'),
    import('../config/secrets.js'),
    import('../connectors/imap/connect.js'),
  ]);
  const config = await loadConfig(options.config);
  const account = config.accounts[options.account!];
  if (!account) throw new MailsiftError('USAGE', `no account "${options.account}" in ${config.file}`);
  if (account.type !== 'imap') throw new MailsiftError('USAGE', `account "${options.account}" is ${account.type}, not imap`);
  const password = await resolveSecret(account.password, `password of account ${account.name}`);
  const client = await connectImap({ name: account.name, host: account.host, port: account.port, tls: account.tls, user: account.user, password, allowInsecure: account.allowInsecure });
  let total: number;
  try {
    const box = await client.mailboxOpen(options.mailbox!, { readOnly: true });
    total = box.exists;
  } catch (cause) {
    await client.logout().catch(() => client.close());
    throw new MailsiftError('IMAP_MAILBOX_MISSING', `cannot open mailbox "${options.mailbox}" of account ${account.name}: ${(cause as Error).message}`, { cause });
  }
  const messages = (async function* () {
    try {
      if (total === 0) return;
      for await (const msg of client.fetch('1:*', { source: true })) {
        if (msg.source) yield { raw: new Uint8Array(msg.source.buffer, msg.source.byteOffset, msg.source.byteLength) };
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
  })();
  return { total, messages };
}

async function progressBar(options: TrainOptions, sources: readonly Source[]): Promise<SingleBar | undefined> {
  if (options.progress === false || !process.stderr.isTTY) return undefined;
  const { SingleBar } = await import('cli-progress');
  const known = sources.every((s) => s.total !== undefined);
  const total = sources.reduce((a, s) => a + (s.total ?? 0), 0);
  const bar = new SingleBar({
    stream: process.stderr,
    format: known ? '{bar} {value}/{total} messages | {eta_formatted} left' : '{value} messages',
    hideCursor: true,
    clearOnComplete: true,
    barsize: 30,
  });
  bar.start(known ? total : 0, 0);
  return bar;
}
