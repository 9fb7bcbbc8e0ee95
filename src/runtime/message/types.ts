/**
 * The message view: what rules see of one message. Pure data access, no I/O.
 *
 * The header block is scanned up front (where each field starts and ends, no strings
 * made); fields are made when a test asks for their name, and the body and its MIME
 * structure are parsed only when a test asks for them, so that header-only scripts
 * stay fast.
 */

/** One header field as it stands in the message (or as editheader left it). */
export interface HeaderField {
  /** Field name with its original case. */
  readonly name: string;
  /** Lower-cased name, for lookups. */
  readonly lname: string;
  /** The raw value after the colon, still folded, not decoded (no trailing CRLF). */
  readonly raw: string;
}

/** One mailbox from an address header (RFC 5322 §3.4). */
export interface MailAddress {
  /** Display name, RFC 2047 decoded, or '' when there is none. */
  readonly name: string;
  /** The addr-spec as written ("local@domain"), without angle brackets. */
  readonly address: string;
  readonly localPart: string;
  /** Domain without brackets; '' when the address has no '@'. */
  readonly domain: string;
  /** Name of the enclosing group, when the mailbox sits inside one. */
  readonly group?: string;
}

/** All addresses of one header field, or a note that it could not be parsed. */
export interface AddressField {
  readonly field: HeaderField;
  /** Unfolded, decoded text of the whole field (what `:all` falls back to). */
  readonly text: string;
  readonly addresses: readonly MailAddress[];
  /** True when the field held something that is not a valid address list. */
  readonly invalid: boolean;
}

/** One leaf or container of the MIME tree, for the body and mime tests. */
export interface MimePart {
  /** Lower-case "type/subtype"; defaults per RFC 2045 §5.2 (text/plain, or message/rfc822 under multipart/digest). */
  readonly contentType: string;
  /** Content-Type parameters, RFC 2231 continuations and charsets decoded; keys lower-case. */
  readonly params: Readonly<Record<string, string>>;
  readonly fields: readonly HeaderField[];
  /** Content-Disposition type (lower-case) or ''. */
  readonly disposition: string;
  readonly dispositionParams: Readonly<Record<string, string>>;
  /** Nested parts for multipart/* (and the enclosed message for message/rfc822). */
  readonly children: readonly MimePart[];
  /** Raw, undecoded bytes of the part body (after its header). */
  readonly rawBody: Uint8Array;
  /** Text before the first boundary / after the last one (multipart only), else ''. */
  readonly preamble: string;
  readonly epilogue: string;
  /** Body with the transfer encoding undone and the charset converted to a JS string (text parts). */
  decodedText(): string;
  /** Lower-case Content-Transfer-Encoding, '' when absent (= 7bit, RFC 2045 §6.1). */
  readonly transferEncoding?: string;
  /** Body bytes with the transfer encoding undone, no charset conversion (attachments). */
  decodedBytes?(): Uint8Array;
}

export interface MessageView {
  /** Size of the raw message in octets (RFC 5228 §5.9: as stored, no CRLF conversion). */
  readonly size: number;
  /** The raw message. */
  readonly raw: Uint8Array;
  /** The header fields in order, including editheader changes. */
  fields(): readonly HeaderField[];
  /** The fields named `name` (case-insensitive), in order; [] when there is none. Do not mutate. */
  fieldsNamed(name: string): readonly HeaderField[];
  /**
   * Values of every field named `name` (case-insensitive), in order: unfolded (a fold
   * becomes one space, as Pigeonhole does), leading/trailing whitespace trimmed,
   * RFC 2047 encoded-words decoded in any charset. [] when there is no such field.
   */
  header(name: string): string[];
  /** Parsed address lists of every field named `name`, in order. Never throws. */
  addresses(name: string): AddressField[];
  /** The MIME tree root. Parsed on first use. Never throws on malformed input. */
  mime(): MimePart;
  /** The body as it stands after the header block, undecoded (for body :raw). */
  rawBody(): string;
  /** True when the message has a non-empty body (at least one octet after the blank line). */
  hasBody(): boolean;

  /** A copy whose header edits do not affect this view (editheader works on a fork). */
  fork(): EditableMessage;
}

export interface EditableMessage extends MessageView {
  /** RFC 5293 addheader: at the top, or at the end with `last`. `value` is plain text; it is RFC 2047 encoded when needed. */
  addField(name: string, value: string, options?: { last?: boolean }): void;
  /** Remove the fields at these positions of fields(). */
  removeFields(indexes: readonly number[]): void;
  /**
   * Serialise the message with its edited header (CRLF line ends in the header). Before any
   * edit this is the original `raw` (not a copy). Do not mutate the result.
   */
  toBuffer(): Uint8Array;
}
