/**
 * pipe (vnd.dovecot.pipe): hand the message to a program on stdin. As Pigeonhole's
 * sieve_extprograms: only programs directly in the configured directory (`[pipe] dir`), named
 * without "/" — no paths, no shell, arguments passed as they are. A minimal environment
 * (PATH, HOME, LANG and MAILSIFT_ACCOUNT / MAILSIFT_MAILBOX / MAILSIFT_UID).
 *
 * Failure means keep: a program that is missing, not executable, exits non-zero, runs past
 * the timeout (its process group is killed) or prints more than the output cap (stdout and
 * stderr together) fails the operation, so a `pipe` without :copy does not discard.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { PipeAction } from '../runtime/actions.js';
import type { OutboundContext, OutboundHandler } from '../actions/outbound.js';
import type { PipeConfig } from '../config/types.js';
import { MailsiftError } from '../errors.js';

const NAME_RE = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$/;

function fail(program: string, why: string, cause?: unknown): MailsiftError {
  return new MailsiftError('PIPE_FAILED', `pipe to ${program}: ${why}`, cause === undefined ? undefined : { cause });
}

/** The program's path, or why it may not run. */
async function resolveProgram(dir: string, program: string): Promise<string> {
  if (!NAME_RE.test(program)) throw fail(program, 'the name may not contain "/" or start with "."');
  const path = join(dir, program);
  try {
    // A symlink placed in the directory is the administrator's choice (as in Pigeonhole).
    const real = await realpath(path);
    if (!(await stat(real)).isFile()) throw fail(program, 'not a regular file');
    await access(real, constants.X_OK);
    return path;
  } catch (err) {
    if (err instanceof MailsiftError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(program, code === 'ENOENT' ? `no such program in ${dir}` : code === 'EACCES' ? 'not executable' : `cannot run (${code ?? (err as Error).message})`, err);
  }
}

export interface PipeRunOptions {
  readonly env?: Readonly<Record<string, string>>;
}

/** Run `program` with `args`, `input` on stdin. Resolves with a one-line detail. */
export async function runPipe(config: PipeConfig, program: string, args: readonly string[], input: Uint8Array, options: PipeRunOptions = {}): Promise<string> {
  const path = await resolveProgram(config.dir, program);
  return new Promise((resolve, reject) => {
    const child = spawn(path, [...args], {
      cwd: config.dir.endsWith(sep) ? config.dir : config.dir + sep,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(process.env.HOME ? { HOME: process.env.HOME } : {}), LANG: process.env.LANG ?? 'C.UTF-8', ...options.env },
    });
    let output = 0;
    let tail = '';
    let settled = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const finish = (err?: MailsiftError, detail?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(detail!);
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(fail(program, `timed out after ${Math.round(config.timeoutMs / 100) / 10}s`));
    }, config.timeoutMs);
    const onOutput = (chunk: Buffer): void => {
      output += chunk.length;
      tail = (tail + chunk.toString('utf8')).slice(-200);
      if (output > config.maxOutputBytes) {
        killGroup();
        finish(fail(program, `printed more than ${config.maxOutputBytes} bytes`));
      }
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    child.on('error', (err) => finish(fail(program, err.message, err)));
    // A program that does not read its input closes the pipe early: that is its business.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
    child.on('close', (code, signal) => {
      if (code === 0) finish(undefined, `piped to ${program}${args.length ? ` ${args.join(' ')}` : ''}`);
      else {
        const last = tail.trim().split('\n').pop()?.trim();
        finish(fail(program, `${signal ? `killed by ${signal}` : `exit status ${code}`}${last ? `: ${last.slice(0, 120)}` : ''}`));
      }
    });
  });
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
