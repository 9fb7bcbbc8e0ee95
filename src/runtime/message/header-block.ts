/**
 * The fields of a header block (RFC 5322 §2.2, §3.6; obsolete syntax §4.5), split lazily.
 *
 * One pass over the block records where each field's name and value start and end, and
 * creates no strings. A Field (name, lower-case name, raw value) is made only when it is
 * asked for: by name (`named`, what header tests use) or all at once (`fields`, for the
 * MIME parser, editheader and `fields()`). A script asks for a few dozen names per
 * message, most of which the message does not carry, while the message carries ~30 fields,
 * half of them Received lines that no rule reads: those are never made.
 */
import { latin1Decode, tryUtf8 } from './bytes.js';
import { Field, fieldNameEnd } from './header-fields.js';

const FOLDED = 1;
const LATIN1 = 2;
/** Numbers per field in HeaderBlock.bounds: name start, name end, value start, value end, flags. */
const STRIDE = 5;
const NONE: readonly Field[] = [];

export class HeaderBlock {
  /** Fields made so far, by position. */
  private readonly made: (Field | undefined)[];

  private constructor(
    private readonly text: string,
    private readonly bounds: readonly number[],
  ) {
    this.made = new Array<Field | undefined>(bounds.length / STRIDE);
  }

  /**
   * Header bytes are read as UTF-8 when valid (RFC 6532), else line by line as
   * UTF-8-or-latin1 so that raw 8-bit legacy headers keep their characters. Lines that are
   * neither a field nor a continuation are skipped.
   */
  static parse(block: Uint8Array): HeaderBlock {
    // A UTF-8 byte order mark before the first field would make its name invalid.
    const start = block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf ? 3 : 0;
    const bytes = start ? block.subarray(start) : block;
    const text = tryUtf8(bytes);
    if (text !== null) return new HeaderBlock(text, scan(text, NO_LINES));
    const lines: string[] = [];
    const latin = new Set<number>();
    let pos = 0;
    while (pos < bytes.length) {
      let nl = bytes.indexOf(0x0a, pos);
      if (nl < 0) nl = bytes.length;
      const line = bytes.subarray(pos, nl);
      const asUtf8 = tryUtf8(line);
      lines.push(asUtf8 ?? latin1Decode(line));
      if (asUtf8 === null) latin.add(lines.length - 1);
      pos = nl + 1;
    }
    const joined = lines.join('\n');
    return new HeaderBlock(joined, scan(joined, latin));
  }

  /** Every field, in order: a new list each call (the message view keeps the one it asked for). */
  fields(): Field[] {
    const all = new Array<Field>(this.made.length);
    for (let i = 0; i < all.length; i++) all[i] = this.field(i);
    return all;
  }

  /**
   * The fields whose lower-cased name is `lname`, in order. Field names are printable ASCII,
   * so comparing them folded A-Z to a-z equals comparing their toLowerCase().
   */
  named(lname: string): readonly Field[] {
    const { text, bounds } = this;
    const len = lname.length;
    let out: Field[] | undefined;
    for (let f = 0, b = 0; b < bounds.length; f++, b += STRIDE) {
      const start = bounds[b]!;
      if (bounds[b + 1]! - start !== len) continue;
      let i = 0;
      while (i < len) {
        let c = text.charCodeAt(start + i);
        if (c >= 65 && c <= 90) c += 32;
        if (c !== lname.charCodeAt(i)) break;
        i++;
      }
      if (i < len) continue;
      (out ??= []).push(this.field(f));
    }
    return out ?? NONE;
  }

  private field(f: number): Field {
    const made = this.made[f];
    if (made !== undefined) return made;
    const b = f * STRIDE;
    const { text, bounds } = this;
    const name = text.slice(bounds[b]!, bounds[b + 1]!);
    let raw = text.slice(bounds[b + 2]!, bounds[b + 3]!);
    const flags = bounds[b + 4]!;
    // Folds are kept, normalised to CRLF whatever the store used (without a regex for the
    // common LF-only store: then every LF is a bare one).
    if ((flags & FOLDED) !== 0) raw = raw.indexOf('\r') < 0 ? raw.replaceAll('\n', '\r\n') : raw.replace(/\r?\n/g, '\r\n');
    return (this.made[f] = new Field(name, name.toLowerCase(), raw, (flags & LATIN1) !== 0));
  }
}

/** The fields of a block, as HeaderBlock.parse splits them. */
export function parseFields(block: Uint8Array): Field[] {
  return HeaderBlock.parse(block).fields();
}

/**
 * No line read as latin1. A set, always asked, rather than an array read only for 8-bit
 * headers: a read V8 first sees in a late message throws scan's optimised code away.
 */
const NO_LINES: ReadonlySet<number> = new Set();

/**
 * Field bounds in decoded header text; `latin` holds the numbers of lines that were read
 * as latin1. A value ends before the CR of its last line's CRLF (or its LF).
 */
function scan(text: string, latin: ReadonlySet<number>): number[] {
  const bounds: number[] = [];
  const len = text.length;
  let pos = 0;
  let lineNo = 0;
  // The field being collected: name start/end, value start/end, flags.
  let nStart = 0;
  let nEnd = 0;
  let vStart = -1;
  let vEnd = 0;
  let flags = 0;
  while (pos < len) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = len;
    let end = nl;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    const c = text.charCodeAt(pos);
    const lineLatin = latin.has(lineNo);
    if (c === 32 || c === 9) {
      // RFC 5322 §2.2.3: a line starting with WSP continues the previous field. After a
      // skipped line (vStart < 0) it is skipped as well.
      if (vStart >= 0) {
        vEnd = end;
        flags |= FOLDED | (lineLatin ? LATIN1 : 0);
      }
    } else {
      if (vStart >= 0) bounds.push(nStart, nEnd, vStart, vEnd, flags);
      vStart = -1;
      const colon = text.indexOf(':', pos);
      if (colon > pos && colon < end) {
        const e = fieldNameEnd(text, pos, colon);
        if (e > pos) {
          nStart = pos;
          nEnd = e;
          vStart = colon + 1;
          vEnd = end;
          flags = lineLatin ? LATIN1 : 0;
        }
      }
    }
    pos = nl + 1;
    lineNo++;
  }
  if (vStart >= 0) bounds.push(nStart, nEnd, vStart, vEnd, flags);
  return bounds;
}
