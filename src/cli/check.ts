/** `mailsift check RULES [--json]`: every error of a rules file in one pass. Exit 0 valid, 1 invalid. */
import { compile } from '../dsl/compile.js';
import { diagnosticJson, formatDiagnostics } from '../report/format-diagnostics.js';
import { readRules, type Output } from './io.js';

export interface CheckOptions {
  readonly json?: boolean;
}

export async function checkCommand(file: string, options: CheckOptions, out: Output): Promise<number> {
  const source = await readRules(file);
  const result = compile(source, { file });
  if (options.json) {
    out.stdout(JSON.stringify({ file, ok: result.ok, diagnostics: result.diagnostics.map(diagnosticJson) }) + '\n');
    return result.ok ? 0 : 1;
  }
  if (result.diagnostics.length) out.stderr(formatDiagnostics(file, source, result.diagnostics) + '\n');
  if (result.ok) {
    out.stdout(`${file}: ok (${[...result.plan.capabilities].filter(Boolean).length} extensions, ${result.plan.needsBody ? 'reads bodies' : 'headers only'})\n`);
    return 0;
  }
  const n = result.diagnostics.filter((d) => d.severity === 'error').length;
  out.stderr(`${file}: ${n} error${n === 1 ? '' : 's'}\n`);
  return 1;
}
