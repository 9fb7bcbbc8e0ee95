/**
 * Temporary directories for tests, removed after the test file's last test (vitest runs the
 * file's afterAll hooks then, this one after the file's own, which may still use them), and
 * at the latest when the worker exits. Without this, every run left thousands of
 * `mailsift-*` directories in /tmp.
 *
 *   const dir = tempDir('mailsift-cli-');   // mkdtemp in os.tmpdir(), removed after the file
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made = new Set<string>();

export function tempDir(prefix = 'mailsift-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes every directory tempDir() made so far in this process. */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}

// Imported while vitest collects a test file (each file runs in its own worker module graph,
// pool 'forks' with isolation): the hook lands on that file's root suite. Hooks after tests
// run in reverse order of registration, so the file's own afterAll (stop Dovecot, close a
// database in the directory) runs first.
afterAll(removeTempDirs);
process.once('exit', removeTempDirs);
