/**
 * `mailsift run [--config FILE] [--log-format text|json]`: the daemon, in the foreground.
 * One log line per message and per connection event on stdout; SIGHUP reloads, SIGTERM and
 * SIGINT finish the messages in flight and exit 0.
 *
 * Exit status: 0 after a clean stop; 1 when it cannot run (state directory locked by another
 * daemon or unusable); 2 for a configuration problem or a rules file that does not compile.
 */
import { startDaemon, RulesLoadError } from '../daemon/daemon.js';
import { createLogger, type LogFormat } from '../daemon/log.js';
import { EXIT_OK, EXIT_USAGE, loadConfigOrReport, reportError, rulesFailureText } from './config-load.js';
import { failOnClosedPipe, type Output } from './io.js';

export interface RunCommandOptions {
  readonly config?: string;
  readonly logFormat?: string;
}

export function parseLogFormat(value: string | undefined, out: Output): LogFormat | undefined {
  if (value === undefined || value === 'text' || value === 'json') return (value ?? 'text') as LogFormat;
  out.stderr(`mailsift: [USAGE] --log-format must be "text" or "json", not ${JSON.stringify(value)}\n`);
  return undefined;
}

export async function runCommand(options: RunCommandOptions, out: Output): Promise<number> {
  const format = parseLogFormat(options.logFormat, out);
  if (!format) return EXIT_USAGE;
  const config = await loadConfigOrReport(options.config, out);
  if (typeof config === 'number') return config;
  failOnClosedPipe();
  const logger = createLogger({ format, write: (line) => out.stdout(line) });
  let daemon;
  try {
    daemon = await startDaemon(config, { logger, handleSignals: true, configFile: config.file });
  } catch (err) {
    if (err instanceof RulesLoadError) {
      for (const f of err.failures) out.stderr(`${rulesFailureText(f)}\n`);
      out.stderr(`mailsift: [${err.code}] not started: ${err.message}\n`);
      return EXIT_USAGE;
    }
    return reportError(err, out);
  }
  await daemon.stopped;
  // Everything is closed; a connect still hanging on a dead host must not keep the process.
  setTimeout(() => process.exit(EXIT_OK), 3000).unref();
  return EXIT_OK;
}
