/**
 * The host's answer to vnd.dovecot.execute (src/extensions/vnd-dovecot-execute.ts): run the
 * program now, as `pipe` runs its programs (src/host/run-program.ts: `[pipe] dir` only, no
 * shell, timeout, output cap), and report how it ended. Used by the daemon (run-rules.ts),
 * `mailsift test --execute-dir` and the differential tests.
 *
 * The environment carries SENDER and RECIPIENT from the envelope, as Pigeonhole sets them for
 * its external programs.
 */
import type { Envelope } from '../runtime/runtime.js';
import type { ExecuteAnswer, HostQuery } from '../runtime/host.js';
import { ProgramFailure, runProgram, type ProgramConfig } from './run-program.js';

type ExecuteQuery = Extract<HostQuery, { kind: 'execute' }>;

const EMPTY = new Uint8Array(0);

/** Run the program of an `execute` question; never throws (a failure is an answer). */
export async function answerExecute(config: ProgramConfig | undefined, q: ExecuteQuery, envelope: Envelope = {}): Promise<ExecuteAnswer> {
  if (!config) return { kind: 'failed', reason: 'no [pipe] section is configured' };
  const env: Record<string, string> = {};
  if (envelope.from !== undefined) env.SENDER = envelope.from;
  if (envelope.to !== undefined) env.RECIPIENT = envelope.to;
  try {
    const exit = await runProgram(config, q.program, q.args, q.input ?? EMPTY, { label: `execute ${q.program}`, env });
    return { kind: 'exited', exitCode: exit.exitCode, output: exit.stdout.toString('utf8') };
  } catch (err) {
    return { kind: 'failed', reason: err instanceof ProgramFailure ? err.reason : (err as Error).message };
  }
}
