/**
 * The `mailsift` command line. Each subcommand lives in its own file; this only wires them.
 * A command's module is imported when that command runs, not up front: the rules compiler,
 * imapflow, nodemailer and twilio cost ~0.5 s of CPU to load, which `mailsift train` or
 * `mailsift classify` never need (measured: bench/README.md, section classify).
 */
import { Command, CommanderError } from 'commander';
import { MAILSIFT_VERSION } from '../extensions/environment.js';
import { processOutput, type Output } from './io.js';
import type { TrainOptions } from './train.js';
import type { ClassifyCliOptions } from './classify.js';

/** A repeatable option. No default value: commander would print it as "(default: [])" in --help. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const CONFIG_HELP = 'configuration file (default: $XDG_CONFIG_HOME/mailsift/config.toml, i.e. ~/.config/mailsift/config.toml)';

export async function main(argv: readonly string[], out: Output = processOutput): Promise<number> {
  let code = 0;
  const program = new Command('mailsift')
    .description('Sieve-compatible mail rules for IMAP, POP3, SMTP intake and local mailboxes')
    .version(MAILSIFT_VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.stdout(s),
      writeErr: (s) => out.stderr(s),
      // commander's "error: unknown option '--frob'" in the form of every other CLI error.
      outputError: (s, write) => write(`mailsift: [USAGE] ${s.replace(/^error: /, '')}`),
    });

  program
    .command('check')
    .description('check a rules file and report every error')
    .argument('<rules>', 'Sieve rules file')
    .option('--json', 'print the diagnostics as JSON')
    .action(async (rules: string, opts: { json?: boolean }) => {
      code = await (await import('./check.js')).checkCommand(rules, opts, out);
    });

  program
    .command('test')
    .description('dry-run rules against messages (.eml, mbox, Maildir or a directory); nothing is changed')
    .argument('<rules>', 'Sieve rules file')
    .argument('<source...>', 'messages: .eml files, mbox files, Maildirs or directories of .eml files')
    .option('--envelope-from <address>', 'envelope sender (default: Return-Path or From)')
    .option('--envelope-to <address>', 'envelope recipient (default: Delivered-To, X-Original-To or To)')
    .option('--mailbox-exists <name>', 'a mailbox that mailboxexists should see (repeatable)', collect)
    .option('--json', 'one JSON object per message')
    .option('--trace', 'show which rules ran, which tests were true and what they compared')
    .option('--model <dir>', 'a classifier model for classify and spamtest (repeatable; the first is the default)', collect)
    .option('--execute-dir <dir>', 'really run vnd.dovecot.execute programs from this directory (else none runs and execute tests are false)')
    .action(async (rules: string, sources: string[], opts: { envelopeFrom?: string; envelopeTo?: string; mailboxExists?: string[]; json?: boolean; trace?: boolean; model?: string[]; executeDir?: string }) => {
      code = await (await import('./test-command.js')).testCommand(rules, sources, opts, out);
    });

  program
    .command('run')
    .description('the daemon: watch the configured IMAP mailboxes and run the rules on new mail (foreground)')
    .option('--config <file>', CONFIG_HELP)
    .option('--log-format <format>', 'text or json', 'text')
    .action(async (opts: { config?: string; logFormat?: string }) => {
      code = await (await import('./run-command.js')).runCommand(opts, out);
    });

  program
    .command('status')
    .description("what the daemon is doing: per account and mailbox mode, lag, last event, last error, processed count")
    .option('--config <file>', CONFIG_HELP)
    .option('--json', 'print JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      code = await (await import('./status-command.js')).statusCommand(opts, out);
    });

  program
    .command('config')
    .description('check the configuration and its rules files, or print the effective configuration')
    .option('--config <file>', CONFIG_HELP)
    .option('--print', 'print the effective configuration (defaults filled in; secrets only as where they come from)')
    .action(async (opts: { config?: string; print?: boolean }) => {
      code = await (await import('./config-command.js')).configCommand(opts, out);
    });

  program
    .command('sweep')
    .description('run rules over the messages already in a mailbox (the action ledger prevents repeats)')
    .requiredOption('--account <name>', 'account to sweep')
    .option('--mailbox <name>', 'mailbox (IMAP) or folder (Maildir)', 'INBOX')
    .option('--rules <file>', 'rules file (default: the [[sweep]] or [[watch]] entry of that mailbox)')
    .option('--dry-run', 'show what would be done; change nothing')
    .option('--config <file>', CONFIG_HELP)
    .option('--log-format <format>', 'text or json', 'text')
    .action(async (opts: { account: string; mailbox: string; rules?: string; dryRun?: boolean; config?: string; logFormat?: string }) => {
      code = await (await import('./sweep-command.js')).sweepCommand(opts, out);
    });

  for (const [name, what] of [['train', 'teach'], ['untrain', 'unteach']] as const) {
    program
      .command(name)
      .description(`${what} a classifier model the messages of files, mboxes, Maildirs, directories or an IMAP mailbox`)
      .argument('[source...]', 'messages: .eml files, mbox files, Maildirs or directories of .eml files')
      .requiredOption('--model <dir>', 'model directory (holds model.sqlite)')
      .requiredOption('--bucket <name>', 'bucket, e.g. spam, ham, work')
      .option('--account <name>', 'read an IMAP mailbox of this configured account (with --mailbox)')
      .option('--mailbox <name>', 'IMAP mailbox to read (read-only)')
      .option('--config <file>', `${CONFIG_HELP}; only read with --account`)
      .option('--no-progress', 'no progress bar')
      .action(async (sources: string[], opts: TrainOptions) => {
        const train = await import('./train.js');
        code = await (name === 'train' ? train.trainCommand : train.untrainCommand)(sources, opts, out);
      });
  }

  program
    .command('classify')
    .description("a classifier model's verdict on messages (.eml, mbox, Maildir or a directory)")
    .argument('<source...>', 'messages: .eml files, mbox files, Maildirs or directories of .eml files')
    .requiredOption('--model <dir>', 'model directory')
    .option('--json', 'one JSON object per message')
    .option('--explain', 'list the tokens that weighed most, with their weights')
    .action(async (sources: string[], opts: ClassifyCliOptions) => {
      code = await (await import('./classify.js')).classifyCommand(sources, opts, out);
    });

  program
    .command('model')
    .description('classifier models')
    .command('stats')
    .description('buckets, message and token counts of a model')
    .requiredOption('--model <dir>', 'model directory')
    .option('--json', 'print JSON')
    .action(async (opts: { model: string; json?: boolean }) => {
      code = await (await import('./model-stats.js')).modelStatsCommand(opts, out);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof Error && 'code' in err) {
      // Printed as the daemon's commands print theirs (a broken configuration of train/untrain
      // --account as `mailsift config` does), but always exit status 2.
      (await import('./config-load.js')).reportError(err, out);
      return 2;
    }
    throw err;
  }
  return code;
}
