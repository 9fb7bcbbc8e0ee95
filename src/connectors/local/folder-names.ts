/**
 * Folder names on disk. Maildir++ keeps every folder as a flat sibling of the
 * root named ".Foo.Bar" (folder "Foo/Bar"); non-ASCII names are stored in IMAP
 * modified UTF-7 (RFC 3501 §5.1.3), as Dovecot and Courier do.
 */

/** Decode one modified-UTF-7 name; null when it is not valid modified UTF-7 (the caller keeps it as is). */
export function decodeModifiedUtf7(name: string): string | null {
  if (!name.includes('&')) return name;
  let out = '';
  let i = 0;
  while (i < name.length) {
    const c = name[i]!;
    if (c !== '&') {
      out += c;
      i++;
      continue;
    }
    const end = name.indexOf('-', i + 1);
    if (end < 0) return null;
    const b64 = name.slice(i + 1, end);
    i = end + 1;
    if (b64 === '') {
      out += '&';
      continue;
    }
    if (!/^[A-Za-z0-9+,]+$/.test(b64)) return null;
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    if (bytes.length === 0 || bytes.length % 2 !== 0) return null;
    for (let j = 0; j < bytes.length; j += 2) out += String.fromCharCode((bytes[j]! << 8) | bytes[j + 1]!);
  }
  return out;
}

/** Encode a name in modified UTF-7: printable ASCII stays, '&' becomes "&-", the rest is base64 of UTF-16BE. */
export function encodeModifiedUtf7(name: string): string {
  let out = '';
  let run = '';
  const flush = (): void => {
    if (run === '') return;
    const bytes = Buffer.alloc(run.length * 2);
    for (let j = 0; j < run.length; j++) bytes.writeUInt16BE(run.charCodeAt(j), j * 2);
    out += '&' + bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
    run = '';
  };
  for (const c of name) {
    const code = c.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += c === '&' ? '&-' : c;
    } else {
      run += c;
    }
  }
  flush();
  return out;
}

/** Decode one directory name (a folder path part); invalid modified UTF-7 is kept verbatim. */
export function decodeDirName(name: string): string {
  return decodeModifiedUtf7(name) ?? name;
}

/** ".Foo.Bar" → "Foo/Bar". */
export function maildirPlusToFolder(dirName: string): string {
  return dirName.slice(1).split('.').map(decodeDirName).join('/');
}

/** Is `folder` the Maildir root ("INBOX", any case)? */
export function isInbox(folder: string): boolean {
  return folder.toUpperCase() === 'INBOX';
}

/**
 * Split a folder name into path parts, or return a reason why it cannot name a
 * directory below the root (empty parts, '.', '..', control characters).
 */
export function folderParts(folder: string): string[] | string {
  if (folder === '') return 'the folder name is empty';
  const parts = folder.split('/');
  for (const part of parts) {
    if (part === '') return 'the folder name has an empty part';
    if (part === '.' || part === '..') return `the folder name has a "${part}" part`;
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f\\]/.test(part)) return 'the folder name has a control character or a backslash';
  }
  return parts;
}
