/**
 * Diagnostics as people read them: `file:line:col: error[code]: message`, then
 * the source line and a caret under the span (the rustc/tsc convention). The line is cut
 * to a window around the column and shows control characters visibly (source-excerpt.ts);
 * a file that yields very many diagnostics (a binary file given as rules) prints the first
 * MAX_SHOWN and a count of the rest, which `mailsift check --json` lists in full.
 */
import type { Diagnostic } from '../dsl/diagnostics.js';
import { sourceExcerpt, visibleText } from './source-excerpt.js';

/** Diagnostics printed in full before the rest are only counted. */
export const MAX_SHOWN = 20;

/** Longer messages are cut: some quote the source ("found" and a token), which may be a megabyte long. */
const MAX_MESSAGE = 400;

/** The message as printed: cut, and its quotes of the source shown as the source line is (no escape sequence runs). */
function shortMessage(message: string): string {
  return visibleText(message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 1)}…`);
}

function formatOne(file: string, lines: readonly string[], d: Diagnostic): string {
  const excerpt = sourceExcerpt(lines[d.line - 1] ?? '', d.column, d.length);
  const gutter = String(d.line).length;
  return [
    `${file}:${d.line}:${d.column}: ${d.severity}[${d.code}]: ${shortMessage(d.message)}`,
    `${' '.repeat(gutter)} |`,
    `${d.line} | ${excerpt.text}`,
    `${' '.repeat(gutter)} | ${' '.repeat(excerpt.caret)}${'^'.repeat(excerpt.width)}`,
  ].join('\n');
}

export function formatDiagnostics(file: string, source: string, diagnostics: readonly Diagnostic[]): string {
  // Split once: a one-line file of a megabyte with thousands of diagnostics must not be split per diagnostic.
  const lines = source.split(/\r?\n/);
  const shown = diagnostics.slice(0, MAX_SHOWN).map((d) => formatOne(file, lines, d));
  const rest = diagnostics.length - shown.length;
  if (rest > 0) shown.push(`${file}: ${rest} more diagnostic${rest === 1 ? '' : 's'} not shown (\`mailsift check --json ${file}\` lists them all)`);
  return shown.join('\n\n');
}

export function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return { code: d.code, severity: d.severity, message: d.message, line: d.line, column: d.column, length: d.length };
}
