/**
 * Running an allow-listed external program, shared by `pipe` (src/outbound/pipe.ts, after the
 * script) and `execute` (src/host/execute.ts, during the script). As Pigeonhole's
 * sieve_extprograms: only programs directly in the configured directory (`[pipe] dir`), named
 * without "/" and not starting with "." — no paths, no shell, arguments passed as they are, and
 * a minimal environment (PATH, HOME, LANG plus what the caller adds).
 *
 * A program that is missing, not executable, runs past the timeout (its whole process group is
 * killed) or prints more than the output cap (stdout and stderr together) is a failure (a
 * ProgramFailure, PIPE_FAILED); a program that ran to its end resolves with its exit status,
 * whatever it is: what a non-zero status means is the caller's business.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { PipeConfig } from '../config/types.js';
import { MailsiftError } from '../errors.js';

/** The allow-list and limits: the `[pipe]` section. */
export type ProgramConfig = PipeConfig;

const NAME_RE = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$/;

export interface ProgramRunOptions {
  /** How failures are worded: "pipe to spamc", "execute spamc". */
  readonly label: string;
  /** Added to the minimal environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** A program that ran to its end. */
export interface ProgramExit {
  /** null when it was killed by a signal (then `signal` says which). */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  /** The last ~200 characters of stdout and stderr, for messages. */
  readonly tail: string;
}

/**
 * PIPE_FAILED: the program may not run or did not end well. The message is "<label>: <reason>";
 * `reason` alone is what `execute` reports ("timed out after 5s"), so no caller has to cut the
 * label off the message again.
 */
export class ProgramFailure extends MailsiftError {
  constructor(
    readonly reason: string,
    options: { readonly label: string; readonly cause?: unknown },
  ) {
    super('PIPE_FAILED', `${options.label}: ${reason}`, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

function fail(label: string, why: string, cause?: unknown): ProgramFailure {
  return new ProgramFailure(why, { label, cause });
}

/** The program's path, or why it may not run. */
async function resolveProgram(dir: string, program: string, label: string): Promise<string> {
  if (!NAME_RE.test(program)) throw fail(label, 'the name may not contain "/" or start with "."');
  const path = join(dir, program);
  try {
    // A symlink placed in the directory is the administrator's choice (as in Pigeonhole).
    const real = await realpath(path);
    if (!(await stat(real)).isFile()) throw fail(label, 'not a regular file');
    await access(real, constants.X_OK);
    return path;
  } catch (err) {
    if (err instanceof ProgramFailure) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(label, code === 'ENOENT' ? `no such program in ${dir}` : code === 'EACCES' ? 'not executable' : `cannot run (${code ?? (err as Error).message})`, err);
  }
}

/** Run `program` with `args`, `input` on stdin (closed at once when empty). */
export async function runProgram(config: ProgramConfig, program: string, args: readonly string[], input: Uint8Array, options: ProgramRunOptions): Promise<ProgramExit> {
  const { label } = options;
  const path = await resolveProgram(config.dir, program, label);
  return new Promise((resolve, reject) => {
    const child = spawn(path, [...args], {
      cwd: config.dir.endsWith(sep) ? config.dir : config.dir + sep,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so that a timeout kills what it started too.
      detached: true,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(process.env.HOME ? { HOME: process.env.HOME } : {}), LANG: process.env.LANG ?? 'C.UTF-8', ...options.env },
    });
    let output = 0;
    let tail = '';
    const stdout: Buffer[] = [];
    let settled = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const finish = (err: ProgramFailure | undefined, exit?: ProgramExit): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(exit!);
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(fail(label, `timed out after ${Math.round(config.timeoutMs / 100) / 10}s`));
    }, config.timeoutMs);
    const count = (chunk: Buffer): void => {
      output += chunk.length;
      tail = (tail + chunk.toString('utf8')).slice(-200);
      if (output > config.maxOutputBytes) {
        killGroup();
        finish(fail(label, `printed more than ${config.maxOutputBytes} bytes`));
      }
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      count(chunk);
    });
    child.stderr!.on('data', count);
    child.on('error', (err) => finish(fail(label, err.message, err)));
    // A program that does not read its input closes the pipe early: that is its business.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
    child.on('close', (exitCode, signal) => finish(undefined, { exitCode, signal, stdout: Buffer.concat(stdout), tail }));
  });
}

/** "exit status 3: <last line>" / "killed by SIGTERM": why a run that ended is not a success. */
export function exitProblem(exit: ProgramExit): string {
  const last = exit.tail.trim().split('\n').pop()?.trim();
  return `${exit.signal ? `killed by ${exit.signal}` : `exit status ${exit.exitCode}`}${last ? `: ${last.slice(0, 120)}` : ''}`;
}
