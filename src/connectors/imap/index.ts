/** The IMAP connector: connecting (connect.ts), watching and fetching (watch.ts), reconnect delays (backoff.ts). */
export { Backoff, backoffCeiling, backoffDelay, type BackoffOptions } from './backoff.js';
export { connectImap, imapFlowOptions, isLoopbackHost, type ConnectOptions, type ImapLogger } from './connect.js';
export { MailboxWatcher, type FetchNewOptions, type WatcherEvents, type WatcherOptions } from './watch.js';
export { chooseMode } from './mode.js';
export type { ChangeSource, FetchedMessage, ImapAccountConfig, MailboxChange, MailboxState, WatchMode, WatcherStatus } from './types.js';
