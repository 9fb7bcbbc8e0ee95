/** Plain data shared by the IMAP connector's modules and its users (daemon, executor). */

/** One IMAP account as the configuration describes it. The password never appears in errors or logs. */
export interface ImapAccountConfig {
  /** The account's name in the configuration; used in messages. */
  name: string;
  host: string;
  port: number;
  /**
   * implicit: TLS from the first byte (usually port 993). starttls: plaintext greeting, then
   * STARTTLS is required (a server that does not offer it is an error). none: plaintext, which
   * is refused for non-loopback hosts unless `allowInsecure`.
   */
  tls: 'implicit' | 'starttls' | 'none';
  user: string;
  password: string;
  allowInsecure?: boolean;
}

/** How a watcher learns about changes, best first. */
export type WatchMode = 'notify' | 'idle' | 'poll';

/** What the watcher last knew about one mailbox (from STATUS, LIST-STATUS or SELECT). */
export interface MailboxState {
  /** Normalized path as the server lists it, `/`-separated on Dovecot ("Lists/dev", "INBOX"). */
  mailbox: string;
  uidNext: number;
  /** 32-bit by RFC 3501, so a plain number (imapflow itself hands out a BigInt). */
  uidValidity: number;
  /** Only when the server has CONDSTORE. A BigInt: mod-sequences are 63-bit (RFC 7162). */
  highestModseq?: bigint;
  messages?: number;
}

/** What told the watcher about a change. */
export type ChangeSource =
  /** first look after start() */
  | 'initial'
  /** first look after a reconnect: whatever changed while the connection was down */
  | 'reconnect'
  /** an unsolicited STATUS from NOTIFY */
  | 'notify'
  /** EXISTS/EXPUNGE during IDLE, followed up by LIST-STATUS */
  | 'idle'
  /** the periodic LIST-STATUS (idle and poll modes) */
  | 'poll'
  /** the periodic full LIST-STATUS in notify mode, a safety net */
  | 'resync'
  /** seen after one of our own commands (fetchNew, withMailbox) touched the mailbox */
  | 'operation';

export interface MailboxChange extends MailboxState {
  account: string;
  /** The state before; undefined the first time this mailbox is seen. */
  previous?: MailboxState;
  /** True when UIDVALIDITY differs from `previous`: every stored UID of this mailbox is void. */
  uidValidityChanged: boolean;
  source: ChangeSource;
  at: Date;
}

/** One message from fetchNew(). */
export interface FetchedMessage {
  mailbox: string;
  uid: number;
  uidValidity: number;
  /** Only when the server has CONDSTORE. */
  modseq?: bigint;
  flags: string[];
  internalDate: Date;
  /** RFC822.SIZE of the whole message, also when only the header was fetched. */
  size: number;
  /** The whole message (BODY.PEEK[]) or only its header including the blank line (BODY.PEEK[HEADER]). */
  raw: Uint8Array;
  headersOnly: boolean;
  /** Message-ID without angle brackets, when the header has one. */
  messageId?: string;
}

/** Snapshot from MailboxWatcher.status(). */
export interface WatcherStatus {
  account: string;
  phase: 'stopped' | 'connecting' | 'watching' | 'reconnecting';
  /** Effective mode of the current (or last) connection; undefined before the first one. */
  mode?: WatchMode;
  /** The watch specs as given (names and LIST patterns). */
  watching: string[];
  /** Time of the last server event of any kind (NOTIFY STATUS, EXISTS, poll answer). */
  lastEventAt?: Date;
  /** Time of the last emitted change. */
  lastChangeAt?: Date;
  connectedAt?: Date;
  /** Successful connections after the first one. */
  reconnects: number;
  /** The mailbox selected right now, if any (notify mode: only while a command runs). */
  selectedMailbox?: string;
  /** True while an IDLE command is running (idle mode, between commands). */
  idling: boolean;
  /** Tagged command completions seen on the current connection (a cheap command counter). */
  commandsCompleted: number;
  lastError?: { code: string; message: string; at: Date };
  mailboxes: MailboxState[];
}
