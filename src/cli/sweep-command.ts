/**
 * `mailsift sweep --account A [--mailbox M] [--rules FILE] [--dry-run] [--config FILE]`:
 * run rules over the messages already in a mailbox, as Pigeonhole's sieve-filter does. One
 * line per message, a progress bar on a terminal, and a summary per action type at the end.
 * The action ledger is honoured: a second sweep repeats nothing (see src/daemon/sweep.ts).
 *
 * Rules: --rules, else the `[[sweep]]` entry of that account and mailbox, else the
 * `[[watch]]` covering the mailbox. Maildir and mbox accounts can only be swept with
 * --dry-run for now.
 *
 * Exit status: 0 when every message ran cleanly; 1 when a message's rules or actions failed
 * (it stayed where it was) or the server cannot be reached; 2 for usage, configuration or
 * rules problems.
 */
import { RuleSettings } from '../daemon/rule-settings.js';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { compile } from '../dsl/compile.js';
import type { Config } from '../config/types.js';
import { patternMatcher } from '../connectors/imap/mailbox-state.js';
import { MailboxWatcher } from '../connectors/imap/watch.js';
import { resolveSecret } from '../config/secrets.js';
import { defaultExecutorFactory, executorDeps } from '../daemon/executor.js';
import { createLogger, type DaemonLogger } from '../daemon/log.js';
import { cachedMailboxExists, imapAccounts, ImapSessions } from '../daemon/sessions.js';
import { formatSweepSummary, sweep } from '../daemon/sweep.js';
import { sameMailbox } from '../runtime/result.js';
import { openState, type StateDb } from '../state/db.js';
import { EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, loadConfigOrReport, reportError } from './config-load.js';
import { formatDiagnostics } from '../report/format-diagnostics.js';
import { readRules, type Output } from './io.js';
import { parseLogFormat } from './run-command.js';

export interface SweepCommandOptions {
  readonly config?: string;
  readonly account?: string;
  readonly mailbox?: string;
  readonly rules?: string;
  readonly dryRun?: boolean;
  readonly logFormat?: string;
  /** Where the progress bar goes; shown only when it is a TTY. Default process.stderr. */
  readonly progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The rules file for a sweep: --rules, the matching [[sweep]], or the [[watch]] of the mailbox. */
export function sweepRulesFile(config: Config, account: string, mailbox: string, given?: string): string | undefined {
  if (given !== undefined) return resolve(given);
  const s = config.sweep.find((e) => e.account === account && sameMailbox(e.mailbox, mailbox));
  if (s) return s.rules;
  return config.watch.find((w) => w.account === account && patternMatcher(w.mailboxes, '/')(mailbox))?.rules;
}

export async function sweepCommand(options: SweepCommandOptions, out: Output): Promise<number> {
  const format = parseLogFormat(options.logFormat, out);
  if (!format) return EXIT_USAGE;
  if (!options.account) {
    out.stderr('mailsift: [USAGE] sweep needs --account NAME\n');
    return EXIT_USAGE;
  }
  const config = await loadConfigOrReport(options.config, out);
  if (typeof config === 'number') return config;
  const account = config.accounts[options.account];
  if (!account) {
    out.stderr(`mailsift: [USAGE] no account "${options.account}" in ${config.file} (accounts: ${Object.keys(config.accounts).join(', ') || 'none'})\n`);
    return EXIT_USAGE;
  }
  const mailbox = options.mailbox ?? 'INBOX';
  const rulesFile = sweepRulesFile(config, account.name, mailbox, options.rules);
  if (!rulesFile) {
    out.stderr(`mailsift: [USAGE] no rules for ${account.name} ${mailbox}: pass --rules FILE, or add a [[sweep]] or [[watch]] entry for it\n`);
    return EXIT_USAGE;
  }
  let source: string;
  try {
    source = await readRules(rulesFile);
  } catch (err) {
    return reportError(err, out);
  }
  const compiled = compile(source, { file: rulesFile });
  if (!compiled.ok) {
    out.stderr(`${formatDiagnostics(rulesFile, source, compiled.diagnostics)}\n`);
    return EXIT_USAGE;
  }
  if (!options.dryRun && account.type !== 'imap') {
    out.stderr(`mailsift: [SWEEP_UNSUPPORTED] account "${account.name}" is a local ${account.type}: it can only be swept with --dry-run for now (nothing would be changed)\n`);
    return EXIT_USAGE;
  }

  const stream = options.progressStream ?? process.stderr;
  const bar = stream.isTTY
    ? new cliProgress.MultiBar({ stream, format: ' {bar} {value}/{total} messages', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : undefined;
  const progress = bar?.create(0, 0);
  // With a bar, message lines are written above it, through the bar.
  const logger: DaemonLogger = createLogger({ format, timestamps: false, write: bar ? (line) => bar.log(line) : (line) => out.stdout(line) });

  let state: StateDb | undefined;
  const sessions = new ImapSessions({ logger });
  let watcher: MailboxWatcher | undefined;
  try {
    state = openState(config.state.dir);
    sessions.setAccounts(imapAccounts(config));
    if (account.type === 'imap') {
      const password = await resolveSecret(account.password, `password of account "${account.name}"`);
      watcher = new MailboxWatcher(
        { name: account.name, host: account.host, port: account.port, tls: account.tls, user: account.user, password, allowInsecure: account.allowInsecure },
        { mailboxes: [mailbox], mode: 'poll', pollIntervalMs: 3_600_000 },
      );
      await watcher.start();
      sessions.claim(account.name);
      sessions.set(account.name, watcher);
    }
    const executor = defaultExecutorFactory(executorDeps(config, state, sessions, logger));
    const ruleSettings = new RuleSettings(logger);
    ruleSettings.configure(config);
    const summary = await sweep(
      { account, mailbox, plan: compiled.plan, dryRun: !!options.dryRun },
      {
        state,
        executor,
        logger,
        ...(watcher && { session: watcher }),
        mailboxExists: watcher ? cachedMailboxExists(watcher) : async () => false,
        settings: () => ruleSettings.get(),
        programs: () => config.pipe,
        progress: (done, total) => {
          if (!progress) return;
          progress.setTotal(Math.max(total ?? 0, done));
          progress.update(done);
        },
      },
    );
    bar?.update(); // flush lines logged since the last redraw
    bar?.stop();
    out.stdout(`${account.name} ${mailbox}: ${formatSweepSummary(summary, !!options.dryRun)}\n`);
    return summary.errors || summary.interrupted ? EXIT_RUNTIME : EXIT_OK;
  } catch (err) {
    bar?.update();
    bar?.stop();
    return reportError(err, out);
  } finally {
    await watcher?.stop();
    await sessions.close();
    state?.close();
  }
}
