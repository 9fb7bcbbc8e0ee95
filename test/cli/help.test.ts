/** `mailsift --help` and each subcommand's: what a new user reads first must match the docs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const ROOT = join(import.meta.dirname, '../..');

async function help(...command: string[]): Promise<string> {
  let stdout = '';
  const code = await main([...command, '--help'], { stdout: (t) => void (stdout += t), stderr: () => {} });
  expect(code).toBe(0);
  return stdout;
}

const COMMANDS = [['check'], ['test'], ['run'], ['status'], ['config'], ['sweep'], ['train'], ['untrain'], ['classify'], ['model', 'stats']];

describe('mailsift --help', () => {
  it('lists every command', async () => {
    const text = await help();
    for (const [name] of COMMANDS) expect(text).toMatch(new RegExp(`\\n  ${name!} `));
  });

  it.each(COMMANDS.map((c) => [c.join(' ')]))('%s --help shows no empty "(default: [])" of a repeatable option', async (command) => {
    expect(await help(...command.split(' '))).not.toContain('(default: [])');
  });

  it.each([['run'], ['status'], ['config'], ['sweep'], ['train']])('%s --help says which configuration file is read by default', async (command) => {
    expect((await help(command)).replace(/\s+/g, ' ')).toContain('(default: $XDG_CONFIG_HOME/mailsift/config.toml, i.e. ~/.config/mailsift/config.toml)');
  });

  it('--version and -V print the version of package.json, and exit 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ['--version', '-V']) {
      let stdout = '';
      const code = await main([flag], { stdout: (t) => void (stdout += t), stderr: () => {} });
      expect(code).toBe(0);
      expect(stdout).toBe(`${version}\n`);
    }
  });

  it("every option of mailsift test is in README's list", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const flags = [...(await help('test')).matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!);
    expect(flags).toContain('--model');
    for (const flag of flags) expect(readme, flag).toContain(flag);
  });
});
