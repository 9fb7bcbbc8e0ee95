/**
 * Single-message files: one .eml file, or a directory tree of them (files whose
 * name ends in ".eml", any case, found recursively and sorted by relative path).
 * Hidden entries (".git", ".DS_Store"...) are skipped; symbolic links to files
 * are followed, links to directories are not (no loops).
 */

import { readdir, stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { unreadable } from './errors.js';
import { compareNames } from './maildir.js';
import { readFileWithMtime } from './read-file.js';
import type { LocalMessage } from './source.js';

const EML = /\.eml$/i;

/** Whether a file name has the .eml extension (any case). */
export function isEmlName(name: string): boolean {
  return EML.test(name);
}

/** One .eml file as a message of folder INBOX; internal date from the file's mtime. */
export async function readEmlMessage(path: string): Promise<LocalMessage> {
  try {
    const { raw, mtime } = readFileWithMtime(path);
    return { id: path, raw, folder: 'INBOX', flags: [], internalDate: mtime };
  } catch (err) {
    throw unreadable(path, err);
  }
}

export async function* readEmlFile(path: string): AsyncGenerator<LocalMessage> {
  yield await readEmlMessage(path);
}

async function entriesOf(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw unreadable(dir, err, 'cannot list');
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Paths of the .eml files below `dir`, sorted by their path relative to `dir`
 * (code-unit order). With `firstOnly`, stops at the first one found (for detection).
 */
export async function findEmlFiles(dir: string, options: { firstOnly?: boolean } = {}): Promise<string[]> {
  const found: { rel: string; path: string }[] = [];
  const walk = async (current: string, rel: string): Promise<boolean> => {
    const entries = (await entriesOf(current)).sort((a, b) => compareNames(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(current, entry.name);
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (await walk(path, relPath)) return true;
      } else if (isEmlName(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && (await isFile(path))))) {
        found.push({ rel: relPath, path });
        if (options.firstOnly) return true;
      }
    }
    return false;
  };
  await walk(dir, '');
  return found.sort((a, b) => compareNames(a.rel, b.rel)).map((f) => f.path);
}

/** Every .eml file below `dir`, in sorted order, as messages of folder INBOX. */
export async function* readEmlDir(dir: string): AsyncGenerator<LocalMessage> {
  for (const path of await findEmlFiles(dir)) yield await readEmlMessage(path);
}
