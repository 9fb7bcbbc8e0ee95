/**
 * Which way a watcher learns about changes, from the server's capabilities: NOTIFY (RFC 5465),
 * else IDLE (RFC 2177) plus LIST-STATUS polling, else polling only. Pure.
 */
import type { NotifyFilter } from './commands.js';
import { isPattern } from './mailbox-state.js';
import type { WatchMode } from './types.js';

const ORDER: readonly WatchMode[] = ['notify', 'idle', 'poll'];

/** The best mode the server supports, never better than `requested`. */
export function chooseMode(capabilities: ReadonlyMap<string, unknown>, requested: WatchMode | 'auto'): WatchMode {
  for (const mode of ORDER.slice(requested === 'auto' ? 0 : ORDER.indexOf(requested))) {
    if (mode === 'notify' && capabilities.has('NOTIFY')) return mode;
    if (mode === 'idle' && capabilities.has('IDLE')) return mode;
  }
  return 'poll';
}

/**
 * NOTIFY filters to try, in order. Literal names only: `mailboxes (...)`, then `personal` as a
 * fallback (a server may refuse a name that does not exist). Any pattern: `personal` only; the
 * watcher filters the STATUS lines itself, so mailboxes created later that match count too.
 */
export function notifyFilters(specs: readonly string[], normalize: (name: string) => string): NotifyFilter[] {
  if (specs.some(isPattern)) return [{ kind: 'personal' }];
  return [{ kind: 'mailboxes', mailboxes: specs.map(normalize) }, { kind: 'personal' }];
}
