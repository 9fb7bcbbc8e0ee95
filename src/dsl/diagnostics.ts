/**
 * Diagnostics: user mistakes in a rules file. Each has a stable `code` (tests and
 * tools key on it, never on the wording) and a span inside the source.
 */

export interface Span {
  /** 0-based offset of the first character. */
  readonly offset: number;
  /** Length in characters (at least 1 where the source has a character there). */
  readonly length: number;
  /** 1-based line and column of the first character. */
  readonly line: number;
  readonly column: number;
}

export type DiagnosticCode =
  | 'unexpected-character'
  /** A UTF-8 byte-order mark opens the file (Pigeonhole refuses it as well). */
  | 'byte-order-mark'
  | 'unterminated-string'
  | 'unterminated-comment'
  | 'unterminated-multiline'
  | 'syntax-error'
  | 'number-too-large'
  | 'unknown-command'
  | 'unknown-test'
  | 'unknown-tag'
  | 'unknown-capability'
  | 'undeclared-capability'
  | 'require-not-first'
  | 'misplaced-command'
  | 'duplicate-tag'
  | 'conflicting-tags'
  | 'missing-argument'
  | 'too-many-arguments'
  | 'bad-argument'
  | 'missing-test'
  | 'unexpected-test'
  | 'missing-block'
  | 'unexpected-block'
  | 'invalid-value'
  | 'unknown-comparator'
  | 'unsupported-match'
  | 'not-constant'
  | 'script-too-large'
  /** A :regex pattern refused as too costly for a backtracking engine (valid POSIX, but not run by mailsift). */
  | 'regex-too-costly'
  /** More distinct variables than Limits.maxVariables (RFC 5229 §3 lets implementations limit them). */
  | 'too-many-variables';

export interface Diagnostic extends Span {
  readonly code: DiagnosticCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** Collects diagnostics for one compilation. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];

  error(code: DiagnosticCode, span: Span, message: string): void {
    this.items.push({ code, severity: 'error', message, ...pickSpan(span) });
  }

  warning(code: DiagnosticCode, span: Span, message: string): void {
    this.items.push({ code, severity: 'warning', message, ...pickSpan(span) });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

function pickSpan(span: Span): Span {
  return { offset: span.offset, length: span.length, line: span.line, column: span.column };
}

/** The span covering `a` through `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return { offset: a.offset, line: a.line, column: a.column, length: Math.max(1, b.offset + b.length - a.offset) };
}
