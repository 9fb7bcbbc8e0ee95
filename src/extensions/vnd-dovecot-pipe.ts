/**
 * vnd.dovecot.pipe: Dovecot Pigeonhole's sieve_extprograms (doc/plugins/sieve_extprograms.txt,
 * "vnd.dovecot.pipe" section).
 *
 *   pipe [":copy"] [":try"] <program-name: string> [<arguments: string-list>]
 *
 * Hands the message to an allow-listed program (the host runs it: src/outbound/pipe.ts; the
 * program name may not contain "/"). Without :copy the implicit keep is cancelled, as by
 * redirect. Differences from Pigeonhole: :copy needs no `require "copy"`, and :try is accepted
 * but changes nothing, because a failing pipe always leaves the message kept here.
 * vnd.dovecot.execute (run during evaluation, output into variables) is vnd-dovecot-execute.ts.
 * Status: complete (the pipe command).
 */
import { defineCommand, defineExtension } from './define.js';
import { isConstant, type Str } from '../runtime/strings.js';

/** A program name as Pigeonhole allows it: a file name in the configured directory, never a path. */
function programProblem(name: string): string | undefined {
  if (name === '') return 'the program name is empty';
  if (name.includes('/')) return `program name "${name}" may not contain "/"`;
  if (name.startsWith('.')) return `program name "${name}" may not start with "."`;
  return undefined;
}

const pipe = defineCommand<{ program: Str; args: readonly Str[]; copy: boolean }>({
  signature: {
    positional: [{ name: 'program name', kind: 'string' }, { name: 'arguments', kind: 'string-list', optional: true }],
    tags: { copy: {}, try: {} },
  },
  lower(call, cx) {
    const program = call.positional[0]!;
    if (isConstant(program.str!)) {
      const problem = programProblem(program.str);
      if (problem) {
        cx.error('invalid-value', program.span, problem);
        return undefined;
      }
    }
    return { program: program.str!, args: call.positional[1]?.list ?? [], copy: call.tag('copy') !== undefined };
  },
  run(args, rt) {
    const program = rt.expand(args.program);
    const problem = programProblem(program);
    if (problem) return rt.fail('script-error', problem);
    rt.addAction({ type: 'pipe', program, args: rt.expandList(args.args), copy: args.copy });
  },
});

export const vndDovecotPipe = defineExtension({
  name: 'vnd.dovecot.pipe',
  spec: 'Pigeonhole sieve_extprograms',
  commands: { pipe },
});
