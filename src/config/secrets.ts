/**
 * Passwords and tokens, from a command, a file or an environment variable.
 * The value is returned to the caller and nowhere else: it is never logged, never
 * put into an error message or an error's `cause`, and never cached here (the
 * caller holds it in memory for as long as it needs it).
 *
 * `*_command` runs through `/bin/sh -c`, as isync's PassCmd and mutt's
 * `<command>|` do: users write shell (`pass show x | head -1`), and this is how
 * they expect it to run. It gets no stdin, its stderr goes to ours (so gpg's
 * complaints reach the user or the daemon log), and it runs in its own process
 * group so a timeout kills the whole pipeline, not just the shell.
 */
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { MailsiftError } from '../errors.js';
import { describeFsError } from '../connectors/local/errors.js';

/** Exactly one field set. `SecretRef` from the config fits this shape. */
export interface SecretSpec {
  readonly command?: string;
  readonly file?: string;
  readonly env?: string;
}

export interface ResolveSecretOptions {
  /** Default 30 s. */
  readonly timeoutMs?: number;
  /** For `env` and the command's environment. Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Non-fatal advice (a world-readable password file). Default: a line on stderr. */
  readonly onWarning?: (message: string) => void;
}

/** A password never needs more; a runaway command is stopped here. */
const MAX_OUTPUT_BYTES = 64 * 1024;

/** Remove one trailing newline (LF or CRLF), as `$(cmd)` would but only one. */
function trimOneNewline(s: string): string {
  if (s.endsWith('\r\n')) return s.slice(0, -2);
  if (s.endsWith('\n')) return s.slice(0, -1);
  return s;
}

function nonEmpty(value: string, what: string, source: string): string {
  if (value === '') throw new MailsiftError('SECRET_EMPTY', `${what}: ${source} gave an empty value`);
  return value;
}

function runCommand(command: string, what: string, timeoutMs: number, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const failed = (detail: string, cause?: unknown): MailsiftError =>
    new MailsiftError('SECRET_COMMAND_FAILED', `${what}: command ${JSON.stringify(command)} ${detail}`, cause === undefined ? undefined : { cause });
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'], detached: true, env: env as NodeJS.ProcessEnv });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: MailsiftError | undefined, value?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value!);
    };
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      child.stdout?.destroy();
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(failed(`timed out after ${Math.round(timeoutMs / 1000)}s`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        killGroup();
        finish(failed(`printed more than ${MAX_OUTPUT_BYTES / 1024} KiB`));
        return;
      }
      chunks.push(chunk);
    });
    // Deliberately no `cause` with output in it: only the spawn error itself.
    child.on('error', (err) => finish(failed(`could not be started: ${err.message}`, err)));
    child.on('close', (code, signal) => {
      if (code === 0) {
        const value = trimOneNewline(Buffer.concat(chunks).toString('utf8'));
        chunks.length = 0;
        try {
          finish(undefined, nonEmpty(value, what, `command ${JSON.stringify(command)}`));
        } catch (err) {
          finish(err as MailsiftError);
        }
      } else if (signal !== null) finish(failed(`was killed by ${signal}`));
      else finish(failed(`exited with status ${code}`));
    });
  });
}

async function readSecretFile(file: string, what: string, onWarning: (m: string) => void): Promise<string> {
  let text: string;
  try {
    const st = await stat(file);
    // World-readable or -writable: the file works, but anyone on the machine can read it.
    if ((st.mode & 0o006) !== 0) onWarning(`${what}: ${file} is readable by other users; run chmod 600 ${file}`);
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new MailsiftError('SECRET_UNREADABLE', `${what}: cannot read ${file}: ${describeFsError(cause)}`, { cause });
  }
  return nonEmpty(trimOneNewline(text), what, `file ${file}`);
}

/**
 * The secret `spec` points at. `what` names it in errors ("password of account
 * work"). Throws SECRET_COMMAND_FAILED (non-zero exit, signal, timeout, too much
 * output; the exit status is given, the output never), SECRET_UNREADABLE
 * (file unreadable, variable unset, or not exactly one source) or SECRET_EMPTY.
 */
export async function resolveSecret(spec: SecretSpec, what: string, options: ResolveSecretOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const sources = (['command', 'file', 'env'] as const).filter((k) => spec[k] !== undefined);
  if (sources.length !== 1) {
    throw new MailsiftError('SECRET_UNREADABLE', `${what}: exactly one of command, file or env must be given, not ${sources.length}`);
  }
  if (spec.command !== undefined) return runCommand(spec.command, what, options.timeoutMs ?? 30_000, env);
  if (spec.file !== undefined) {
    const warn = options.onWarning ?? ((m: string) => void process.stderr.write(`mailsift: warning: ${m}\n`));
    return readSecretFile(spec.file, what, warn);
  }
  const name = spec.env!;
  const value = env[name];
  if (value === undefined) throw new MailsiftError('SECRET_UNREADABLE', `${what}: environment variable ${name} is not set`);
  return nonEmpty(value, what, `environment variable ${name}`);
}
