/** Loads the differential cases: cases/<NNN-name>/{rules.sieve, message.eml | case.json "message", case.json}. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseConfig, DiffCase, PigeonholeResult } from './types.js';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const CASES_DIR = join(HERE, 'cases');
export const SNAPSHOT_PATH = join(HERE, 'pigeonhole-results.json');

export function loadCase(name: string): DiffCase {
  const dir = join(CASES_DIR, name);
  const config = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseConfig;
  if (!config.envelopeFrom || !config.envelopeTo) throw new Error(`${name}: case.json needs envelopeFrom and envelopeTo`);
  if (config.compare !== 'actions' && config.compare !== 'status') throw new Error(`${name}: compare must be "actions" or "status"`);
  const messagePath = config.message ? resolve(dir, config.message) : join(dir, 'message.eml');
  return {
    ...config,
    name,
    dir,
    mailboxes: config.mailboxes ?? [],
    script: readFileSync(join(dir, 'rules.sieve')),
    message: readFileSync(messagePath),
  };
}

export function loadCases(): DiffCase[] {
  return readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(CASES_DIR, d.name, 'case.json')))
    .map((d) => d.name)
    .sort()
    .map(loadCase);
}

export interface Snapshot {
  /** dovecot-sieve package version that produced the results. */
  pigeonhole: string;
  cases: Record<string, PigeonholeResult>;
}

export function loadSnapshot(): Snapshot {
  if (!existsSync(SNAPSHOT_PATH)) return { pigeonhole: 'none', cases: {} };
  return JSON.parse(readFileSync(SNAPSHOT_PATH, 'utf8')) as Snapshot;
}
