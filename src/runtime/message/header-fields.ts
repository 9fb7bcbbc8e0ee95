/**
 * Header fields (RFC 5322 §2.2, §3.6; obsolete syntax §4.5): the Field class, where the
 * header block ends, field names, unfolding and decoded values. Splitting a block into
 * fields is header-block.ts. Values are decoded only when asked for, and then cached on
 * the field.
 */
import type { AddressField, HeaderField } from './types.js';
import { decodeWords } from './decode-words.js';

/** A parsed or added header field. `latin1` remembers how its bytes were decoded. */
export class Field implements HeaderField {
  // Private (#) so that a field compares and serialises as plain {name, lname, raw}.
  #cached: string | undefined;
  #addresses: AddressField | undefined;
  readonly #latin1: boolean;

  constructor(
    readonly name: string,
    readonly lname: string,
    readonly raw: string,
    latin1: boolean,
  ) {
    this.#latin1 = latin1;
  }

  /** True when the field's bytes were not valid UTF-8 and were read as ISO-8859-1. */
  get latin1(): boolean {
    return this.#latin1;
  }

  /** Unfolded, trimmed, RFC 2047 decoded value (see decodeHeaderValue). */
  value(): string {
    return (this.#cached ??= decodeHeaderValue(this.raw));
  }

  /**
   * The field as an address list, built by `parse` on first use and kept here (a slot, not a
   * WeakMap: fields are created by the thousand, and forks share them and the work).
   */
  addressField(parse: (field: Field) => AddressField): AddressField {
    return (this.#addresses ??= parse(this));
  }
}

/** Where the header block ends and the body starts, in bytes. */
export interface HeaderSplit {
  /** End of the header block: just after the LF of its last line (the blank line excluded). */
  readonly headerEnd: number;
  /** Start of the body: just after the blank line, or raw.length when there is none. */
  readonly bodyStart: number;
}

/**
 * RFC 5322 §2.1: the header ends at the first empty line (CRLF CRLF, or LF LF for
 * LF-only stores). No empty line means the whole message is header; a leading empty
 * line means there is no header at all.
 */
export function splitHeader(raw: Uint8Array): HeaderSplit {
  const len = raw.length;
  if (raw[0] === 0x0a) return { headerEnd: 0, bodyStart: 1 };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { headerEnd: 0, bodyStart: 2 };
  let nl = raw.indexOf(0x0a);
  while (nl >= 0 && nl + 1 < len) {
    const c = raw[nl + 1];
    if (c === 0x0a) return { headerEnd: nl + 1, bodyStart: nl + 2 };
    if (c === 0x0d && raw[nl + 2] === 0x0a) return { headerEnd: nl + 1, bodyStart: nl + 3 };
    nl = raw.indexOf(0x0a, nl + 1);
  }
  return { headerEnd: len, bodyStart: len };
}

/**
 * Where the field name between `start` and the colon ends, or -1 when it is not a valid
 * field name: RFC 5322 §3.6.8 ftext is printable ASCII except ':'; §4.5 (obs-optional)
 * allows whitespace before the colon, which is dropped.
 */
export function fieldNameEnd(text: string, start: number, colon: number): number {
  let e = colon;
  while (e > start && (text.charCodeAt(e - 1) === 32 || text.charCodeAt(e - 1) === 9)) e--;
  if (e === start) return -1;
  for (let i = start; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) return -1;
  }
  return e;
}

/** True when `name` is a valid RFC 5322 field name. */
export function isValidFieldName(name: string): boolean {
  return name.length > 0 && !name.includes(':') && fieldNameEnd(name, 0, name.length) === name.length;
}

/**
 * Unfold as Dovecot Pigeonhole does (MESSAGE_HEADER_PARSER_FLAG_CLEAN_ONELINE): each
 * [CR]LF plus the one WSP character that follows it becomes a single space, so a
 * CRLF TAB fold reads as one space. RFC 5322 §2.2.3 would only drop the CRLF.
 */
export function unfold(raw: string): string {
  return raw.indexOf('\n') < 0 ? raw : raw.replace(/\r?\n[ \t]?/g, ' ');
}

/** Trim SP, TAB, CR and LF (not the wider set String.prototype.trim strips, e.g. NBSP). */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  // do-while: the decrement runs on every call and is undone once. Trailing whitespace is
  // rare, and a `b--` V8 had never seen run made the optimised code of every caller bail
  // out at the first value that has some (then compiled again).
  b++;
  do b--;
  while (b > a && isWsp(s.charCodeAt(b - 1)));
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function isWsp(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/** What header() yields for one raw value: unfolded, trimmed, RFC 2047 decoded. */
export function decodeHeaderValue(raw: string): string {
  const v = trimWsp(unfold(raw));
  return v.indexOf('=?') < 0 ? v : decodeWords(v);
}

/** The decoded value of any field (cached for fields this module parsed). */
export function fieldValue(field: HeaderField): string {
  return field instanceof Field ? field.value() : decodeHeaderValue(field.raw);
}
