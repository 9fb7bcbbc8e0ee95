/**
 * parseMessage: the message view rules run against. Only the header block is scanned up
 * front (where its fields start and end: header-block.ts); fields, their values, address
 * lists, the MIME tree and the body text are made on first use and cached.
 */
import type { AddressField, EditableMessage, HeaderField, MessageView, MimePart } from './types.js';
import { concatBytes, latin1Encode, utf8Encode, utf8OrLatin1 } from './bytes.js';
import { parseAddressList } from './address.js';
import { encodeHeaderValue } from './encode-words.js';
import { HeaderBlock } from './header-block.js';
import { Field, isValidFieldName, splitHeader, unfold, type HeaderSplit } from './header-fields.js';
import { parseMime } from './mime.js';

/**
 * Parse a raw RFC 5322 message (CRLF or LF line ends). Never throws. `split` is where its
 * header ends, when the caller has found it already (token-source.ts: the search is a
 * builtin call per header line, ~1.5 % of a training run's main thread).
 */
export function parseMessage(raw: Uint8Array, split: HeaderSplit = splitHeader(raw)): MessageView {
  return new Message(raw, HeaderBlock.parse(raw.subarray(0, split.headerEnd)), split.bodyStart);
}

function toAddressField(f: Field): AddressField {
  const list = parseAddressList(unfold(f.raw));
  return { field: f, text: f.value(), addresses: list.addresses, invalid: list.invalid };
}

const NONE: readonly Field[] = [];

class Message implements MessageView {
  protected mimeRoot: MimePart | undefined;
  private bodyText: string | undefined;
  /** Fields by lower-case name, filled name by name: scripts look up the same names repeatedly. */
  private byName: Map<string, readonly Field[]> | undefined;
  /** The whole field list, once asked for (or given: editheader's copies). */
  protected list: readonly Field[] | undefined;
  /** The scanned header of a parsed message; a fork (editheader) is given its list instead. */
  private readonly block: HeaderBlock | undefined;

  constructor(
    protected readonly original: Uint8Array,
    header: HeaderBlock | readonly Field[],
    protected readonly bodyStart: number,
  ) {
    if (header instanceof HeaderBlock) this.block = header;
    else this.list = header;
  }

  get raw(): Uint8Array {
    return this.original;
  }

  get size(): number {
    return this.raw.length;
  }

  fields(): readonly Field[] {
    return (this.list ??= this.block!.fields());
  }

  fieldsNamed(name: string): readonly Field[] {
    const lname = name.toLowerCase();
    const byName = (this.byName ??= new Map());
    let named = byName.get(lname);
    if (named === undefined) {
      // A fork (editheader) is given its list and has no block.
      named = this.block !== undefined ? this.block.named(lname) : listNamed(this.fields(), lname);
      byName.set(lname, named);
    }
    return named;
  }

  header(name: string): string[] {
    const named = this.fieldsNamed(name);
    const out: string[] = new Array<string>(named.length);
    for (let i = 0; i < named.length; i++) out[i] = named[i]!.value();
    return out;
  }

  addresses(name: string): AddressField[] {
    const named = this.fieldsNamed(name);
    const out: AddressField[] = new Array<AddressField>(named.length);
    for (let i = 0; i < named.length; i++) out[i] = named[i]!.addressField(toAddressField);
    return out;
  }

  /** The list of fields changed (editheader): the name index is stale. */
  protected fieldsChanged(): void {
    this.byName = undefined;
  }

  mime(): MimePart {
    return (this.mimeRoot ??= parseMime(this.fields(), this.body()));
  }

  /** The body bytes after the blank line (no copy). */
  protected body(): Uint8Array {
    return this.original.subarray(this.bodyStart);
  }

  rawBody(): string {
    return (this.bodyText ??= utf8OrLatin1(this.body()));
  }

  hasBody(): boolean {
    return this.bodyStart < this.original.length;
  }

  fork(): EditableMessage {
    return new EditableView(this.original, this.fields(), this.bodyStart, false);
  }
}

function listNamed(list: readonly Field[], lname: string): readonly Field[] {
  let out: Field[] | undefined;
  for (const f of list) if (f.lname === lname) (out ??= []).push(f);
  return out ?? NONE;
}

const CRLF = new Uint8Array([0x0d, 0x0a]);

/**
 * RFC 5293 editheader works on a fork. Edits replace the field list (copy on write), so
 * the view it was forked from, and other forks, never see them.
 */
class EditableView extends Message implements EditableMessage {
  private serialized: Uint8Array | undefined;

  constructor(original: Uint8Array, list: readonly Field[], bodyStart: number, private edited: boolean) {
    super(original, list, bodyStart);
  }

  /** After an edit: the serialised message, so that size (RFC 5228 §5.9) sees the edits. */
  override get raw(): Uint8Array {
    return this.edited ? (this.serialized ??= this.serialize()) : this.original;
  }

  override fork(): EditableMessage {
    return new EditableView(this.original, this.fields(), this.bodyStart, this.edited);
  }

  addField(name: string, value: string, options?: { last?: boolean }): void {
    if (!isValidFieldName(name)) throw new TypeError(`invalid header field name: ${JSON.stringify(name)}`);
    const field = new Field(name, name.toLowerCase(), ' ' + encodeHeaderValue(value), false);
    const list = this.fields();
    this.list = options?.last === true ? [...list, field] : [field, ...list];
    this.changed();
  }

  removeFields(indexes: readonly number[]): void {
    if (indexes.length === 0) return;
    const drop = new Set(indexes);
    this.list = this.fields().filter((_, i) => !drop.has(i));
    this.changed();
  }

  toBuffer(): Uint8Array {
    return this.raw;
  }

  private changed(): void {
    this.fieldsChanged();
    this.edited = true;
    this.serialized = undefined;
    this.mimeRoot = undefined;
  }

  /** Header with CRLF line ends, each field in the charset it was read in; body untouched. */
  private serialize(): Uint8Array {
    const chunks: Uint8Array[] = [];
    for (const f of this.fields()) {
      const line = f.name + ':' + f.raw + '\r\n';
      chunks.push(f.latin1 ? latin1Encode(line) : utf8Encode(line));
    }
    chunks.push(CRLF, this.body());
    return concatBytes(chunks);
  }
}
