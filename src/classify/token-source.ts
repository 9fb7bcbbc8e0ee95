/**
 * What the tokenizer reads of a raw message (training, `mailsift classify`): the message
 * view for its decoded headers, and a MIME tree built from the three fields the MIME
 * parser reads at the top (Content-Type, -Disposition, -Transfer-Encoding) instead of from
 * the whole field list. MessageView.mime() parses the tree from every field, which makes a
 * Field object (name, value slice, unfolded copy) for each of the ~30 fields of a message;
 * half are Received lines, which the tokenizer reads by name anyway. parseMime only looks
 * at the first field of each of those three names, so the tree is the same part for part
 * (only the root's `fields`, which the tokenizer does not read, lists fewer), and the
 * fields are the view's own: no header is decoded twice.
 *
 * A rule (src/extensions/classify.ts) tokenizes the view it is given: its mime() may
 * already be parsed for other tests. Pure: no Node module.
 */
import { splitHeader } from '../runtime/message/header-fields.js';
import { parseMime } from '../runtime/message/mime.js';
import { parseMessage } from '../runtime/message/parse.js';
import type { HeaderField, MessageView, MimePart } from '../runtime/message/types.js';

/** A message as the tokenizer reads it. */
export interface TokenSource {
  readonly view: MessageView;
  /** The raw message. */
  readonly bytes: Uint8Array;
  /** Where the body starts in the raw bytes (after the blank line). */
  readonly bodyStart: number;
  /** The MIME tree (parsed on first use). */
  mime(): MimePart;
}

/** The fields parseMime reads of an entity's header (mime.ts, parseEntity). */
const MIME_FIELDS = ['content-type', 'content-disposition', 'content-transfer-encoding'];

/** A raw message (no mbox "From " line) read for tokenizing. */
export function tokenSource(raw: Uint8Array): TokenSource {
  const split = splitHeader(raw); // once, for the view and the body
  const view = parseMessage(raw, split);
  const bodyStart = split.bodyStart;
  let root: MimePart | undefined;
  return {
    view,
    bytes: raw,
    bodyStart,
    mime: () => (root ??= parseMime(mimeFields(view), raw.subarray(bodyStart))),
  };
}

function mimeFields(view: MessageView): readonly HeaderField[] {
  let out: HeaderField[] | undefined;
  for (const name of MIME_FIELDS) {
    const named = view.fieldsNamed(name);
    if (named.length > 0) (out ??= []).push(...named);
  }
  return out ?? [];
}
