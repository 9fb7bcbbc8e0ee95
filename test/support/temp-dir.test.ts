/**
 * test/support/temp-dir.ts: every temporary directory a test file makes through it (or
 * through the classifier's and the state tests' helpers, which use it) is gone after the
 * file's tests. A child vitest runs fixtures/temp-dir/leak.fixture.ts, which reports the
 * directories it made and checks they exist while it runs.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { tempDir } from './temp-dir.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

it('removes the directories after the test file, including the helpers of the classifier and state tests', async () => {
  const home = tempDir('mailsift-tempdir-test-');
  const tmp = join(home, 'tmp');
  mkdirSync(tmp);
  const report = join(home, 'made.txt');
  const { stdout } = await run(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', join(ROOT, 'test/support/fixtures/temp-dir/vitest.config.ts')], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: tmp, MAILSIFT_TEMPDIR_REPORT: report, CI: '1' },
  });
  expect(stdout).toMatch(/2 passed/);
  const made = readFileSync(report, 'utf8').trim().split('\n');
  expect(made).toHaveLength(4);
  expect(made.every((d) => d.startsWith(tmp))).toBe(true);
  expect(made.filter((d) => existsSync(d))).toEqual([]);
});
