/**
 * `mailsift config [--print] [--config FILE]`: check the configuration file and every rules
 * file it names (what `mailsift run` would refuse to start with), or, with --print, show
 * the effective configuration: defaults filled in, paths expanded, secrets only as where they
 * come from (`password_env = "VAR"`, never the value).
 *
 * Secret files (`password_file`, `auth_token_file`) that cannot be read are warnings on stderr
 * (secret-files.ts); commands and variables are not looked at.
 *
 * Exit status: 0 valid; 2 for a configuration problem (one line each) or a rules file that
 * does not compile (its diagnostics).
 */
import { printConfig } from '../config/print.js';
import { RulesRegistry } from '../daemon/rules.js';
import { EXIT_OK, EXIT_USAGE, loadConfigOrReport, rulesFailureText } from './config-load.js';
import type { Output } from './io.js';
import { checkSecretFiles } from './secret-files.js';

export interface ConfigCommandOptions {
  readonly config?: string;
  readonly print?: boolean;
}

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

export async function configCommand(options: ConfigCommandOptions, out: Output): Promise<number> {
  const config = await loadConfigOrReport(options.config, out);
  if (typeof config === 'number') return config;
  if (options.print) {
    out.stdout(printConfig(config));
    return EXIT_OK;
  }
  const files = [...new Set([...config.watch.map((w) => w.rules), ...config.sweep.map((s) => s.rules)])];
  const result = await new RulesRegistry().load(files);
  for (const w of result.warnings) out.stderr(`${w.text}\n`);
  for (const f of result.failed) out.stderr(`${rulesFailureText(f)}\n`);
  if (result.failed.length) {
    out.stderr(`${config.file}: ${plural(result.failed.length, 'rules file')} cannot be used\n`);
    return EXIT_USAGE;
  }
  // Warnings, not failures: the daemon starts without them and reads secrets when it needs them.
  for (const line of await checkSecretFiles(config)) out.stderr(`${line}\n`);
  out.stdout(
    `${config.file}: ok (${plural(Object.keys(config.accounts).length, 'account')}, ${plural(config.watch.length, 'watch', 'watches')}, ${plural(config.sweep.length, 'sweep')}, ${plural(files.length, 'rules file')})\n`,
  );
  return EXIT_OK;
}
