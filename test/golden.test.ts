/**
 * Golden fixtures: one folder per case, test/fixtures/<case>/{rules.sieve, message.eml,
 * expected.json}. expected.json holds the status, the exact action list, and for
 * errors the phase, code and line (never the wording).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRun } from '../src/runtime/dry-run.js';

const ROOT = join(import.meta.dirname, 'fixtures');
const cases = readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, 'rules.sieve')));

describe('golden fixtures', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('%s', (name) => {
    const dir = join(ROOT, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
    const options = existsSync(join(dir, 'options.json')) ? JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) : {};
    const out = dryRun(readFileSync(join(dir, 'rules.sieve'), 'utf8'), readFileSync(join(dir, 'message.eml')), {
      envelopeFrom: 'alice@example.com',
      envelopeTo: 'me@example.com',
      now: new Date('2026-01-05T12:00:00Z'),
      ...options,
    });
    expect(out.status).toBe(expected.status);
    expect(out.actions).toEqual(expected.actions);
    if (expected.error) expect(out.error).toMatchObject(expected.error);
  });
});
