/**
 * Every hard limit of the engine, in one place. Exceeding one is a clean runtime
 * (or compile) error, never a crash; the message then falls back to implicit keep.
 * Defaults follow Pigeonhole's where it has one (sieve_max_actions = 32,
 * sieve_max_redirects = 4, sieve_variables_max_variable_size = 4096).
 */
export interface Limits {
  /** Actions in one result, implicit keep included. */
  readonly maxActions: number;
  /** redirect actions per message. */
  readonly maxRedirects: number;
  /** Bytes of one variable's value (longer values are truncated, RFC 5229 §3). */
  readonly maxVariableSize: number;
  /** Distinct variables a script may define. */
  readonly maxVariables: number;
  /** Commands and tests evaluated for one message (no loops in Sieve, but long scripts over many headers). */
  readonly maxSteps: number;
  /** Pattern length of a :regex key, and a proxy for its cost. */
  readonly maxRegexLength: number;
  /** Characters of input a single :regex or :matches may scan. */
  readonly maxMatchInput: number;
  /** Header block bytes that are parsed; beyond, the message is tested as if it ended there. */
  readonly maxHeaderSize: number;
  /** Whole message size evaluated; bigger messages are kept untouched with an error. */
  readonly maxMessageSize: number;
  /** Script source size accepted by the compiler. */
  readonly maxScriptSize: number;
  /** notify actions per message. */
  readonly maxNotifications: number;
  /** Bytes of one value addheader may add (Pigeonhole's sieve_editheader_max_header_size = 2048). */
  readonly maxAddedHeaderValue: number;
  /** Bytes all addheader calls of one evaluation may add in total. */
  readonly maxAddedHeaderBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxActions: 32,
  maxRedirects: 4,
  maxVariableSize: 4096,
  maxVariables: 255,
  maxSteps: 100_000,
  maxRegexLength: 1024,
  maxMatchInput: 1024 * 1024,
  maxHeaderSize: 1024 * 1024,
  maxMessageSize: 64 * 1024 * 1024,
  maxScriptSize: 1024 * 1024,
  maxNotifications: 16,
  maxAddedHeaderValue: 2048,
  maxAddedHeaderBytes: 64 * 1024,
};
