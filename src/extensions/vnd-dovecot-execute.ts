/**
 * vnd.dovecot.execute: Dovecot Pigeonhole's sieve_extprograms, spec-bosch-sieve-extprograms
 * (Pigeonhole doc/rfc/spec-bosch-sieve-extprograms.txt) §3, §4, §7 and §8.
 *
 *   execute [":input" <input-data: string> / ":pipe"] [":output" <varname: string>]
 *           <program-name: string> [<arguments: string-list>]
 *
 * A command and a test (§8). The program runs now, during evaluation: the runtime asks the
 * host an `execute` question (sans-IO; the daemon and `mailsift test --execute-dir` run the
 * program as `pipe` does, src/host/execute.ts). Its stdin is the :input string, the message
 * (:pipe, with CRLF line ends as Pigeonhole gives it) or nothing; with :output its stdout goes
 * into a variable (exactly, trailing newline included, cut at the variable size limit).
 *
 * As Pigeonhole 0.5.19 (measured with sieve-test and the extprograms plugin):
 * - the program name must be a constant (§3), non-empty, at most 128 characters, without "/"
 *   and control characters; constant arguments at most 1024 bytes, without CR or LF (§4);
 *   an argument from a variable that breaks this is a runtime error;
 * - :input and :pipe exclude each other; :output needs require "variables" and a name `set`
 *   could assign (not a match variable);
 * - exit status 0 is success: the test is true and :output is assigned. Any other status is
 *   "false": the test is false, the command goes on, the variable is left unchanged (§7);
 * - a program that cannot run (missing, not allowed, timed out, printed too much, no [pipe]
 *   section): the test is false (§8 allows it); the command is a runtime error, so the
 *   message gets the implicit keep.
 * execute never adds an action and never touches the implicit keep (§7). Because it runs
 * during evaluation, a message evaluated again (after a crash or a retry) runs it again.
 * Status: complete.
 */
import { defineCommand, defineExtension, defineTest, tagArgument, type Call, type LowerContext } from './define.js';
import { lowerVariableName, setVariable } from './variables.js';
import type { ExecuteAnswer, HostRequest } from '../runtime/host.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Str } from '../runtime/strings.js';

interface ExecuteArgs {
  readonly program: string;
  readonly args: readonly Str[];
  /** The :input string, or 'message' for :pipe; absent: no input. */
  readonly input?: Str | 'message';
  /** The :output variable, lower-cased. */
  readonly output?: string;
}

const MAX_NAME_CHARS = 128;
const MAX_ARG_BYTES = 1024;

/** §3 (and Pigeonhole's sieve_extprogram_name_is_valid): why a program name is refused. */
export function programNameProblem(name: string): string | undefined {
  if (name === '') return 'the program name is empty';
  if ([...name].length > MAX_NAME_CHARS) return `the program name is longer than ${MAX_NAME_CHARS} characters`;
  if (name.includes('/')) return `program name "${name}" may not contain "/"`;
  // C0 and C1 controls, DEL, U+00FF (refused by Pigeonhole too), LINE and PARAGRAPH SEPARATOR.
  if (/[\u0000-\u001f\u007f-\u009f\u00ff\u2028\u2029]/u.test(name)) return `program name "${name}" contains a control character`;
  return undefined;
}

/** §4: arguments of at most 1024 bytes, without CR or LF. */
export function argumentProblem(arg: string): string | undefined {
  if (/[\r\n]/.test(arg)) return `program argument "${arg.slice(0, 40)}" contains a line break`;
  if (new TextEncoder().encode(arg).length > MAX_ARG_BYTES) return `program argument "${arg.slice(0, 40)}..." is longer than ${MAX_ARG_BYTES} bytes`;
  return undefined;
}

