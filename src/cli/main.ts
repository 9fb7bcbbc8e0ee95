/** The `mailsift` command line. Each subcommand lives in its own file; this only wires them. */
import { Command, CommanderError } from 'commander';
import { checkCommand } from './check.js';
import { processOutput, type Output } from './io.js';
import { testCommand } from './test-command.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function main(argv: readonly string[], out: Output = processOutput): Promise<number> {
  let code = 0;
  const program = new Command('mailsift')
    .description('Sieve-compatible mail rules for IMAP, POP3, SMTP intake and local mailboxes')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout(s), writeErr: (s) => out.stderr(s) });

  program
    .command('check')
    .description('check a rules file and report every error')
    .argument('<rules>', 'Sieve rules file')
    .option('--json', 'print the diagnostics as JSON')
    .action(async (rules: string, opts: { json?: boolean }) => {
      code = await checkCommand(rules, opts, out);
    });

  program
    .command('test')
    .description('dry-run rules against messages (.eml, mbox, Maildir or a directory); nothing is changed')
    .argument('<rules>', 'Sieve rules file')
    .argument('<source...>', 'messages: .eml files, mbox files, Maildirs or directories of .eml files')
    .option('--envelope-from <address>', 'envelope sender (default: Return-Path or From)')
    .option('--envelope-to <address>', 'envelope recipient (default: Delivered-To, X-Original-To or To)')
    .option('--mailbox-exists <name>', 'a mailbox that mailboxexists should see (repeatable)', collect, [])
    .option('--json', 'one JSON object per message')
    .option('--trace', 'show which rules ran, which tests were true and what they compared')
    .action(async (rules: string, sources: string[], opts: { envelopeFrom?: string; envelopeTo?: string; mailboxExists: string[]; json?: boolean; trace?: boolean }) => {
      code = await testCommand(rules, sources, opts, out);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof Error && 'code' in err) {
      out.stderr(`mailsift: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return code;
}
