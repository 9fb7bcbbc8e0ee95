/** Temporary state directories, removed after each test file (the shared helper, test/support/temp-dir.ts). */
import { tempDir as sharedTempDir } from '../../support/temp-dir.js';

export function tempDir(prefix = 'mailsift-state-'): string {
  return sharedTempDir(prefix);
}
