/**
 * body: RFC 5173. `body [COMPARATOR] [MATCH-TYPE] [BODY-TRANSFORM] <keys>` matches
 * the body: :raw the undecoded text after the header, :content <types> the decoded
 * MIME parts of those types, :text (the default) the text parts, with HTML reduced to
 * text. Status: complete.
 *
 * The parts are those Pigeonhole 0.5.19 lists, in document order (measured with
 * sieve-test): every leaf part; for a multipart, its preamble and (when not empty) its
 * epilogue as parts of the multipart's type, never its children's text; for a
 * message/rfc822 part, the header of the enclosed message, its body being a part of
 * its own. A part without the blank line that ends its header has no body and is
 * skipped, so a message that is all header fails even `body :contains ""`, while an
 * empty body after the blank line matches it; :raw on an empty body matches nothing.
 *
 * - a type without "/" matches the main type ("text" is text/*), with "/" the whole type,
 *   "" every part; an invalid Content-Type makes a part's type "" (seen only by "");
 * - :text = :content ["text", "application/xhtml+xml"], with text/html and XHTML
 *   converted as Dovecot does (lib/html-text.ts);
 * - decoding: transfer encoding undone; the charset parameter (of any part type) is
 *   converted, a missing, us-ascii or unknown charset is read as UTF-8 (bad bytes U+FFFD);
 * - Pigeonhole's body test never sets the match variables ${1}..: neither do we.
 */
import { defineExtension, defineTest } from './define.js';
import { htmlText } from './lib/html-text.js';
import { decodeCharset, isKnownCharset } from '../runtime/message/charset.js';
// Not the message index: that would load html-to-text, which nothing here uses.
import { parseParamValue } from '../runtime/message/content-type.js';
import { unfold } from '../runtime/message/header-fields.js';
import type { MimePart } from '../runtime/message/types.js';
import type { MatchSpec, Runtime } from '../runtime/runtime.js';
import type { Str } from '../runtime/strings.js';

type Transform = { readonly kind: 'raw' } | { readonly kind: 'text' } | { readonly kind: 'content'; readonly types: readonly Str[] };

interface BodyArgs {
  readonly transform: Transform;
  readonly keys: readonly Str[];
  readonly match: MatchSpec;
}

/** One entry of Pigeonhole's part list: a type and how to get its decoded text. */
interface BodyItem {
  readonly type: string;
  readonly leaf?: MimePart;
  readonly text?: string;
}

