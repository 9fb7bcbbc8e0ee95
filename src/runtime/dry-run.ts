/**
 * A dry run of one script over one message: compile, evaluate with a host that
 * answers from fixed facts, return the actions. What `mailsift test` and the
 * differential tests use; nothing is changed anywhere.
 */
import { compile, type CompileOptions } from '../dsl/compile.js';
import type { Diagnostic } from '../dsl/diagnostics.js';
import type { Action } from './actions.js';
import { evaluateSync, type RunResult } from './evaluate.js';
import type { ExecuteAnswer, HostQuery } from './host.js';
import { parseMessage } from './message/parse.js';
import type { MessageView } from './message/types.js';
import type { Plan } from './plan.js';
import type { RunOptions } from './runtime.js';
import { sameMailbox } from './result.js';

export interface DryRunFacts {
  /** Mailboxes that exist besides INBOX. */
  readonly mailboxes?: readonly string[];
  /** Duplicate ids already seen (by "handle\0id" or just id). */
  readonly seenIds?: readonly string[];
}

export interface DryRunError {
  readonly phase: 'compile' | 'runtime';
  readonly code: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export interface DryRunOutput {
  readonly status: 'ok' | 'error';
  readonly actions: readonly Action[];
  readonly error?: DryRunError;
  readonly diagnostics?: readonly Diagnostic[];
  readonly result?: RunResult;
}

/**
 * The host of a dry run: answers questions from fixed facts. The lookup tables are built on
 * the first question: most scripts never ask, and runPlan makes a host per message.
 */
export function dryRunHost(facts: DryRunFacts): (q: HostQuery) => unknown {
  let mailboxes: readonly string[] | undefined;
  let seen: ReadonlySet<string> | undefined;
  return (q) => {
    switch (q.kind) {
      case 'mailbox-exists': {
        const known = (mailboxes ??= ['INBOX', ...(facts.mailboxes ?? [])]);
        return q.mailboxes.every((m) => known.some((x) => sameMailbox(x, m)));
      }
      case 'duplicate': {
        const ids = (seen ??= new Set(facts.seenIds ?? []));
        return ids.has(q.id) || ids.has(`${q.handle}\0${q.id}`);
      }
      case 'execute':
        // A pure dry run runs no program (`mailsift test --execute-dir` does: src/host/execute.ts).
        return { kind: 'not-run', reason: 'a dry run runs no programs' } satisfies ExecuteAnswer;
    }
  };
}

export function runPlan(plan: Plan, message: MessageView, options: RunOptions & DryRunFacts = {}): DryRunOutput {
  const result = evaluateSync(plan, message, options, dryRunHost(options));
  return { status: result.status, actions: result.actions, error: result.error, result };
}

export interface DryRunOptions extends RunOptions, DryRunFacts {
  readonly envelopeFrom?: string;
  readonly envelopeTo?: string;
  readonly compile?: CompileOptions;
}

/** Compile `source` and run it over `raw`; compile errors come back as status "error" with the implicit keep. */
export function dryRun(source: string, raw: Uint8Array, options: DryRunOptions = {}): DryRunOutput {
  const compiled = compile(source, options.compile);
  if (!compiled.ok) {
    const first = compiled.diagnostics.find((d) => d.severity === 'error')!;
    return {
      status: 'error',
      actions: [{ type: 'keep', implicit: true, flags: [] }],
      error: { phase: 'compile', code: first.code, message: first.message, line: first.line, column: first.column },
      diagnostics: compiled.diagnostics,
    };
  }
  const envelope = options.envelope ?? { from: options.envelopeFrom, to: options.envelopeTo };
  return runPlan(compiled.plan, parseMessage(raw), { ...options, envelope });
}
