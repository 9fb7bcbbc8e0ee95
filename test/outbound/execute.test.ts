/**
 * vnd.dovecot.execute with real programs: small shell scripts in a temporary allow-listed
 * directory, run by the daemon's host (runRules, with a real state database) and by
 * `mailsift test --execute-dir`. The Sieve side alone: test/extensions/vnd-dovecot-execute.test.ts.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runRules, type RulesHost } from '../../src/daemon/run-rules.js';
import { compile } from '../../src/dsl/compile.js';
import { defaultRegistry } from '../../src/extensions/index.js';
import type { ProgramConfig } from '../../src/host/run-program.js';
import type { RunResult } from '../../src/runtime/evaluate.js';
import { parseMessage } from '../../src/runtime/message/parse.js';
import { openState } from '../../src/state/db.js';

const bin = mkdtempSync(join(tmpdir(), 'execute-bin-'));
const out = mkdtempSync(join(tmpdir(), 'execute-out-'));
const stateDir = mkdtempSync(join(tmpdir(), 'execute-state-'));
function program(name: string, script: string): void {
  writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, name), 0o755);
}
program('upper', `tr a-z A-Z`);
program('exits', 'printf "said %s" "$1"; exit "$1"');
program('hello', 'echo hello');
program('save', `cat > "${out}/stdin-$1"; printf '%s %s' "$SENDER" "$RECIPIENT" > "${out}/env-$1"`);
program('echo-arg', `printf '%s' "$1"`);
program('sleeps', 'exec sleep 30');
program('chatty', 'yes chatter');
program('touch', `touch "${out}/touched-$1"`);
writeFileSync(join(bin, 'not-executable'), '#!/bin/sh\nexit 0\n');

const state = openState(stateDir);
afterAll(() => {
  state.close();
  for (const d of [bin, out, stateDir]) rmSync(d, { recursive: true, force: true });
});

const LF_MESSAGE = 'From: Alice <alice@example.org>\nTo: bob@example.com\nSubject: invoice 42\n\nPlease pay.\n';
const R = 'require ["vnd.dovecot.execute", "variables", "fileinto"];\n';

function config(overrides: Partial<ProgramConfig> = {}): ProgramConfig {
  return { dir: bin, timeoutMs: 10_000, maxOutputBytes: 4096, ...overrides };
}

/** The daemon's evaluation (run-rules.ts) with a real state database and a `[pipe]` section. */
async function daemon(rules: string, options: { programs?: ProgramConfig; dryRun?: boolean } = { programs: config() }): Promise<RunResult> {
  const c = compile(R + rules, { registry: defaultRegistry });
  if (!c.ok) throw new Error(JSON.stringify(c.diagnostics));
  const host: RulesHost = { state, mailboxExists: () => false, ...(options.programs && { programs: () => options.programs }), ...(options.dryRun && { dryRun: true }) };
  return runRules(c.plan, parseMessage(new TextEncoder().encode(LF_MESSAGE)), { now: new Date(), envelope: { from: 'alice@example.org', to: 'bob@example.com' } }, host);
}

const mailboxes = (r: RunResult) => r.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));

