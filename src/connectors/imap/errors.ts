/**
 * Turning imapflow and socket errors into MailsiftErrors with a stable code and one line of
 * text. Messages name the account, host and user, never the password; the original error is
 * kept as `cause`, with the fields that could echo a command line removed.
 */
import { MailsiftError, type ErrorCode } from '../../errors.js';

/** The fields of an imapflow error this module reads. */
interface ImapFlowErrorLike {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  responseStatus?: string;
  responseText?: string;
  serverResponseCode?: string;
  mailboxMissing?: boolean;
  executedCommand?: string;
  _err?: unknown;
}

export interface ErrorPlace {
  account: string;
  host: string;
  port: number;
}

export function where(place: ErrorPlace): string {
  return `IMAP account "${place.account}" (${place.host}:${place.port})`;
}

/** Node/OpenSSL codes that mean the TLS layer (not the network) failed. */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH|EPROTO$)/;

/** Connection-level imapflow codes: the session is gone, a reconnect may help. */
const LOST_CODES = new Set(['NoConnection', 'EConnectionClosed', 'StateLogout', 'ETIMEOUT', 'ECONNRESET', 'EPIPE', 'ClosedAfterConnectText', 'ClosedAfterConnectTLS']);

function asLike(err: unknown): ImapFlowErrorLike {
  return err && typeof err === 'object' ? (err as ImapFlowErrorLike) : { message: String(err) };
}

/** Removes what could carry a command line (imapflow redacts the password there, but belt and braces). */
export function scrub(err: unknown): unknown {
  if (err && typeof err === 'object' && 'executedCommand' in err) {
    try {
      delete (err as ImapFlowErrorLike).executedCommand;
    } catch {
      // frozen or exotic error object: leave it
    }
  }
  return err;
}

function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** Short reason from an imapflow/socket error, e.g. "connect ECONNREFUSED 127.0.0.1:1". */
export function reasonOf(err: unknown): string {
  const e = asLike(err);
  const inner = asLike(e._err);
  const text = oneLine(e.responseText) || oneLine(e.message) || oneLine(inner.message) || 'unknown error';
  const code = e.code && !text.includes(e.code) ? ` [${e.code}]` : '';
  return `${text}${code}`;
}

export function isTlsError(err: unknown): boolean {
  const e = asLike(err);
  const inner = asLike(e._err);
  return !!e.tlsFailed || TLS_CODES.test(e.code ?? '') || TLS_CODES.test(inner.code ?? '') || /STARTTLS/i.test(e.message ?? '');
}

export function isConnectionLost(err: unknown): boolean {
  return LOST_CODES.has(asLike(err).code ?? '');
}

/** Classifies a failure of connect() (connect, greeting, TLS, login). */
export function connectError(err: unknown, place: ErrorPlace & { user: string }): MailsiftError {
  const e = asLike(err);
  if (err instanceof MailsiftError) return err;
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return new MailsiftError(
      'IMAP_AUTH_FAILED',
      `${where(place)}: login as "${place.user}" refused: wrong user name or password (server: ${oneLine(e.responseText) || 'no reason given'})`,
      { cause: scrub(err) },
    );
  }
  if (isTlsError(err)) {
    return new MailsiftError('IMAP_TLS_FAILED', `${where(place)}: TLS failed: ${reasonOf(err)}`, { cause: scrub(err) });
  }
  return new MailsiftError('IMAP_CONNECT_FAILED', `${where(place)}: cannot connect: ${reasonOf(err)}`, { cause: scrub(err) });
}

/** Classifies a failure of a command on an established session. */
export function commandError(err: unknown, place: ErrorPlace, what: string, mailbox?: string): MailsiftError {
  if (err instanceof MailsiftError) return err;
  const e = asLike(err);
  const box = mailbox === undefined ? '' : ` in "${mailbox}"`;
  let code: ErrorCode = 'IMAP_COMMAND_FAILED';
  if (e.mailboxMissing || e.code === 'NotFound') code = 'IMAP_MAILBOX_MISSING';
  else if (isConnectionLost(err)) code = 'IMAP_CONNECTION_LOST';
  return new MailsiftError(code, `${where(place)}: ${what}${box} failed: ${reasonOf(err)}`, { cause: scrub(err) });
}

/**
 * Classifies a failure the watcher records as its last error: a background job's, or a closed
 * connection (`fallback` IMAP_CONNECTION_LOST: whatever closed it, the session is gone).
 */
export function watcherError(err: unknown, place: ErrorPlace, fallback: 'IMAP_COMMAND_FAILED' | 'IMAP_CONNECTION_LOST' = 'IMAP_COMMAND_FAILED'): MailsiftError {
  if (err instanceof MailsiftError) return err;
  if (fallback === 'IMAP_CONNECTION_LOST' || isConnectionLost(err)) {
    return new MailsiftError('IMAP_CONNECTION_LOST', `${where(place)}: connection lost: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  return commandError(err, place, 'background command');
}
