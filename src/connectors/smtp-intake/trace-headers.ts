/**
 * The trace fields the final delivery MTA adds (RFC 5321 §4.4): a Return-Path with the
 * MAIL FROM path, and a Received line saying who handed the message over. They are
 * prepended to the message exactly as received; nothing else in it is changed.
 *
 *   Return-Path: <alice@example.com>
 *   Received: from client.helo ([127.0.0.1]) by mx.local (mailsift) with ESMTP id <id>
 *           for <me@example.com>; Tue, 05 May 2026 10:00:00 +0200
 */
import type { IntakeEnvelope, IntakeSession } from './server.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** RFC 5322 §3.3 date-time in local time with its offset. */
export function rfc5322Date(d: Date): string {
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${DAYS[d.getDay()]}, ${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

/** RFC 3848 protocol types: ESMTP, plus S for TLS and A for AUTH. */
function protocol(session: IntakeSession): string {
  return `ESMTP${session.secure ? 'S' : ''}${session.user !== undefined ? 'A' : ''}`;
}

/** A HELO name goes into a header: keep only what a domain or address literal may contain. */
function safeHelo(helo: string): string {
  const clean = helo.replace(/[^A-Za-z0-9.\-:[\]_]/g, '');
  return clean === '' ? 'unknown' : clean.slice(0, 255);
}

/** The line ending the message itself uses (CRLF unless its first line ends in a bare LF). */
function lineEnding(raw: Uint8Array): string {
  const lf = raw.indexOf(0x0a);
  return lf > 0 && raw[lf - 1] !== 0x0d ? '\n' : '\r\n';
}

export function traceHeaders(envelope: IntakeEnvelope, session: IntakeSession, serverName: string, now: Date, raw: Uint8Array): string {
  const eol = lineEnding(raw);
  const forClause = envelope.rcptTo.length === 1 ? `${eol}\tfor <${envelope.rcptTo[0]}>` : '';
  return (
    `Return-Path: <${envelope.mailFrom}>${eol}` +
    `Received: from ${safeHelo(session.helo)} ([${session.remoteIp}])${eol}\tby ${serverName} (mailsift) with ${protocol(session)} id ${session.id}${forClause};${eol}\t${rfc5322Date(now)}${eol}`
  );
}

/** The message as stored: the trace fields, then the bytes exactly as received. */
export function stamp(envelope: IntakeEnvelope, session: IntakeSession, serverName: string, now: Date, raw: Buffer): Buffer {
  return Buffer.concat([Buffer.from(traceHeaders(envelope, session, serverName, now, raw), 'utf8'), raw]);
}
