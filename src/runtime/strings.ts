/**
 * String values that may hold variable references (RFC 5229 §3):
 *
 *   variable-ref  = "${" [namespace] variable-name "}"
 *   namespace     = identifier "." *sub-namespace
 *   variable-name = num-variable / identifier
 *
 * The compiler turns each string into a `Str`: a plain string when it has no
 * reference (the common case, no cost at run time), or a template.
 */

export interface VariableRef {
  readonly kind: 'var';
  /** Lower-case: variable names are case-insensitive (RFC 5229 §3). */
  readonly name: string;
}

export interface MatchRef {
  readonly kind: 'match';
  readonly index: number;
}

export interface Template {
  readonly kind: 'template';
  readonly parts: readonly (string | VariableRef | MatchRef)[];
}

export type Str = string | Template;

const REF = /\$\{(?:([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)|([0-9]+))\}/g;

/** Match values a match keeps: ${0}..${31}, as Pigeonhole (SIEVE_MAX_MATCH_VALUES). */
export const MAX_MATCH_VALUES = 32;

/**
 * Parse the references out of a string. Measured against Pigeonhole 0.5.19, which
 * reports these as errors but still runs the script: a reference into a namespace
 * (`${a.b}`, none is supported) and a match variable above ${31} expand to ''.
 * Malformed references (`${ a}`, `${1a}`, `${a-b}`) stay literal (RFC 5229 §3).
 */
export function parseTemplate(text: string): Str {
  if (!text.includes('${')) return text;
  const parts: (string | VariableRef | MatchRef)[] = [];
  let last = 0;
  REF.lastIndex = 0;
  for (let m = REF.exec(text); m; m = REF.exec(text)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    // A namespaced name can never be set (set refuses it), so it expands to ''; so
    // does an index from MAX_MATCH_VALUES up, since no match keeps more values.
    parts.push(m[2] !== undefined ? { kind: 'match', index: Number(m[2]) } : { kind: 'var', name: m[1]!.toLowerCase() });
    last = m.index + m[0].length;
  }
  if (parts.length === 0) return text;
  if (last < text.length) parts.push(text.slice(last));
  return { kind: 'template', parts };
}

export function isConstant(s: Str): s is string {
  return typeof s === 'string';
}

/** Human-readable form, for traces and errors. */
export function showStr(s: Str): string {
  if (typeof s === 'string') return s;
  return s.parts.map((p) => (typeof p === 'string' ? p : p.kind === 'var' ? `\${${p.name}}` : `\${${p.index}}`)).join('');
}

/** Valid variable name for `set` and friends (RFC 5229 §3 identifier). */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

const utf8 = new TextEncoder();

/**
 * Cut a value to at most `maxBytes` bytes of UTF-8 without splitting a character
 * (RFC 5229 §3 lets implementations limit variable sizes; Pigeonhole cuts at
 * sieve_variables_max_variable_size, UTF-8 safe).
 */
export function truncateUtf8(s: string, maxBytes: number): string {
  // Each UTF-16 unit is at most 3 bytes of UTF-8: short strings need no encoding.
  if (s.length * 3 <= maxBytes) return s;
  const bytes = utf8.encode(s);
  if (bytes.length <= maxBytes) return s;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back to a character start
  return new TextDecoder().decode(bytes.subarray(0, end));
}
