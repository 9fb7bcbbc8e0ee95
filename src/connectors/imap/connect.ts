/**
 * Opening one authenticated IMAP session for an account (imapflow underneath). Policy lives
 * here: certificate checks on, plaintext only to loopback unless the account says
 * `allowInsecure`, STARTTLS mandatory when asked for, imapflow's own logging off, and every
 * failure a MailsiftError with a stable code (IMAP_CONNECT_FAILED / IMAP_AUTH_FAILED /
 * IMAP_TLS_FAILED / IMAP_INSECURE_REFUSED).
 */
import type { ConnectionOptions } from 'node:tls';
import { ImapFlow, type ImapFlowOptions, type Logger } from 'imapflow';
import { MailsiftError } from '../../errors.js';
import { connectError, where } from './errors.js';
import type { ImapAccountConfig } from './types.js';

/** pino-compatible logger; only info/warn/error reach it (debug/trace carry protocol lines). */
export type ImapLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface ConnectOptions {
  /** Extra Node TLS options, e.g. `ca` for a private CA. Certificates are verified unless this says `rejectUnauthorized: false`. */
  tls?: ConnectionOptions;
  /** TCP + TLS handshake budget. Default 20 000 ms. */
  connectionTimeoutMs?: number;
  /** Default 16 000 ms. */
  greetingTimeoutMs?: number;
  /** Inactivity watchdog of imapflow. Default 300 000 ms; keep keepalives well below it. */
  socketTimeoutMs?: number;
  /** Default: no logging at all. */
  logger?: ImapLogger | false;
  /** Passed through to imapflow (the watcher sets disableAutoIdle and maxIdleTime). */
  clientOptions?: Pick<ImapFlowOptions, 'disableAutoIdle' | 'maxIdleTime' | 'autoIdleDelay' | 'disableCompression' | 'qresync' | 'id'>;
}

/** Loopback by name or address, without DNS: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127(\.\d{1,3}){3}$/.test(h)) return true;
  if (/^::ffff:127(\.\d{1,3}){3}$/.test(h)) return true;
  return h === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(h);
}

function quietLogger(logger: ImapLogger): Logger {
  const noop = () => {};
  return {
    trace: noop,
    debug: noop,
    info: (obj: unknown) => logger.info(obj),
    warn: (obj: unknown) => logger.warn(obj),
    error: (obj: unknown) => logger.error(obj),
    fatal: (obj: unknown) => logger.error(obj),
  };
}

/** The imapflow options for an account, after the security checks. Exported for tests. */
export function imapFlowOptions(account: ImapAccountConfig, options: ConnectOptions = {}): ImapFlowOptions {
  if (account.tls === 'none' && !account.allowInsecure && !isLoopbackHost(account.host)) {
    throw new MailsiftError(
      'IMAP_INSECURE_REFUSED',
      `${where({ account: account.name, host: account.host, port: account.port })}: tls = "none" sends the password in plaintext; allowed only to loopback hosts unless allowInsecure = true`,
    );
  }
  const tlsOptions: ConnectionOptions = { rejectUnauthorized: true, ...options.tls };
  return {
    host: account.host,
    port: account.port,
    secure: account.tls === 'implicit',
    // imapflow: true = STARTTLS or fail, false = never upgrade. Never the "opportunistic" default.
    doSTARTTLS: account.tls === 'starttls' ? true : account.tls === 'none' ? false : undefined,
    tls: tlsOptions,
    auth: { user: account.user, pass: account.password },
    logger: options.logger ? quietLogger(options.logger) : false,
    clientInfo: { name: 'mailsift' },
    connectionTimeout: options.connectionTimeoutMs ?? 20_000,
    greetingTimeout: options.greetingTimeoutMs ?? 16_000,
    socketTimeout: options.socketTimeoutMs ?? 300_000,
    ...options.clientOptions,
  };
}

/**
 * Connects and logs in. Resolves with a ready ImapFlow (authenticated, nothing selected) that
 * already has an 'error' listener, so a late socket error cannot crash the process; watch its
 * 'close' event. Rejects with a MailsiftError.
 */
export async function connectImap(account: ImapAccountConfig, options: ConnectOptions = {}): Promise<ImapFlow> {
  const client = new ImapFlow(imapFlowOptions(account, options));
  // imapflow emits 'error' before 'close'; an EventEmitter 'error' without listener throws.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw connectError(err, { account: account.name, host: account.host, port: account.port, user: account.user });
  }
  noDelay(client);
  return client;
}

/**
 * TCP_NODELAY on the session's socket(s): IMAP is request/response with small lines, and
 * Nagle's algorithm would hold a short write back while an earlier one is unacknowledged
 * (RFC 896), waiting on the peer's delayed ACK. Node leaves Nagle on by default and imapflow
 * does not turn it off. `socket` is the TCP socket, `writeSocket` the TLS layer over it when
 * there is one; both are imapflow internals, hence the guarded access.
 */
function noDelay(client: ImapFlow): void {
  const internals = client as unknown as { socket?: { setNoDelay?: (on: boolean) => unknown }; writeSocket?: { setNoDelay?: (on: boolean) => unknown } };
  for (const s of [internals.socket, internals.writeSocket]) s?.setNoDelay?.(true);
}
