/** Reading a rules file, with a one-line error that says which file and why. */
import { readFile } from 'node:fs/promises';
import { MailsiftError } from '../errors.js';

export async function readRules(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new MailsiftError('RULES_UNREADABLE', `cannot read rules file ${file}: ${code === 'ENOENT' ? 'no such file' : (cause as Error).message}`, { cause });
  }
}
