/**
 * mailsift's one error class for I/O and operational failures (user mistakes in
 * rules are diagnostics instead). Each error has a stable code from this table;
 * the message is one line that says what and where; `cause` is kept.
 */
export const ERROR_CODES = {
  RULES_UNREADABLE: 'a rules file cannot be read',
  RULES_INVALID: 'a rules file does not compile',
  SOURCE_UNREADABLE: 'a message source cannot be read',
  USAGE: 'the command line is wrong',
  IMAP_CONNECT_FAILED: 'an IMAP server cannot be reached, or did not greet (refused, DNS, timeout)',
  IMAP_AUTH_FAILED: 'an IMAP server refused the user name or password',
  IMAP_TLS_FAILED: 'TLS to an IMAP server failed: certificate, handshake, or STARTTLS not offered',
  IMAP_INSECURE_REFUSED: 'plaintext IMAP (tls = "none") to a non-loopback host without allowInsecure',
  IMAP_CONNECTION_LOST: 'an IMAP connection dropped, or is not up, while a command needed it',
  IMAP_MAILBOX_MISSING: 'an IMAP mailbox does not exist',
  IMAP_UIDVALIDITY_CHANGED: 'an IMAP mailbox was recreated (UIDVALIDITY changed): stored UIDs are void',
  IMAP_COMMAND_FAILED: 'an IMAP command was refused or failed',
  IMAP_MOVE_FAILED: 'moving, copying or deleting a message on an IMAP server failed (the message stays where it was)',
  IMAP_FLAGS_FAILED: 'setting flags on an IMAP message failed',
  IMAP_APPEND_FAILED: 'storing a message into an IMAP mailbox (APPEND) was refused or failed',
  IMAP_APPEND_UNVERIFIED: 'an appended message could not be found again (no APPENDUID, no match by Message-ID): the source is kept',
  IMAP_MESSAGE_GONE: 'the message is no longer in its mailbox (expunged by someone else)',
  POP3_CONNECT_FAILED: 'a POP3 server cannot be reached, or did not greet (refused, DNS, timeout)',
  POP3_AUTH_FAILED: 'a POP3 server refused the user name or password',
  POP3_TLS_FAILED: 'TLS to a POP3 server failed: certificate, handshake, or STLS not offered',
  POP3_INSECURE_REFUSED: 'plaintext POP3 (tls = "none") to a non-loopback host without allowInsecure',
  POP3_CONNECTION_LOST: 'a POP3 connection dropped or timed out in the middle of a session',
  POP3_COMMAND_FAILED: 'a POP3 command was refused (-ERR) or its answer was malformed',
  STORE_WRITE_FAILED: 'writing a message into a local Maildir or mbox failed',
  STORE_LOCKED: 'an mbox file stayed locked by another program (dotlock timeout)',
  ACTION_TARGET_INVALID: 'an action names an account that does not exist or cannot store messages',
  OUTBOUND_NOT_CONFIGURED: 'an outbound action (redirect, vacation, notify, reject, pipe) has no handler configured',
  OUTBOUND_FAILED: 'an outbound action handler failed',
  OUTBOUND_REFUSED: 'an outbound action was refused by policy (mail loop, redirect to oneself, rate limit): the message stays',
  SMTP_SEND_FAILED: 'the outgoing SMTP server could not be reached or refused a message (redirect, vacation, mailto)',
  SMS_SEND_FAILED: 'the SMS provider (Twilio) refused a message or could not be reached',
  PIPE_FAILED: 'a pipe program is not allowed, failed, timed out or printed too much',
  CONFIG_UNREADABLE: 'the configuration file cannot be read',
  CONFIG_INVALID: 'the configuration file has problems (one line per problem; see ConfigError.problems)',
  SECRET_COMMAND_FAILED: 'a password/token command failed, timed out or could not start (its output is never shown)',
  SECRET_UNREADABLE: 'a password/token file cannot be read, or its environment variable is not set',
  SECRET_EMPTY: 'a password/token source gave an empty value',
  STATE_UNAVAILABLE: 'the state database cannot be created, opened or read',
  STATE_SCHEMA_TOO_NEW: 'the state database was written by a newer mailsift',
  STATE_MISUSE: 'the state API was called wrongly (a bug in the caller)',
  STATE_UNWRITABLE: 'the state database refused a write (a full disk, a failing or read-only file system): nothing is acted on until it can record it',
  MODEL_UNAVAILABLE: 'a classifier model cannot be created, opened or read',
  MODEL_UNWRITABLE: 'a classifier model cannot be written (a full disk, a failing or read-only file system): it is left as it was',
  MODEL_INVALID: 'a classifier model or bucket name is unusable (bad name, newer schema, other tokenizer)',
  DAEMON_LOCKED: 'another mailsift daemon is using the same state directory',
  SWEEP_UNSUPPORTED: 'this sweep cannot run (a local store swept without --dry-run, an account type that cannot be swept)',
  SMTP_LISTEN_FAILED: 'an smtp-intake listener cannot start: address in use, or its TLS key/certificate cannot be read',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class MailsiftError extends Error {
  override readonly name = 'MailsiftError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
