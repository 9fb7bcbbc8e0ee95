/** Shared by the extension tests: the mailboxes a dry run files into, asserting it ran cleanly. */
import { expect } from 'vitest';
import type { DryRunOutput } from '../../src/runtime/dry-run.js';

export function fileintoMailboxes(out: DryRunOutput): string[] {
  expect(out.error).toBeUndefined();
  return out.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}
