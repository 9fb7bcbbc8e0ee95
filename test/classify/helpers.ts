/** Shared helpers of the classifier tests: fixtures, temp model dirs, message builders. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir as sharedTempDir } from '../support/temp-dir.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function fixture(...parts: string[]): Uint8Array {
  return readFileSync(join(FIXTURES, ...parts));
}

/** The .eml files of fixtures/<split>/<bucket>, sorted. */
export function fixtureFiles(split: 'train' | 'test', bucket: 'spam' | 'ham'): string[] {
  const dir = join(FIXTURES, split, bucket);
  return readdirSync(dir).sort().map((f) => join(dir, f));
}

/** A temporary directory, removed after the test file (test/support/temp-dir.ts). */
export function tempDir(prefix = 'mailsift-classify-'): string {
  return sharedTempDir(prefix);
}

/** A small message; `id` becomes its Message-ID. */
export function message(options: { id?: string; from?: string; subject?: string; body: string; headers?: string }): Uint8Array {
  const lines = [
    `From: ${options.from ?? 'someone@example.com'}`,
    'To: me@example.org',
    `Subject: ${options.subject ?? 'hello'}`,
    ...(options.id === undefined ? [] : [`Message-ID: <${options.id}>`]),
    ...(options.headers === undefined ? [] : [options.headers]),
    '',
    options.body,
    '',
  ];
  return new TextEncoder().encode(lines.join('\r\n'));
}
