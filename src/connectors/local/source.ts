/**
 * Local message sources for dry runs (`mailsift test RULES SOURCE...`) and the
 * daemon: a single .eml file, an mbox file, a Maildir (with its Maildir++ and
 * plain nested subfolders) or a directory tree of .eml files.
 */

import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { errnoCode, LocalSourceError, unreadable } from './errors.js';
import { findEmlFiles, isEmlName, readEmlDir, readEmlFile } from './eml.js';
import { isMaildir, listMaildirFolders, readMaildir } from './maildir.js';
import { readMbox } from './mbox.js';

export { LocalSourceError, type LocalErrorCode } from './errors.js';

export interface LocalMessage {
  /** The file path; "path#N" for the Nth (1-based) message of an mbox (a single .eml file that starts with a "From " line is just "path"). */
  readonly id: string;
  /** The message exactly as stored (for mbox: without the From_ line, ">From " un-escaped). */
  readonly raw: Uint8Array;
  /** 'INBOX' for a Maildir root, a bare file or an .eml directory; 'Foo/Bar' for subfolders. */
  readonly folder: string;
  /** IMAP flags: from the Maildir info (":2,FS" → \Flagged \Seen), or an mbox's Status/X-Status header. */
  readonly flags: readonly string[];
  /** Delivery time: the file mtime (Maildir, .eml) or the date of the mbox From_ line. */
  readonly internalDate?: Date;
}

export type SourceKind = 'eml' | 'mbox' | 'maildir' | 'eml-dir';

/** How much of a file is looked at to tell an mbox from a single message. */
const SNIFF_BYTES = 1024;

/** A first line that looks like a header field ("Name:" — obsolete spaces before the colon allowed). */
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

const MBOX_NAME = /(^mbox$|\.(mbox|mbx)$)/i;

async function sniff(path: string): Promise<Buffer> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw unreadable(path, err);
  }
}

/**
 * What kind of source `path` is. Directories: a Maildir when they hold cur/ or
 * new/, else an eml-dir when any .eml file is below them. Files: an mbox when
 * they start with "From ", else a single message when named *.eml or when they
 * start with a header field; an empty file counts by its name (*.eml, *.mbox, mbox).
 *
 * Throws LocalSourceError 'SOURCE_UNREADABLE' (missing or unreadable) or
 * 'SOURCE_UNKNOWN' (none of these).
 */
export async function detectSource(path: string): Promise<SourceKind> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw unreadable(path, err, errnoCode(err) === 'ENOENT' ? 'no message source at' : 'cannot read');
  }
  if (info.isDirectory()) {
    if (await isMaildir(path)) return 'maildir';
    if ((await findEmlFiles(path, { firstOnly: true })).length > 0) return 'eml-dir';
    throw new LocalSourceError(
      'SOURCE_UNKNOWN',
      path,
      `not a message source: ${path} is a directory without cur/ or new/ (Maildir) and without .eml files`,
    );
  }
  if (!info.isFile()) {
    throw new LocalSourceError('SOURCE_UNKNOWN', path, `not a message source: ${path} is neither a file nor a directory`);
  }
  const head = await sniff(path);
  const name = basename(path);
  if (head.length === 0) {
    if (isEmlName(name)) return 'eml';
    if (MBOX_NAME.test(name)) return 'mbox';
    throw new LocalSourceError('SOURCE_UNKNOWN', path, `not a message source: ${path} is empty`);
  }
  if (head.subarray(0, 5).toString('latin1') === 'From ') return 'mbox';
  if (isEmlName(name)) return 'eml';
  const firstLine = head.toString('latin1').split(/\r?\n/, 1)[0]!;
  if (HEADER_LINE.test(firstLine)) return 'eml';
  throw new LocalSourceError(
    'SOURCE_UNKNOWN',
    path,
    `not a message source: ${path} is neither an mbox (no leading "From " line) nor a message (no header field on the first line)`,
  );
}

/**
 * The messages of a source, streamed one at a time (an mbox is never read whole).
 * Order is deterministic: file-name order within a Maildir folder (INBOX first,
 * then subfolders by name), file order in an mbox, path order in an eml-dir.
 * Errors (LocalSourceError) surface on the first iteration.
 */
export function readSource(path: string): AsyncIterableIterator<LocalMessage> {
  return sourceIterator(path);
}

function openSource(kind: SourceKind, path: string): AsyncGenerator<LocalMessage> {
  switch (kind) {
    case 'eml':
      return readEmlFile(path);
    case 'mbox':
      return isEmlName(basename(path)) ? readEmlWithFromLine(path) : readMbox(path);
    case 'maildir':
      return readMaildir(path);
    case 'eml-dir':
      return readEmlDir(path);
  }
}

/**
 * An .eml file that starts with a "From " line (saved by a mail client, or by formail) is read
 * as an mbox, so that line is not taken for part of the message. It is still one message: its
 * id is the plain path, as for any .eml file, not "path#1". Only a file that really holds
 * several messages keeps the "path#N" ids. One message is read ahead to tell.
 */
async function* readEmlWithFromLine(path: string): AsyncGenerator<LocalMessage> {
  const messages = readMbox(path);
  try {
    const first = await messages.next();
    if (first.done) return;
    const second = await messages.next();
    if (second.done) {
      yield { ...first.value, id: path };
      return;
    }
    yield first.value;
    yield second.value;
    yield* messages;
  } finally {
    await messages.return(undefined);
  }
}

/**
 * The reader of the detected kind, handed each call as it is (not wrapped in another async
 * generator: a generator per layer costs a promise round per message). One pass, like the
 * async generator this used to be: iterating it again continues where it was.
 */
function sourceIterator(path: string): AsyncIterableIterator<LocalMessage> {
  const finished: IteratorReturnResult<undefined> = { done: true, value: undefined };
  let inner: AsyncGenerator<LocalMessage> | undefined;
  let opening: Promise<AsyncGenerator<LocalMessage>> | undefined;
  // After return(), or after the source failed to open (that error is thrown once).
  let closed = false;
  return {
    next() {
      if (closed) return Promise.resolve(finished);
      if (inner !== undefined) return inner.next();
      opening ??= detectSource(path).then((kind) => (inner = openSource(kind, path)));
      return opening.then(
        (gen) => (closed ? finished : gen.next()),
        (err: unknown) => {
          if (closed) return finished;
          closed = true;
          throw err;
        },
      );
    },
    return(value?: unknown) {
      closed = true;
      return inner !== undefined ? inner.return(value) : Promise.resolve({ done: true, value: value as undefined });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** The folders of a source: for a Maildir 'INBOX' plus every subfolder name; for the others ['INBOX']. */
export async function listFolders(path: string): Promise<string[]> {
  return (await detectSource(path)) === 'maildir' ? listMaildirFolders(path) : ['INBOX'];
}
