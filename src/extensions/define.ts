/**
 * How an extension describes itself: its capability name, the commands and tests
 * it adds, the tags it adds to other extensions' commands, and any comparators,
 * match types or address parts. The compiler checks scripts against these
 * definitions; the grammar itself never changes.
 */
import type { CommandNode, StringLiteral, TestNode } from '../dsl/ast.js';
import type { DiagnosticCode, Span } from '../dsl/diagnostics.js';
import type { Comparator } from '../runtime/comparators.js';
import type { Limits } from '../runtime/limits.js';
import type { MatchType } from '../runtime/match.js';
import type { MailAddress } from '../runtime/message/types.js';
import type { CommandImpl, TestImpl } from '../runtime/plan.js';
import type { MatchSpec } from '../runtime/runtime.js';
import type { Str } from '../runtime/strings.js';

export type ArgKind = 'string' | 'string-list' | 'number';

export interface PositionalSpec {
  readonly name: string;
  readonly kind: ArgKind;
  /** Optional positionals are filled left to right when fewer arguments are given (imap4flags' leading variable name). */
  readonly optional?: boolean;
}

export interface TagSpec {
  readonly arg?: ArgKind;
  /** Tags sharing a group exclude each other (vacation's :days / :seconds). */
  readonly group?: string;
}

export interface Signature {
  readonly positional: readonly PositionalSpec[];
  readonly tags?: Readonly<Record<string, TagSpec>>;
  /** Accepts a match type and :comparator (RFC 5228 §2.7). */
  readonly match?: boolean;
  /** Accepts an address part (RFC 5228 §2.7.4). */
  readonly addressPart?: boolean;
}

/** An argument after binding: a string, a string list or a number, with where it was written. */
export interface Bound {
  readonly kind: ArgKind;
  readonly span: Span;
  readonly str?: Str;
  readonly list?: readonly Str[];
  readonly num?: number;
  /** The literals as written (for constants and their spans). */
  readonly literals?: readonly StringLiteral[];
}

export interface AddressPart {
  readonly name: string;
  /** The part of the address to compare, or null when it has none (e.g. :detail without a separator). */
  extract(address: MailAddress): string | null;
}

export interface Call {
  readonly name: string;
  readonly node: CommandNode | TestNode;
  readonly span: Span;
  readonly positional: readonly (Bound | undefined)[];
  /** A tag given to this call: `true` for a tag without argument, its bound argument otherwise. */
  tag(name: string): Bound | true | undefined;
  /** The span of a tag given to this call. */
  tagSpan(name: string): Span | undefined;
  /** Match type and comparator, defaulted to :is and i;ascii-casemap (signatures with `match`). */
  readonly match: MatchSpec;
  readonly addressPart: AddressPart;
}

/** The argument of a tag that takes one (`call.tag(name)`), or undefined when the tag is absent. */
export function tagArgument(b: Bound | true | undefined): Bound | undefined {
  return b === undefined || b === true ? undefined : b;
}

export interface LowerContext {
  error(code: DiagnosticCode, span: Span, message: string): void;
  /** Something legal but suspicious: reported, the script still compiles (Pigeonhole's warnings). */
  warning(code: DiagnosticCode, span: Span, message: string): void;
  /** Was this capability required (or enabled by ihave)? */
  has(capability: string): boolean;
  /** The value of a string that must not contain variables; reports an error and returns undefined otherwise. */
  constant(bound: Bound | undefined): string | undefined;
  constantList(bound: Bound | undefined): string[] | undefined;
  /**
   * This call reads the whole message although it is no body test (execute :pipe hands the
   * message to a program): hosts must then fetch it whole, not just its header.
   */
  readsWholeMessage(): void;
  /** All capabilities the compiler knows (for ihave and environment). */
  readonly known: ReadonlySet<string>;
  readonly limits: Limits;
}

export interface CommandDef<A = unknown> extends CommandImpl<A> {
  readonly signature: Signature;
  lower(call: Call, cx: LowerContext): A | undefined;
}

export interface TestDef<A = unknown> extends TestImpl<A> {
  readonly signature: Signature;
  lower(call: Call, cx: LowerContext): A | undefined;
  /** The test reads the message body, so hosts must fetch it whole. */
  readonly needsBody?: boolean;
  /**
   * ihave (RFC 5463): the capabilities this test guarantees inside the block it
   * guards; undefined unless the test is a guard.
   */
  guards?(call: Call, cx: LowerContext): readonly string[] | undefined;
}

export interface ExtensionDef {
  /** The capability string of `require`. Core RFC 5228 is '' and needs no require. */
  readonly name: string;
  /** The specification it implements, e.g. "RFC 5232". */
  readonly spec: string;
  readonly commands?: Readonly<Record<string, CommandDef<any>>>;
  readonly tests?: Readonly<Record<string, TestDef<any>>>;
  /** Tags this extension adds to commands or tests defined elsewhere (e.g. :copy on fileinto). */
  readonly tagsFor?: Readonly<Record<string, Readonly<Record<string, TagSpec>>>>;
  readonly comparators?: readonly Comparator[];
  /** Extra match types; `arg` for :count/:value's relational operator. */
  readonly matchTypes?: readonly { readonly type: MatchType; readonly arg?: 'relation' }[];
  readonly addressParts?: readonly AddressPart[];
  /** Applied at compile time to every string literal of a script that requires this extension. */
  readonly transformString?: (value: string, report: (message: string) => void) => string;
  /** Requiring this extension also enables these (vacation-seconds → vacation). */
  readonly implies?: readonly string[];
}

export function defineExtension(def: ExtensionDef): ExtensionDef {
  return def;
}

export function defineCommand<A>(def: CommandDef<A>): CommandDef<A> {
  return def;
}

export function defineTest<A>(def: TestDef<A>): TestDef<A> {
  return def;
}
