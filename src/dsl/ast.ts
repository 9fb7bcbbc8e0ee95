/**
 * The generic syntax tree of a Sieve script (RFC 5228 §8.2). It knows nothing of
 * particular commands or extensions: that is what keeps the grammar fixed while
 * extensions come and go.
 */
import type { Span } from './diagnostics.js';

export interface StringLiteral {
  readonly kind: 'string';
  /** The value with quoting, escapes and dot-stuffing undone. */
  readonly value: string;
  readonly multiline: boolean;
  readonly span: Span;
}

export interface StringListArgument {
  readonly kind: 'string-list';
  readonly items: readonly StringLiteral[];
  /** Written with brackets (`["a"]`), as opposed to a single bare string. */
  readonly bracketed: boolean;
  readonly span: Span;
}

export interface NumberArgument {
  readonly kind: 'number';
  readonly value: number;
  readonly span: Span;
}

export interface TagArgument {
  readonly kind: 'tag';
  /** Lower-case, without the colon. */
  readonly name: string;
  readonly span: Span;
}

export type Argument = StringListArgument | NumberArgument | TagArgument;

export interface TestNode {
  readonly kind: 'test';
  /** Lower-case identifier (Pigeonhole accepts `IF TRUE`, and so do we). */
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  readonly args: readonly Argument[];
  readonly tests: readonly TestNode[];
  /** The tests were written as a parenthesised test-list. */
  readonly testList: boolean;
}

export interface CommandNode {
  readonly kind: 'command';
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  readonly args: readonly Argument[];
  readonly tests: readonly TestNode[];
  readonly testList: boolean;
  /** Present when the command is followed by a block instead of ";". */
  readonly block?: readonly CommandNode[];
}

export interface Script {
  readonly commands: readonly CommandNode[];
}
