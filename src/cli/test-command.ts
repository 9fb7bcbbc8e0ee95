/**
 * `mailsift test RULES SOURCE... [--envelope-from A] [--envelope-to B]
 *  [--mailbox-exists NAME]... [--execute-dir DIR] [--json] [--trace]`: a dry run. Each
 * message of each source goes through the rules; the actions are printed, nothing is changed.
 *
 * vnd.dovecot.execute programs run during evaluation, so a dry run has to choose: without
 * --execute-dir none runs (an execute test is false, an execute command does nothing, and a
 * note says so); with it, the programs of DIR really run, with the daemon's default `[pipe]`
 * timeout and output cap, as Pigeonhole's sieve-test runs them.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MailsiftError } from '../errors.js';
import { PIPE_DEFAULTS } from '../config/types.js';
import { compile } from '../dsl/compile.js';
import type { Diagnostic } from '../dsl/diagnostics.js';
import { listFolders, readSource, type LocalMessage } from '../connectors/local/source.js';
import type { Action } from '../runtime/actions.js';
import { evaluateAsync, type RunResult } from '../runtime/evaluate.js';
import type { ExecuteAnswer, HostQuery } from '../runtime/host.js';
import { answerExecute } from '../host/execute.js';
import type { ProgramConfig } from '../host/run-program.js';
import { parseMessage } from '../runtime/message/parse.js';
import type { Envelope, TraceEvent } from '../runtime/runtime.js';
import { dryRunHost } from '../runtime/dry-run.js';
import { hostEnvironment } from '../host/environment.js';
import { describeAction } from '../report/describe-action.js';
import { defaultEnvelope } from '../host/envelope-defaults.js';
import { formatDiagnostics } from '../report/format-diagnostics.js';
import { readRules, type Output } from './io.js';
import { formatTrace } from './trace-format.js';
import { classifierSettings } from '../classify/store/load-models.js';

export interface TestOptions {
  readonly envelopeFrom?: string;
  readonly envelopeTo?: string;
  readonly mailboxExists?: readonly string[];
  readonly json?: boolean;
  readonly trace?: boolean;
  /** Classifier model directories for classify and spamtest (the first is the default). */
  readonly model?: readonly string[];
  /** Fixed "now" for currentdate (tests). */
  readonly now?: Date;
  /** Run vnd.dovecot.execute programs from this directory (else none runs). */
  readonly executeDir?: string;
}

const IMPLICIT_KEEP: Action[] = [{ type: 'keep', implicit: true, flags: [] }];

/** --execute-dir, checked once: a mistyped directory would otherwise fail every execute as "no such program". */
async function programDir(dir: string): Promise<string> {
  const full = resolve(dir);
  const isDir = await stat(full).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new MailsiftError('USAGE', `--execute-dir ${dir}: not a directory`);
  return full;
}

export async function testCommand(rulesFile: string, sources: readonly string[], options: TestOptions, out: Output): Promise<number> {
  const source = await readRules(rulesFile);
  const compiled = compile(source, { file: rulesFile });
  if (!compiled.ok) {
    out.stderr(formatDiagnostics(rulesFile, source, compiled.diagnostics) + '\n');
    if (options.json) await reportCompileError(sources, compiled.diagnostics, out);
    return 1;
  }
  const plan = compiled.plan;
  const settings = { environment: hostEnvironment(), ...(options.model?.length ? classifierSettings(options.model) : {}) };
  const counts = new Map<string, number>();
  let messages = 0;
  let errors = 0;
  const programs: ProgramConfig | undefined = options.executeDir === undefined ? undefined : { dir: await programDir(options.executeDir), ...PIPE_DEFAULTS };
  for (const path of sources) {
    const folders = await listFolders(path);
    const facts = dryRunHost({ mailboxes: [...folders, ...(options.mailboxExists ?? [])] });
    for await (const msg of readSource(path)) {
      messages++;
      const view = parseMessage(msg.raw);
      const events: TraceEvent[] = [];
      const envelope = defaultEnvelope(view, { from: options.envelopeFrom, to: options.envelopeTo });
      const notes: string[] = [];
      const host = (q: HostQuery): unknown => (q.kind === 'execute' ? execute(q, programs, envelope, notes) : facts(q));
      const result = await evaluateAsync(plan, view, { envelope, now: options.now, settings, trace: options.trace ? (e) => events.push(e) : undefined }, host);
      if (result.status === 'error') errors++;
      for (const a of result.actions) counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
      if (options.json) out.stdout(JSON.stringify({ ...jsonLine(msg, result), ...(notes.length && { notes }) }) + '\n');
      else out.stdout(humanBlock(msg, view.header('from')[0], view.header('subject')[0], result, options.trace ? formatTrace(events, source) : undefined, notes));
    }
  }
  if (!options.json) {
    const summary = [...counts].map(([t, n]) => `${n} ${t}`).join(', ');
    out.stdout(`${messages} message${messages === 1 ? '' : 's'}: ${summary || 'no actions'}${errors ? `; ${errors} runtime error${errors === 1 ? '' : 's'}` : ''}\n`);
  }
  return errors ? 1 : 0;
}

/** An execute question: run the program when --execute-dir allows it; either way, say what happened. */
async function execute(q: Extract<HostQuery, { kind: 'execute' }>, programs: ProgramConfig | undefined, envelope: Envelope, notes: string[]): Promise<ExecuteAnswer> {
  const call = `execute "${q.program}"${q.args.length ? ` ${JSON.stringify(q.args)}` : ''}`;
  if (!programs) {
    notes.push(`${call} not run: a dry run runs programs only with --execute-dir DIR (as a test it is false)`);
    return { kind: 'not-run', reason: 'a dry run runs no programs' };
  }
  const answer = await answerExecute(programs, q, envelope);
  if (answer.kind === 'failed') notes.push(`${call} failed: ${answer.reason}`);
  else if (answer.kind === 'exited') notes.push(`${call} ran: exit status ${answer.exitCode ?? 'none (killed)'}`);
  return answer;
}

function jsonLine(msg: LocalMessage, result: RunResult): Record<string, unknown> {
  return result.error
    ? { message: msg.id, status: 'error', error: result.error, actions: result.actions }
    : { message: msg.id, status: 'ok', actions: result.actions };
}

function humanBlock(msg: LocalMessage, from: string | undefined, subject: string | undefined, result: RunResult, trace: string | undefined, notes: readonly string[]): string {
  const lines = [msg.id, `  From:    ${from ?? '(none)'}`, `  Subject: ${subject ?? '(none)'}`];
  if (trace) lines.push(trace);
  for (const n of notes) lines.push(`  note:    ${n}`);
  if (result.error) lines.push(`  error:   ${result.error.code} at line ${result.error.line ?? '?'}: ${result.error.message}`);
  for (const a of result.actions) lines.push(`  → ${describeAction(a)}`);
  return lines.join('\n') + '\n\n';
}

async function reportCompileError(sources: readonly string[], diagnostics: readonly Diagnostic[], out: Output): Promise<void> {
  const first = diagnostics.find((d) => d.severity === 'error')!;
  const error = { phase: 'compile', code: first.code, message: first.message, line: first.line, column: first.column };
  for (const path of sources) {
    for await (const msg of readSource(path)) out.stdout(JSON.stringify({ message: msg.id, status: 'error', error, actions: IMPLICIT_KEEP }) + '\n');
  }
}
