import { parseMessage } from '../../src/runtime/message/parse.js';
import type { MessageView } from '../../src/runtime/message/types.js';

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Bytes of a string whose characters are all <= U+00FF (ISO-8859-1). */
export function latin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Parse a message written with "\n"; line ends are turned into CRLF unless `lf` is set. */
export function msg(text: string, lf = false): MessageView {
  return parseMessage(utf8(lf ? text : text.replace(/\r?\n/g, '\r\n')));
}
