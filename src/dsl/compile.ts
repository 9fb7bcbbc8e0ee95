/**
 * The compiler's entry point: source text in, an execution plan or diagnostics out.
 * User mistakes never throw.
 */
import { parseScript } from './build-ast.js';
import { Checker } from './check.js';
import { DiagnosticSink, type Diagnostic } from './diagnostics.js';
import { defaultRegistry } from '../extensions/index.js';
import type { Registry } from '../extensions/registry.js';
import { DEFAULT_LIMITS, type Limits } from '../runtime/limits.js';
import type { Plan } from '../runtime/plan.js';

export interface CompileOptions {
  /** Shown in messages; defaults to "rules". */
  readonly file?: string;
  readonly registry?: Registry;
  readonly limits?: Partial<Limits>;
}

export type CompileResult =
  | { readonly ok: true; readonly plan: Plan; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function compile(source: string, options: CompileOptions = {}): CompileResult {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const sink = new DiagnosticSink();
  if (source.length > limits.maxScriptSize) {
    sink.error('script-too-large', { offset: 0, length: 1, line: 1, column: 1 }, `script of ${source.length} characters exceeds the limit of ${limits.maxScriptSize}`);
    return { ok: false, diagnostics: sink.items };
  }
  const script = parseScript(source, sink);
  if (!script) return { ok: false, diagnostics: sink.items };
  const plan = new Checker(options.registry ?? defaultRegistry, sink, limits, options.file ?? 'rules').check(script.commands);
  if (sink.hasErrors) return { ok: false, diagnostics: sink.items };
  return { ok: true, plan, diagnostics: sink.items };
}
