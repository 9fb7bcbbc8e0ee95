/**
 * Diagnostics as people read them: `file:line:col: error[code]: message`, then
 * the source line and a caret under the span (the rustc/tsc convention).
 */
import type { Diagnostic } from '../dsl/diagnostics.js';

export function formatDiagnostic(file: string, source: string, d: Diagnostic): string {
  const lines = source.split(/\r?\n/);
  const text = (lines[d.line - 1] ?? '').replace(/\t/g, ' ');
  const width = Math.max(1, Math.min(d.length, text.length - d.column + 1));
  const gutter = String(d.line).length;
  return [
    `${file}:${d.line}:${d.column}: ${d.severity}[${d.code}]: ${d.message}`,
    `${' '.repeat(gutter)} |`,
    `${d.line} | ${text}`,
    `${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, d.column - 1))}${'^'.repeat(width)}`,
  ].join('\n');
}

export function formatDiagnostics(file: string, source: string, diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => formatDiagnostic(file, source, d)).join('\n\n');
}

export function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return { code: d.code, severity: d.severity, message: d.message, line: d.line, column: d.column, length: d.length };
}
