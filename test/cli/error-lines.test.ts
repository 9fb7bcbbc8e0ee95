/**
 * A user's mistake on the command line gives one line on stderr that says what and where,
 * with the stable code of the error (src/errors.ts, or the config problem's code), and no
 * stack trace. Found by walking through the README and docs as a new user would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir('mailsift-cli-errors-');
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const oneLine = (s: string) => s.trim().split('\n');

describe('errors of the message and rules commands carry their code', () => {
  it('check of a missing rules file: RULES_UNREADABLE', async () => {
    const r = await run('check', join(dir, 'nope.sieve'));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([`mailsift: [RULES_UNREADABLE] cannot read rules file ${join(dir, 'nope.sieve')}: no such file`]);
  });

  it('test over a path that does not exist: SOURCE_UNREADABLE', async () => {
    const r = await run('test', file('keep.sieve', 'keep;\n'), join(dir, 'no-such-Maildir'));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^mailsift: \[SOURCE_UNREADABLE\] .*no-such-Maildir/);
  });

  it('classify of a file that is no mail: SOURCE_UNKNOWN', async () => {
    const model = join(dir, 'model');
    expect((await run('train', '--model', model, '--bucket', 'ham', file('ham.eml', 'Subject: hi\n\nhello\n'))).code).toBe(0);
    const r = await run('classify', '--model', model, file('notes.txt', '(not a mail)\njust text\n'));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^mailsift: \[SOURCE_UNKNOWN\] not a message source: .*notes\.txt/);
  });

  it('classify with a model directory that holds no model: MODEL_UNAVAILABLE', async () => {
    const empty = join(dir, 'empty-model');
    mkdirSync(empty);
    const r = await run('classify', '--model', empty, file('m.eml', 'Subject: hi\n\nhello\n'));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^mailsift: \[MODEL_UNAVAILABLE\] no model at /);
  });

  it('train with the reserved bucket name: MODEL_INVALID', async () => {
    const r = await run('train', '--model', join(dir, 'm2'), '--bucket', 'unsure', file('u.eml', 'Subject: hi\n\nhello\n'));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^mailsift: \[MODEL_INVALID\] invalid bucket name "unsure"/);
  });
});

describe('configuration mistakes: one line per problem, naming file, key and code', () => {
  const keep = file('keep-rules.sieve', 'keep;\n');

  it('a wrong key, a wrong type and a missing password source, all at once', async () => {
    const config = file('wrong.toml', [
      '[state]', `dir = "${join(dir, 'state')}"`,
      '[accounts.work]', 'type = "imap"', 'host = "imap.example.com"', 'port = "993"', 'user = "me"', 'poll_intervl = "60s"',
      '[[watch]]', 'account = "work"', `rules = "${keep}"`, '',
    ].join('\n'));
    const r = await run('config', '--config', config);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([
      `${config}: key accounts.work.port: must be an integer between 1 and 65535 [wrong-type]`,
      `${config}: key accounts.work.password_command: one of password_command, password_file or password_env is required [secret-source]`,
      `${config}: key accounts.work.poll_intervl: unknown key (did you mean "poll_interval"?) [unknown-key]`,
    ]);
  });

  it('a TOML syntax error: its line and column, and the code', async () => {
    const config = file('syntax.toml', '[accounts.work\ntype = "imap"\n');
    const r = await run('config', '--config', config);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:\\d+: .* \\[toml-syntax\\]\\n$`));
  });

  it('a configuration file that does not exist: CONFIG_UNREADABLE', async () => {
    const r = await run('config', '--config', join(dir, 'missing.toml'));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([`mailsift: [CONFIG_UNREADABLE] cannot read config file ${join(dir, 'missing.toml')}: no such file or directory`]);
  });

  it('train --account with a broken configuration prints the problems the same way', async () => {
    const config = file('train.toml', 'foo = 1\n');
    const r = await run('train', '--model', join(dir, 'tm'), '--bucket', 'ham', '--account', 'work', '--mailbox', 'INBOX', '--config', config);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([`${config}: key foo: unknown key [unknown-key]`]);
  });

  it('config names a rules file that cannot be read: the file and RULES_UNREADABLE', async () => {
    const missing = join(dir, 'nightly.sieve');
    const config = file('rules-missing.toml', [
      '[state]', `dir = "${join(dir, 'state2')}"`,
      '[accounts.box]', 'type = "maildir"', `path = "${join(dir, 'Maildir')}"`,
      '[[sweep]]', 'account = "box"', `rules = "${missing}"`, 'schedule = "0 3 * * *"', '',
    ].join('\n'));
    const r = await run('config', '--config', config);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([
      `mailsift: [RULES_UNREADABLE] cannot read rules file ${missing}: no such file`,
      `${config}: 1 rules file cannot be used`,
    ]);
  });
});

describe('usage mistakes of the daemon commands carry USAGE', () => {
  const config = file('local.toml', [
    '[state]', `dir = "${join(dir, 'state-usage')}"`,
    '[accounts.box]', 'type = "maildir"', `path = "${join(dir, 'Maildir')}"`, '',
  ].join('\n'));

  it('sweep of an account that is not configured', async () => {
    const r = await run('sweep', '--account', 'nope', '--dry-run', '--config', config);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([`mailsift: [USAGE] no account "nope" in ${config} (accounts: box)`]);
  });

  it('sweep without --rules of a mailbox no [[sweep]] or [[watch]] names', async () => {
    const r = await run('sweep', '--account', 'box', '--dry-run', '--config', config);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(['mailsift: [USAGE] no rules for box INBOX: pass --rules FILE, or add a [[sweep]] or [[watch]] entry for it']);
  });

  it('run with an unknown --log-format', async () => {
    const r = await run('run', '--log-format', 'yaml', '--config', config);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(['mailsift: [USAGE] --log-format must be "text" or "json", not "yaml"']);
  });

  it('run whose rules file does not compile: the diagnostics, then one line with the code', async () => {
    const rules = file('broken-watch.sieve', 'if true {\n');
    const withWatch = file('intake.toml', [
      '[state]', `dir = "${join(dir, 'state-run')}"`,
      '[accounts.box]', 'type = "maildir"', `path = "${join(dir, 'Maildir')}"`,
      '[accounts.in]', 'type = "smtp-intake"', 'listen_port = 1', 'recipients = ["me@example.com"]', 'target_account = "box"',
      '[[watch]]', 'account = "in"', `rules = "${rules}"`, '',
    ].join('\n'));
    const r = await run('run', '--config', withWatch);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${rules}:1:9: error[syntax-error]`);
    expect(oneLine(r.stderr).at(-1)).toBe(`mailsift: [RULES_INVALID] not started: 1 rules file cannot be used: ${rules}`);
  });
});

describe('mailsift test --execute-dir', () => {
  it('a directory that does not exist is a usage error before any message runs', async () => {
    const rules = file('exec.sieve', 'require ["vnd.dovecot.execute"];\nif execute "project-of" { keep; }\n');
    const r = await run('test', '--execute-dir', join(dir, 'no-programs'), rules, file('e.eml', 'Subject: hi\n\nhello\n'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toEqual([`mailsift: [USAGE] --execute-dir ${join(dir, 'no-programs')}: not a directory`]);
  });
});

describe('command line syntax mistakes', () => {
  it.each([
    [['test', '--frob', 'rules.sieve', 'x.eml'], "mailsift: [USAGE] unknown option '--frob'"],
    [['frob'], "mailsift: [USAGE] unknown command 'frob'"],
    [['test', 'rules.sieve'], "mailsift: [USAGE] missing required argument 'source'"],
    [['classify', 'x.eml'], "mailsift: [USAGE] required option '--model <dir>' not specified"],
  ])('mailsift %s', async (argv, line) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([line]);
  });
});

describe('mailsift sweep --dry-run of a local store', () => {
  const config = file('sample.toml', [
    '[state]', `dir = "${join(dir, 'state-sample')}"`,
    '[accounts.sample]', 'type = "maildir"', `path = "${join(import.meta.dirname, '../../examples/mailbox')}"`, '',
  ].join('\n'));
  const rules = file('sweep-keep.sieve', 'keep;\n');

  it('a folder the Maildir does not have is an error, not "0 messages"', async () => {
    const r = await run('sweep', '--account', 'sample', '--mailbox', 'Lsits', '--rules', rules, '--dry-run', '--config', config);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toEqual([`mailsift: [MAILBOX_MISSING] maildir account "sample" (${join(import.meta.dirname, '../../examples/mailbox')}) has no folder "Lsits"; it has: INBOX, Lists, Receipts`]);
  });

  it('without --dry-run the sweep is refused first (SWEEP_UNSUPPORTED, exit 2), folder or not', async () => {
    for (const mailbox of ['Lsits', 'Lists']) {
      const r = await run('sweep', '--account', 'sample', '--mailbox', mailbox, '--rules', rules, '--config', config);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(oneLine(r.stderr)).toEqual(['mailsift: [SWEEP_UNSUPPORTED] account "sample" is a local maildir: it can only be swept with --dry-run for now (nothing would be changed)']);
    }
  });

  it('a folder it has is swept', async () => {
    const r = await run('sweep', '--account', 'sample', '--mailbox', 'Lists', '--rules', rules, '--dry-run', '--config', config);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sample Lists: 3 messages: 3 keep');
  });
});
