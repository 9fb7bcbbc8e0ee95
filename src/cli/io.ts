/** The CLI's edges: reading rules files and writing output, with one-line errors. */
import { readFile } from 'node:fs/promises';
import { MailsiftError } from '../errors.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processOutput: Output = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

export async function readRules(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new MailsiftError('RULES_UNREADABLE', `cannot read rules file ${file}: ${code === 'ENOENT' ? 'no such file' : (cause as Error).message}`, { cause });
  }
}
