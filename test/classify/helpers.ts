/** Shared helpers of the classifier tests (and the daemon's classify tests): fixtures, trained models, temp model dirs, message builders. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelStore } from '../../src/classify/store/model-store.js';
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

/**
 * Creates a model in `dir` trained on every message of fixtures/train, in one batch, and
 * returns `dir`. `buckets` are trained in this order, which gives them their ids.
 */
export function trainFixtureModel(dir: string, buckets: readonly ('spam' | 'ham')[] = ['spam', 'ham']): string {
  const model = ModelStore.open(dir, { create: true });
  try {
    const batch = model.batch();
    for (const b of buckets) for (const f of fixtureFiles('train', b)) batch.train(b, readFileSync(f));
    batch.commit();
  } finally {
    model.close();
  }
  return dir;
}

/** A fixture file with the Message-ID `<messageId>` in place of its own (first), and `extra` header lines after it. */
export function withMessageId(file: string, messageId: string, extra = ''): Buffer {
  const raw = readFileSync(file, 'latin1').replace(/^Message-ID:.*\r?\n/im, '');
  return Buffer.from(`Message-ID: <${messageId}>\r\n${extra}${raw}`, 'latin1');
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
