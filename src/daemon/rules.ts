/**
 * Compiled rules, one plan per rules file, shared by every watch and sweep naming that file.
 * A reload recompiles each file; a file that no longer compiles (or cannot be read) is
 * refused with its diagnostics and its previous plan keeps running, as Pigeonhole keeps a
 * working binary when a new script fails to compile.
 */
import { compile } from '../dsl/compile.js';
import type { Plan } from '../runtime/plan.js';
import { formatDiagnostics } from '../report/format-diagnostics.js';
import { readRules } from '../host/read-rules.js';

export interface RulesFailure {
  readonly file: string;
  /** RULES_UNREADABLE or RULES_INVALID. */
  readonly code: 'RULES_UNREADABLE' | 'RULES_INVALID';
  /** The diagnostics as `mailsift check` prints them (several lines), or the read error. */
  readonly text: string;
  /** True when an older plan of this file stays in use. */
  readonly keptOld: boolean;
}

export interface RulesLoadResult {
  readonly loaded: readonly string[];
  readonly failed: readonly RulesFailure[];
  /** Warnings of files that compiled, formatted. */
  readonly warnings: readonly { file: string; text: string }[];
}

export class RulesRegistry {
  private readonly plans = new Map<string, Plan>();

  get(file: string): Plan | undefined {
    return this.plans.get(file);
  }

  /** Compile each file; keep the old plan of any that fails. Files not listed are forgotten. */
  async load(files: Iterable<string>): Promise<RulesLoadResult> {
    const wanted = [...new Set(files)];
    const loaded: string[] = [];
    const failed: RulesFailure[] = [];
    const warnings: { file: string; text: string }[] = [];
    for (const file of wanted) {
      let source: string;
      try {
        source = await readRules(file);
      } catch (err) {
        failed.push({ file, code: 'RULES_UNREADABLE', text: (err as Error).message, keptOld: this.plans.has(file) });
        continue;
      }
      const result = compile(source, { file });
      if (!result.ok) {
        failed.push({ file, code: 'RULES_INVALID', text: formatDiagnostics(file, source, result.diagnostics), keptOld: this.plans.has(file) });
        continue;
      }
      if (result.diagnostics.length) warnings.push({ file, text: formatDiagnostics(file, source, result.diagnostics) });
      this.plans.set(file, result.plan);
      loaded.push(file);
    }
    for (const file of [...this.plans.keys()]) if (!wanted.includes(file)) this.plans.delete(file);
    return { loaded, failed, warnings };
  }
}
