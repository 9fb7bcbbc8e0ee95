/**
 * Errors of the local connectors. Each carries a stable `code` (callers and tests
 * key on it, never on the wording) and a one-line message saying what and where.
 */

export type LocalErrorCode =
  /** The path does not exist, or cannot be listed or read. */
  | 'SOURCE_UNREADABLE'
  /** The path exists but is neither an .eml file, an mbox, a Maildir nor a directory of .eml files. */
  | 'SOURCE_UNKNOWN'
  /** deliverToMaildir: the target Maildir or folder does not exist and `create` was not set; a local sweep: no such folder. */
  | 'MAILBOX_MISSING'
  /** deliverToMaildir: the folder name cannot be stored (empty part, '.', '..', a dot in a Maildir++ name...). */
  | 'MAILBOX_NAME_INVALID'
  /** deliverToMaildir: writing, syncing or renaming the message failed. */
  | 'MAILBOX_UNWRITABLE';

export class LocalSourceError extends Error {
  override readonly name = 'LocalSourceError';
  readonly code: LocalErrorCode;
  /** The file or directory the error is about. */
  readonly path: string;

  constructor(code: LocalErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}

/** Short reason for a Node fs error ("no such file or directory"), for one-line messages. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'not a directory';
    case 'EISDIR': return 'is a directory';
    case 'ELOOP': return 'too many symbolic links';
    case 'ENOSPC': return 'no space left on device';
    case 'EROFS': return 'read-only file system';
    case 'EMFILE':
    case 'ENFILE': return 'too many open files';
    default: {
      const msg = err instanceof Error ? err.message : String(err);
      return code !== undefined ? `${code}: ${msg}` : msg;
    }
  }
}

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * An fsync of a directory refused because the filesystem cannot sync directories at all
 * (EINVAL, ENOTSUP: fsync(2)): nothing better is possible there, so a store passes over it.
 * Any other failure (EIO) means the new name may not survive a crash: the store fails.
 */
export function dirSyncUnsupported(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'EINVAL' || code === 'ENOTSUP' || code === 'EOPNOTSUPP';
}

/** Wrap an fs failure while reading a source. */
export function unreadable(path: string, err: unknown, what = 'cannot read'): LocalSourceError {
  return new LocalSourceError('SOURCE_UNREADABLE', path, `${what} ${path}: ${describeFsError(err)}`, { cause: err });
}
