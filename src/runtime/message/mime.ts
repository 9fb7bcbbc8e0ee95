/**
 * Synchronous MIME tree parser (RFC 2045, RFC 2046). Parts are byte slices of the message
 * (no copies); transfer and charset decoding happen only when a part's text is asked for.
 * Never throws: missing close delimiters, bad parameters and absurd nesting all degrade
 * to something usable.
 */
import type { HeaderField, MimePart } from './types.js';
import { latin1Encode, utf8Encode, utf8OrLatin1 } from './bytes.js';
import { decodeCharset } from './charset.js';
import { parseParamValue } from './content-type.js';
import { parseFields } from './header-block.js';
import { Field, splitHeader, unfold } from './header-fields.js';
import { decodeTransfer } from './transfer-encoding.js';

/** Deeper parts are opaque leaves: bounds recursion on hostile input. */
export const MAX_MIME_DEPTH = 50;

type DefaultType = 'text/plain' | 'message/rfc822';

/** RFC 2045 §5.1: type "/" subtype, both tokens (checked after lower-casing). */
const MEDIA_TYPE = /^[!#$%&'*+\-.^_`{|}~0-9a-z]+\/[!#$%&'*+\-.^_`{|}~0-9a-z]+$/;

class Part implements MimePart {
  children: MimePart[] = [];
  preamble = '';
  epilogue = '';
  // Private (#) caches, so that parts compare and serialise by their public data only.
  #text: string | undefined;
  #decoded: Uint8Array | undefined;

  constructor(
    readonly contentType: string,
    readonly params: Readonly<Record<string, string>>,
    readonly fields: readonly HeaderField[],
    readonly disposition: string,
    readonly dispositionParams: Readonly<Record<string, string>>,
    readonly transferEncoding: string,
    readonly rawBody: Uint8Array,
  ) {}

  decodedBytes(): Uint8Array {
    return (this.#decoded ??= decodeTransfer(this.rawBody, this.transferEncoding));
  }

  /**
   * text/* parts are converted from their charset (default us-ascii, RFC 2046 §4.1.2);
   * other leaves are read as UTF-8-or-latin1; multipart containers yield '' (their
   * content is in `children`, `preamble` and `epilogue`).
   */
  decodedText(): string {
    if (this.#text !== undefined) return this.#text;
    if (this.contentType.startsWith('multipart/')) return (this.#text = '');
    const bytes = this.decodedBytes();
    this.#text = this.contentType.startsWith('text/')
      ? decodeCharset(bytes, this.params['charset'] ?? 'us-ascii')
      : utf8OrLatin1(bytes);
    return this.#text;
  }
}

/** Parse the MIME structure of an entity given its header fields and body bytes. */
export function parseMime(fields: readonly HeaderField[], body: Uint8Array): MimePart {
  return parseEntity(fields, body, 0, 'text/plain');
}

function parseEntity(fields: readonly HeaderField[], body: Uint8Array, depth: number, dflt: DefaultType): Part {
  const ctField = first(fields, 'content-type');
  const ct = ctField === undefined ? undefined : parseParamValue(unfold(ctField.raw));
  let type: string;
  let params: Record<string, string>;
  if (ct !== undefined && MEDIA_TYPE.test(ct.value)) {
    type = ct.value;
    params = ct.params;
  } else {
    // RFC 2045 §5.2: no (or an invalid) Content-Type means "text/plain; charset=us-ascii",
    // RFC 2046 §5.1.5: no Content-Type in a multipart/digest means message/rfc822.
    type = ct === undefined ? dflt : 'text/plain';
    params = emptyParams();
    if (type === 'text/plain') params['charset'] = 'us-ascii';
  }
  const cdField = first(fields, 'content-disposition');
  const cd = cdField === undefined ? { value: '', params: emptyParams() } : parseParamValue(unfold(cdField.raw));
  const cteField = first(fields, 'content-transfer-encoding');
  const cte = cteField === undefined ? '' : parseParamValue(unfold(cteField.raw)).value;
  const part = new Part(type, params, fields, cd.value, cd.params, cte, body);
  if (depth >= MAX_MIME_DEPTH) return part;
  if (type.startsWith('multipart/')) {
    parseMultipart(part, ctField, depth, type === 'multipart/digest' ? 'message/rfc822' : 'text/plain');
  } else if (type === 'message/rfc822' || type === 'message/global') {
    // RFC 2046 §5.2.1: the body is a complete message (base64 is illegal here but seen).
    const inner = part.decodedBytes();
    const split = splitHeader(inner);
    const innerFields = parseFields(inner.subarray(0, split.headerEnd));
    part.children = [parseEntity(innerFields, inner.subarray(split.bodyStart), depth + 1, 'text/plain')];
  }
  return part;
}

function parseMultipart(part: Part, ctField: HeaderField | undefined, depth: number, dflt: DefaultType): void {
  const body = part.rawBody;
  const boundary = part.params['boundary'] ?? '';
  const delims = boundary === '' ? [] : findDelimiters(body, boundaryBytes(boundary, ctField));
  if (delims.length === 0) {
    // No delimiter: RFC 2046 gives no meaning to the text; keep it as the preamble.
    part.preamble = utf8OrLatin1(body);
    return;
  }
  part.preamble = utf8OrLatin1(body.subarray(0, lineEndBefore(body, delims[0]!.start, 0)));
  const children: MimePart[] = [];
  for (let k = 0; k < delims.length; k++) {
    const d = delims[k]!;
    if (d.close) {
      part.epilogue = utf8OrLatin1(body.subarray(d.after));
      break;
    }
    const next = delims[k + 1];
    // §5.1.1: the CRLF before a delimiter belongs to the delimiter, not to the part.
    const end = next === undefined ? body.length : lineEndBefore(body, next.start, d.after);
    children.push(parsePartBytes(body.subarray(d.after, end), depth + 1, dflt));
  }
  part.children = children;
}

function parsePartBytes(bytes: Uint8Array, depth: number, dflt: DefaultType): Part {
  const split = splitHeader(bytes);
  return parseEntity(parseFields(bytes.subarray(0, split.headerEnd)), bytes.subarray(split.bodyStart), depth, dflt);
}

interface Delimiter {
  /** Index of the first "-" of the delimiter line. */
  readonly start: number;
  /** Index just after the delimiter line (its line break included). */
  readonly after: number;
  readonly close: boolean;
}

/**
 * RFC 2046 §5.1.1: a delimiter is a line "--" boundary, optionally "--" (close), then
 * optional transport padding (whitespace). Scanning stops at the close delimiter.
 */
function findDelimiters(body: Uint8Array, b: Uint8Array): Delimiter[] {
  const out: Delimiter[] = [];
  const len = body.length;
  let ls = 0;
  while (ls < len) {
    if (body[ls] === 0x2d && body[ls + 1] === 0x2d && matchAt(body, ls + 2, b)) {
      let p = ls + 2 + b.length;
      const close = body[p] === 0x2d && body[p + 1] === 0x2d;
      if (close) p += 2;
      const after = delimiterLineEnd(body, p, len);
      if (after >= 0) {
        out.push({ start: ls, after, close });
        if (close) break;
      }
    }
    const nl = body.indexOf(0x0a, ls);
    if (nl < 0) break;
    ls = nl + 1;
  }
  return out;
}

/**
 * Where the line of a delimiter ends, from `p` just after "--boundary" (and "--"): past
 * optional spaces and tabs, the index after its LF or CRLF (or the end of the body), or
 * -1 when something else follows. Every operation runs on every call: a CRLF delimiter
 * after LF ones (or trailing spaces) used to run a test V8 had never seen, which threw
 * away findDelimiters' optimised code (then compiled again).
 */
function delimiterLineEnd(body: Uint8Array, p: number, len: number): number {
  let q = p - 1;
  do q++;
  while (q < len && (body[q] === 0x20 || body[q] === 0x09));
  const q1 = q + 1;
  const q2 = q1 + 1;
  const c = q < len ? body[q]! : -1;
  const next = q1 < len ? body[q1]! : -1;
  const crlfEnd = q2 < len ? q2 : len;
  const lf = c === 0x0a;
  const cr = c === 0x0d;
  const crEnd = next === 0x0a || next === -1;
  if (q >= len) return len;
  if (lf) return q1;
  return cr && crEnd ? crlfEnd : -1;
}

function matchAt(body: Uint8Array, at: number, b: Uint8Array): boolean {
  if (at + b.length > body.length) return false;
  for (let i = 0; i < b.length; i++) if (body[at + i] !== b[i]) return false;
  return true;
}

/** Position before the line break that ends at `pos` (CRLF or LF), not before `min`. */
function lineEndBefore(body: Uint8Array, pos: number, min: number): number {
  let e = pos;
  if (e > min && body[e - 1] === 0x0a) {
    e--;
    if (e > min && body[e - 1] === 0x0d) e--;
  }
  return e;
}

/** The boundary as bytes, encoded the way its header line was decoded (it should be ASCII). */
function boundaryBytes(boundary: string, ctField: HeaderField | undefined): Uint8Array {
  return ctField instanceof Field && ctField.latin1 ? latin1Encode(boundary) : utf8Encode(boundary);
}

function first(fields: readonly HeaderField[], lname: string): HeaderField | undefined {
  for (const f of fields) if (f.lname === lname) return f;
  return undefined;
}

function emptyParams(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}
