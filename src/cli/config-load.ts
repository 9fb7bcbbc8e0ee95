/**
 * Loading the configuration for the daemon's commands (run, status, config, sweep): a
 * config problem is printed one line per problem and is exit status 2.
 */
import { loadConfig } from '../config/load.js';
import { ConfigError, formatProblem } from '../config/problems.js';
import type { Config } from '../config/types.js';
import { MailsiftError } from '../errors.js';
import type { Output } from './io.js';

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

/** The config, or the exit status after printing why there is none. */
export async function loadConfigOrReport(file: string | undefined, out: Output): Promise<Config | number> {
  try {
    return await loadConfig(file);
  } catch (err) {
    if (err instanceof MailsiftError) {
      reportError(err, out);
      return EXIT_USAGE;
    }
    throw err;
  }
}

/** A rules file that cannot be read or compiled, as `mailsift config` and `run` print it. */
export function rulesFailureText(f: { code: string; text: string }): string {
  // Compile errors are already diagnostics with file:line:column and codes; a read error is one line.
  return f.code === 'RULES_UNREADABLE' ? `mailsift: [${f.code}] ${f.text}` : f.text;
}

/**
 * One line for an error on stderr, with its stable code in front; the exit status for it (2 for
 * usage/config, 1 otherwise). A configuration that cannot be used is one line per problem
 * instead, naming file and key, with the problem's code at the end (`... [unknown-key]`,
 * docs/configuration.md).
 */
export function reportError(err: unknown, out: Output): number {
  if (!(err instanceof Error)) throw err;
  if (err instanceof ConfigError) {
    out.stderr(`${err.problems.map((p) => `${formatProblem(err.file, p)} [${p.code}]`).join('\n')}\n`);
    return EXIT_USAGE;
  }
  const code = (err as { code?: unknown }).code;
  out.stderr(`mailsift: ${typeof code === 'string' ? `[${code}] ` : ''}${err.message}\n`);
  return code === 'USAGE' || code === 'CONFIG_INVALID' || code === 'CONFIG_UNREADABLE' || code === 'SWEEP_UNSUPPORTED' || code === 'RULES_INVALID' || code === 'RULES_UNREADABLE' ? EXIT_USAGE : EXIT_RUNTIME;
}