function lower(call: Call, cx: LowerContext): ExecuteArgs | undefined {
  const nameArg = call.positional[0]!;
  const program = cx.constant(nameArg);
  if (program === undefined) return undefined;
  const nameProblem = programNameProblem(program);
  if (nameProblem) {
    cx.error('invalid-value', nameArg.span, nameProblem);
    return undefined;
  }
  const argsArg = call.positional[1];
  const args = argsArg?.list ?? [];
  let ok = true;
  args.forEach((a, i) => {
    const problem = typeof a === 'string' ? argumentProblem(a) : undefined;
    if (problem) {
      cx.error('invalid-value', argsArg!.literals?.[i]?.span ?? argsArg!.span, problem);
      ok = false;
    }
  });
  let output: string | undefined;
  const outputArg = tagArgument(call.tag('output'));
  if (outputArg) {
    if (!cx.has('variables')) {
      cx.error('undeclared-capability', call.tagSpan('output') ?? outputArg.span, ':output needs require "variables"');
      return undefined;
    }
    const raw = cx.constant(outputArg);
    if (raw === undefined) return undefined;
    output = lowerVariableName(raw, outputArg.span, cx);
    if (output === undefined) return undefined;
  }
  if (!ok) return undefined;
  let input: ExecuteArgs['input'];
  if (call.tag('pipe') !== undefined) {
    input = 'message';
    cx.readsWholeMessage();
  } else input = tagArgument(call.tag('input'))?.str;
  return { program, args, ...(input !== undefined && { input }), ...(output !== undefined && { output }) };
}

/** Dovecot pipes the message with CRLF line ends throughout (i_stream_create_crlf). */
export function withCrlf(raw: Uint8Array): Uint8Array {
  let bare = 0;
  for (let i = 0; i < raw.length; i++) if (raw[i] === 0x0a && (i === 0 || raw[i - 1] !== 0x0d)) bare++;
  if (bare === 0) return raw;
  const out = new Uint8Array(raw.length + bare);
  let j = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x0a && (i === 0 || raw[i - 1] !== 0x0d)) out[j++] = 0x0d;
    out[j++] = raw[i]!;
  }
  return out;
}

/** Ask the host to run the program; `settle` turns its answer into the test's result. */
function ask<T>(args: ExecuteArgs, rt: Runtime, settle: (answer: ExecuteAnswer, success: boolean) => T): HostRequest<T> {
  const argv = rt.expandList(args.args);
  for (const a of argv) {
    const problem = argumentProblem(a);
    if (problem) rt.fail('script-error', `execute "${args.program}": ${problem}`);
  }
  const input = args.input === undefined ? undefined : args.input === 'message' ? withCrlf(rt.message.raw) : new TextEncoder().encode(rt.expand(args.input));
  return {
    query: { kind: 'execute', program: args.program, args: argv, ...(input !== undefined && { input }) },
    resume(raw: unknown): T {
      const answer = raw as ExecuteAnswer;
      const success = answer.kind === 'exited' && answer.exitCode === 0;
      // §7: the output goes into the variable, cut at the size limit as `set` would.
      if (success && args.output !== undefined) setVariable(rt, args.output, answer.output);
      return settle(answer, success);
    },
  };
}

const signature = {
  positional: [
    { name: 'program name', kind: 'string' as const },
    { name: 'arguments', kind: 'string-list' as const, optional: true },
  ],
  tags: { input: { arg: 'string' as const, group: 'input' }, pipe: { group: 'input' }, output: { arg: 'string' as const } },
};

const executeCommand = defineCommand<ExecuteArgs>({
  signature,
  lower,
  asksHost: true,
  run(args, rt): HostRequest<void> {
    return ask(args, rt, (answer) => {
      // As an action, a program that cannot run fails the script (the message is kept);
      // one that ran and said "false" (non-zero exit) does not.
      if (answer.kind === 'failed') rt.fail('program-failed', `execute "${args.program}": ${answer.reason}`);
    });
  },
});

const executeTest = defineTest<ExecuteArgs>({
  signature,
  lower,
  asksHost: true,
  test(args, rt): HostRequest<boolean> {
    return ask(args, rt, (_answer, success) => success);
  },
});

export const vndDovecotExecute = defineExtension({
  name: 'vnd.dovecot.execute',
  spec: 'Pigeonhole sieve_extprograms (spec-bosch-sieve-extprograms §7, §8)',
  commands: { execute: executeCommand },
  tests: { execute: executeTest },
});
