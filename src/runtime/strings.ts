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

/**
 * Parse the references out of a string. References to namespaces (`${a.b}`) are
 * left literal: no namespace is supported, and RFC 5229 §3 says unsupported
 * references are not expanded.
 */
export function parseTemplate(text: string): Str {
  if (!text.includes('${')) return text;
  const parts: (string | VariableRef | MatchRef)[] = [];
  let last = 0;
  REF.lastIndex = 0;
  for (let m = REF.exec(text); m; m = REF.exec(text)) {
    if (m[1] !== undefined && m[1].includes('.')) continue;
    if (m.index > last) parts.push(text.slice(last, m.index));
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
