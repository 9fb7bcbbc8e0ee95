/** `--trace`: which rules ran, which tests were true, and the decoded values they compared. */
import type { TraceEvent } from '../runtime/runtime.js';
import { describeAction } from '../report/describe-action.js';

function clip(s: string, max = 80): string {
  const one = s.replace(/\r?\n/g, '\\n');
  return JSON.stringify(one.length > max ? `${one.slice(0, max - 1)}…` : one);
}

function list(values: readonly string[]): string {
  const shown = values.slice(0, 5).map((v) => clip(v));
  return `[${shown.join(', ')}${values.length > 5 ? `, … ${values.length - 5} more` : ''}]`;
}

export function formatTrace(events: readonly TraceEvent[], source: string): string {
  const lines = source.split(/\r?\n/);
  const out: string[] = [];
  for (const e of events) {
    switch (e.kind) {
      case 'command':
        out.push(`  ${e.line}: ${(lines[e.line - 1] ?? e.name).trim().slice(0, 78)}`);
        break;
      case 'test': {
        const c = e.compared;
        const detail = c ? `  :${c.match} ${c.comparator} ${list(c.values)} against ${list(c.keys)}` : '';
        out.push(`  ${e.line}:${e.column}: test ${e.name} is ${e.result}${detail}`);
        break;
      }
      case 'action':
        out.push(`  ${e.line}: adds ${describeAction(e.action)}`);
        break;
      case 'stop':
        out.push(`  ${e.line}: stop`);
        break;
    }
  }
  return out.join('\n');
}