const TEXT_TYPES = ['text', 'application/xhtml+xml'];
const MEDIA_TYPE = /^[!#$%&'*+\-.^_`{|}~0-9a-z]+\/[!#$%&'*+\-.^_`{|}~0-9a-z]+$/;
const utf8 = new TextDecoder('utf-8');

function wanted(types: readonly string[], type: string): boolean {
  const main = type.split('/')[0]!;
  return types.some((w) => w === '' || (w.includes('/') ? w.toLowerCase() === type : w.toLowerCase() === main));
}

/** Pigeonhole's view of a part's type: text/plain when absent, '' when unparsable. */
function typeOf(part: MimePart): string {
  const field = part.fields.find((f) => f.lname === 'content-type');
  if (!field) return 'text/plain';
  // The MIME parser read this same field: any type but its text/plain fallback is the
  // field's own valid type (so no second parse).
  if (part.contentType !== 'text/plain') return part.contentType;
  const value = parseParamValue(unfold(field.raw)).value.toLowerCase();
  return MEDIA_TYPE.test(value) ? value : '';
}

/**
 * Did the part's header end with a blank line? An empty body is ambiguous in the MIME
 * view, so look at the bytes around where the body starts (rawBody is a view into the
 * message, or into a decoded message/rfc822 body): a blank line just before it, or a
 * header line ending just before it and followed by the blank line whose CRLF the next
 * multipart delimiter took. Bytes outside the message are never looked at.
 */
function hasBody(part: MimePart, message: Uint8Array): boolean {
  const body = part.rawBody;
  if (body.length > 0) return true;
  const own = body.buffer === message.buffer;
  const lo = own ? message.byteOffset : 0;
  const hi = own ? message.byteOffset + message.byteLength : body.buffer.byteLength;
  const bytes = new Uint8Array(body.buffer);
  const at = body.byteOffset;
  const byte = (i: number): number | undefined => (i >= lo && i < hi ? bytes[i] : undefined);
  if (byte(at - 1) !== 0x0a) return false;
  const lineStart = byte(at - 2) === 0x0d ? at - 2 : at - 1;
  if (lineStart <= lo || byte(lineStart - 1) === 0x0a) return true;
  return byte(at) === 0x0a || (byte(at) === 0x0d && byte(at + 1) === 0x0a);
}

/** The header of an enclosed message as Pigeonhole gives it: its lines, CRLF-terminated. */
function headerText(part: MimePart): string {
  return part.fields.map((f) => `${f.name}:${f.raw.replace(/\r?\n/g, '\r\n')}\r\n`).join('');
}

function collect(part: MimePart, message: Uint8Array, out: BodyItem[]): void {
  const type = typeOf(part);
  const body = hasBody(part, message);
  if (part.contentType.startsWith('multipart/')) {
    if (body) out.push({ type, text: part.preamble });
    for (const child of part.children) collect(child, message, out);
    if (body && part.epilogue !== '') out.push({ type, text: part.epilogue });
  } else if (part.children.length > 0) {
    // message/rfc822: the enclosed header is this part's content. Inside a
    // multipart/digest (no Content-Type) Pigeonhole sees text/plain and no content.
    if (body) out.push(type === 'message/rfc822' ? { type, text: headerText(part.children[0]!) } : { type, text: '' });
    for (const child of part.children) collect(child, message, out);
  } else if (body) {
    out.push({ type, leaf: part });
  }
}

/** Decoded texts per part, kept while the message view lives: scripts often test the body repeatedly. */
const decodedCache = new WeakMap<MimePart, string>();
const htmlCache = new WeakMap<MimePart, string>();

function decoded(part: MimePart): string {
  let text = decodedCache.get(part);
  if (text !== undefined) return text;
  if (!part.decodedBytes) text = part.decodedText();
  else {
    const charset = part.params['charset'];
    const bytes = part.decodedBytes();
    text = charset !== undefined && isKnownCharset(charset) ? decodeCharset(bytes, charset) : utf8.decode(bytes);
  }
  decodedCache.set(part, text);
  return text;
}

function asText(part: MimePart): string {
  let text = htmlCache.get(part);
  if (text === undefined) htmlCache.set(part, (text = htmlText(decoded(part))));
  return text;
}

function bodyValues(transform: Transform, rt: Runtime): string[] {
  if (transform.kind === 'raw') {
    const raw = rt.message.rawBody();
    return raw === '' ? [] : [raw];
  }
  const types = transform.kind === 'text' ? TEXT_TYPES : rt.strings(transform.types);
  const items: BodyItem[] = [];
  collect(rt.message.mime(), rt.message.raw, items);
  const values: string[] = [];
  for (const item of items) {
    if (!wanted(types, item.type)) continue;
    if (!item.leaf) {
      values.push(item.text ?? '');
      continue;
    }
    const html = item.type === 'text/html' || item.type === 'application/xhtml+xml';
    values.push(transform.kind === 'text' && html ? asText(item.leaf) : decoded(item.leaf));
  }
  return values;
}

const body = defineTest<BodyArgs>({
  // body [COMPARATOR] [MATCH-TYPE] [BODY-TRANSFORM] <key-list: string-list>
  // BODY-TRANSFORM = :raw / :content <content-types: string-list> / :text
  signature: {
    positional: [{ name: 'keys', kind: 'string-list' }],
    tags: { raw: { group: 'transform' }, content: { arg: 'string-list', group: 'transform' }, text: { group: 'transform' } },
    match: true,
  },
  needsBody: true,
  lower(call) {
    const content = call.tag('content');
    const transform: Transform =
      content !== undefined && content !== true ? { kind: 'content', types: content.list! } : call.tag('raw') ? { kind: 'raw' } : { kind: 'text' };
    return { transform, keys: call.positional[0]!.list!, match: call.match };
  },
  test(args, rt) {
    const values = bodyValues(args.transform, rt);
    // No capture: Pigeonhole leaves ${1}.. as they were after a body match.
    return rt.match(args.match, values, args.keys, { capture: false });
  },
});

export const bodyExtension = defineExtension({
  name: 'body',
  spec: 'RFC 5173',
  tests: { body },
});
