/**
 * The identity of a trained message: its Message-ID plus a hash of its body, so that a
 * message trained twice (the same file again, its copy in another folder, its IMAP copy
 * with other flags) counts once, while two messages that share a Message-ID but not a
 * body (a resent, edited message) are two.
 */
import crypto from 'node:crypto';
import { messageIdOf } from '../../runtime/message/message-id.js';
import { splitHeader } from '../../runtime/message/header-fields.js';
import type { MessageView } from '../../runtime/message/types.js';

/**
 * "<id@host> sha256-hex-prefix"; a message without a Message-ID is keyed by its body alone.
 * The body is hashed without CRs and without trailing line ends and blanks: the same
 * message read from an .eml file, from an mbox (which drops the last line end) or from an
 * IMAP server (CRLF) gets the same key. `bodyStart` is where the body starts in `raw`,
 * when the caller has found it already (token-source.ts).
 */
export function messageKey(message: MessageView, raw: Uint8Array, bodyStart = splitHeader(raw).bodyStart): string {
  const id = message.header('message-id').map(messageIdOf).find((x) => x !== undefined) ?? '';
  const digest = sha256Hex(normalizedBody(raw.subarray(bodyStart))).slice(0, 32);
  return `${id} ${digest}`;
}

/** One-shot crypto.hash (Node 20.12+: no Hash object per message), else createHash: the same SHA-256. */
const sha256Hex: (data: Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

function normalizedBody(body: Uint8Array): Uint8Array {
  let end = body.length;
  while (end > 0 && (body[end - 1] === 0x0a || body[end - 1] === 0x0d || body[end - 1] === 0x20 || body[end - 1] === 0x09)) end--;
  if (body.indexOf(0x0d) < 0) return body.subarray(0, end);
  const out = new Uint8Array(end);
  let o = 0;
  for (let i = 0; i < end; i++) if (body[i] !== 0x0d) out[o++] = body[i]!;
  return out.subarray(0, o);
}
