/**
 * The messages every source must carry byte for byte (conformance suite, README.md): CRLF line
 * ends with 8-bit bytes, a line far beyond RFC 5322's 998-octet limit, no final newline,
 * lines that start with a dot (POP3 and SMTP dot-stuff them, RFC 1939 §3, RFC 5321 §4.5.2),
 * and MIME that does not parse cleanly. Each has a unique Message-ID and Subject, so a case
 * can pick its own messages out of a mailbox that other cases use too.
 */

export type Shape = 'crlf-8bit' | 'long-line' | 'no-final-newline' | 'dot-lines' | 'malformed-mime';
export const SHAPES: readonly Shape[] = ['crlf-8bit', 'long-line', 'no-final-newline', 'dot-lines', 'malformed-mime'];

export interface TestMessage {
  readonly id: string;
  readonly subject: string;
  readonly shape: Shape;
  readonly raw: Buffer;
}

let counter = 0;

const latin1 = (s: string) => Buffer.from(s, 'latin1');

function body(shape: Shape): Buffer {
  switch (shape) {
    case 'crlf-8bit':
      return latin1('Gr\xfc\xdfe aus K\xf6ln, \xe9t\xe9 \xe0 Montr\xe9al.\r\nA raw byte: \xff\r\n');
    case 'long-line':
      return latin1(`${'0123456789'.repeat(500)}\r\nshort line after 5000 octets\r\n`);
    case 'no-final-newline':
      return latin1('first line\r\nthe last line has no CRLF');
    case 'dot-lines':
      return latin1('.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n. space after a dot\r\n');
    case 'malformed-mime':
      // A multipart whose closing boundary never comes, a part with broken base64, and a
      // header line without a colon in a part.
      return latin1('preamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nneedle in the first part\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nno colon on this header line\r\n\r\n!!!not*base64@@@\r\n');
  }
}

/** One message of `shape`; `file` puts "[file]" in the Subject (the suite's rules file those). */
export function testMessage(shape: Shape, label: string, options: { file?: boolean } = {}): TestMessage {
  const n = ++counter;
  const id = `conf.${label}.${shape}.${n}.${process.pid}@example.test`;
  const subject = `conf ${label} ${shape} ${n}${options.file ? ' [file]' : ''}`;
  const contentType = shape === 'malformed-mime' ? 'multipart/mixed; boundary="b1"' : 'text/plain; charset=iso-8859-1';
  const head = `From: Sender <sender@example.test>\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: Thu, 08 Jan 2026 09:15:02 +0000\r\nMIME-Version: 1.0\r\nContent-Type: ${contentType}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`;
  return { id, subject, shape, raw: Buffer.concat([latin1(head), body(shape)]) };
}

/** The Message-ID of stored bytes (without brackets), or undefined. */
export function messageIdOf(raw: Buffer): string | undefined {
  const head = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n')) || raw.length).toString('latin1');
  return /^Message-ID:\s*<([^>]+)>/im.exec(head)?.[1];
}