describe('the daemon runs the program during evaluation', () => {
  it(':input on stdin, :output into a variable a later fileinto uses', async () => {
    const r = await daemon('if execute :input "hi there" :output "out" "upper" { fileinto "Got/${out}"; }');
    expect(r.status).toBe('ok');
    expect(mailboxes(r)).toEqual(['Got/HI THERE']);
  });

  it.each([
    ['0', ['T', 'out-said 0']],
    ['1', ['F', 'out-old']],
    ['7', ['F', 'out-old']],
  ])('exit status %s decides the test; :output is set only on success', async (status, expected) => {
    const r = await daemon(`set "out" "old"; if execute :output "out" "exits" "${status}" { fileinto "T"; } else { fileinto "F"; } fileinto "out-\${out}";`);
    expect(r.status).toBe('ok');
    expect(mailboxes(r)).toEqual(expected);
  });

  it('the output keeps its trailing newline, as in Pigeonhole', async () => {
    const r = await daemon('execute :output "out" "hello"; set :length "n" "${out}"; fileinto "len-${n}";');
    expect(mailboxes(r)).toEqual(['len-6']); // "hello\n"
  });

  it('a command whose program exits non-zero goes on', async () => {
    const r = await daemon('execute "exits" "3"; fileinto "After";');
    expect(r.status).toBe('ok');
    expect(mailboxes(r)).toEqual(['After']);
  });

  it(':pipe gives the message with CRLF line ends; SENDER and RECIPIENT come from the envelope', async () => {
    const r = await daemon('execute :pipe "save" "pipe1";');
    expect(r.status).toBe('ok');
    expect(readFileSync(join(out, 'stdin-pipe1'), 'utf8')).toBe(LF_MESSAGE.replace(/\n/g, '\r\n'));
    expect(readFileSync(join(out, 'env-pipe1'), 'utf8')).toBe('alice@example.org bob@example.com');
  });

  it('arguments reach the program as they are: no shell', async () => {
    const tricky = '$(touch /tmp/mailsift-pwned); `id` | ; * "q"';
    const r = await daemon(`set "a" "${tricky.replace(/"/g, '\\"')}"; if execute :output "o" "echo-arg" "\${a}" { fileinto "ok"; } if string "\${o}" "\${a}" { fileinto "same"; }`);
    expect(mailboxes(r)).toEqual(['ok', 'same']);
    expect(existsSync('/tmp/mailsift-pwned')).toBe(false);
  });

  it.each([
    ['a timeout', 'sleeps', { timeoutMs: 500 }, 'timed out after 0.5s'],
    ['too much output', 'chatty', {}, 'printed more than 4096 bytes'],
    ['a program outside the directory', 'sh', {}, `no such program in ${bin}`],
    ['a program that is not executable', 'not-executable', {}, 'not executable'],
  ])('%s: the test is false; the command is a runtime error and the message is kept', async (_what, name, limits, why) => {
    const programs = config(limits);
    const asTest = await daemon(`if execute "${name}" { fileinto "T"; } else { fileinto "F"; }`, { programs });
    expect(asTest.status).toBe('ok');
    expect(mailboxes(asTest)).toEqual(['F']);
    const asCommand = await daemon(`fileinto "Before"; execute "${name}"; fileinto "After";`, { programs });
    expect(asCommand).toMatchObject({ status: 'error', error: { code: 'program-failed', line: 2 }, actions: [{ type: 'keep', implicit: true, flags: [] }] });
    // The reason alone follows the command, without run-program's "execute NAME: " label.
    expect(asCommand.error!.message).toBe(`execute "${name}": ${why}`);
  });

  it('a path as the program name is refused when the rules are compiled', () => {
    const c = compile(R + 'execute "../../bin/sh";', { registry: defaultRegistry });
    expect(!c.ok && c.diagnostics.map((d) => d.code)).toEqual(['invalid-value']);
  });

  it('without a [pipe] section the command fails and the message is kept', async () => {
    const r = await daemon('execute "touch" "nocfg";', {});
    expect(r).toMatchObject({ status: 'error', error: { code: 'program-failed' } });
    expect(r.error!.message).toMatch(/no \[pipe\] section/);
  });

  it('a dry run (sweep --dry-run) runs nothing: tests are false, commands do nothing', async () => {
    const r = await daemon('execute "touch" "dry"; if execute "touch" "dry2" { fileinto "T"; } else { fileinto "F"; }', { programs: config(), dryRun: true });
    expect(r.status).toBe('ok');
    expect(mailboxes(r)).toEqual(['F']);
    expect(existsSync(join(out, 'touched-dry'))).toBe(false);
    expect(existsSync(join(out, 'touched-dry2'))).toBe(false);
  });

  it('runs again when the message is evaluated again (nothing remembers it)', async () => {
    program('count', `echo x >> "${out}/count"`);
    await daemon('execute "count";');
    await daemon('execute "count";');
    expect(readFileSync(join(out, 'count'), 'utf8')).toBe('x\nx\n');
  });
});

describe('mailsift test', () => {
  const rules = join(out, 'rules.sieve');
  const eml = join(out, 'message.eml');
  writeFileSync(rules, R + 'if execute :input "vip" :output "who" "upper" { fileinto "Who/${who}"; } else { fileinto "Nobody"; }\nexecute "touch" "cli";\n');
  writeFileSync(eml, LF_MESSAGE);

  async function cli(...argv: string[]): Promise<{ code: number; stdout: string }> {
    let stdout = '';
    const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: () => undefined });
    return { code, stdout };
  }

  it('runs no program without --execute-dir, and says so', async () => {
    const r = await cli('test', rules, eml);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('→ fileinto "Nobody"');
    expect(r.stdout).toContain('note:    execute "upper" not run: a dry run runs programs only with --execute-dir DIR');
    expect(existsSync(join(out, 'touched-cli'))).toBe(false);
  });

  it('--execute-dir runs them, as sieve-test does', async () => {
    const r = await cli('test', '--json', '--execute-dir', bin, rules, eml);
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout.trim());
    expect(line.actions).toEqual([{ type: 'fileinto', mailbox: 'Who/VIP', flags: [], copy: false, create: false }]);
    expect(line.notes).toEqual(['execute "upper" ran: exit status 0', 'execute "touch" ["cli"] ran: exit status 0']);
    expect(existsSync(join(out, 'touched-cli'))).toBe(true);
  });
});
