/**
 * pipe (vnd.dovecot.pipe): hand the message to a program on stdin, after the script. The
 * program runs as src/host/run-program.ts runs every external program (also `execute`): only
 * programs directly in `[pipe] dir`, no shell, a timeout and an output cap; the environment
 * adds MAILSIFT_ACCOUNT / MAILSIFT_MAILBOX / MAILSIFT_UID.
 *
 * Failure means keep: a program that is missing, not executable, exits non-zero, runs past
 * the timeout or prints more than the output cap fails the operation, so a `pipe` without
 * :copy does not discard.
 */
import type { PipeAction } from '../runtime/actions.js';
import type { OutboundContext, OutboundHandler } from '../actions/outbound.js';
import type { PipeConfig } from '../config/types.js';
import { MailsiftError } from '../errors.js';
import { exitProblem, ProgramFailure, runProgram } from '../host/run-program.js';

export interface PipeRunOptions {
  readonly env?: Readonly<Record<string, string>>;
}

/** Run `program` with `args`, `input` on stdin. Resolves with a one-line detail; any failure is a ProgramFailure (PIPE_FAILED). */
export async function runPipe(config: PipeConfig, program: string, args: readonly string[], input: Uint8Array, options: PipeRunOptions = {}): Promise<string> {
  const label = `pipe to ${program}`;
  const exit = await runProgram(config, program, args, input, { label, ...(options.env && { env: options.env }) });
  if (exit.exitCode !== 0) throw new ProgramFailure(exitProblem(exit), { label });
  return `piped to ${program}${args.length ? ` ${args.join(' ')}` : ''}`;
}

export function pipeHandler(config: PipeConfig | undefined): OutboundHandler<PipeAction> {
  return {
    async run(ctx: OutboundContext<PipeAction>): Promise<string> {
      const a = ctx.action;
      if (!config) throw new MailsiftError('OUTBOUND_NOT_CONFIGURED', `pipe to ${a.program}: no [pipe] section is configured`);
      // A pipe is not repeatable either: the program may have got the message already.
      if (ctx.inDoubt) return `not piped to ${a.program} again: an earlier attempt was interrupted and may have run`;
      const input = await ctx.message();
      return runPipe(config, a.program, a.args, input, {
        env: { MAILSIFT_ACCOUNT: ctx.ref.account, MAILSIFT_MAILBOX: ctx.ref.mailbox, MAILSIFT_UID: String(ctx.ref.uid) },
      });
    },
  };
}
