/**
 * `mailsift config` looks at the secret files the configuration names: a wrong
 * `auth_token_file` path (the outbound walkthrough's "wrong Twilio token file") used to pass
 * as "ok" and only show at the first SMS, hours later. It is now a warning line with the
 * code the daemon would log (SECRET_UNREADABLE), and the exit status stays 0 (the daemon
 * starts without it). The secret's value never appears.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir('mailsift-secret-files-');

function configWith(name: string, tokenFile: string, passFile = 'imap.pass'): string {
  writeFileSync(join(dir, 'rules.sieve'), 'keep;\n');
  const path = join(dir, name);
  writeFileSync(
    path,
    `[state]
dir = "state"

[accounts.work]
type = "imap"
host = "127.0.0.1"
tls = "none"
user = "me@example.com"
password_file = "${passFile}"

[[watch]]
account = "work"
rules = "rules.sieve"

[outgoing]
host = "127.0.0.1"
tls = "none"
from = "me@example.com"
user = "me"
password_env = "SMTP_PASS_NOT_LOOKED_AT"

[sms]
provider = "twilio"
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token_file = "${tokenFile}"
from = "+15550002222"
`,
  );
  return path;
}

function secret(name: string, value: string, mode = 0o600): void {
  writeFileSync(join(dir, name), `${value}\n`);
  chmodSync(join(dir, name), mode);
}

describe('mailsift config and secret files', () => {
  it('every secret file readable: ok, nothing on stderr', async () => {
    secret('imap.pass', 'imap-secret-1');
    secret('twilio.token', 'twilio-secret-1');
    const r = await runCli('config', '--config', configWith('good.toml', 'twilio.token'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/: ok \(1 account, 1 watch/);
  });

  it('a wrong auth_token_file path is a SECRET_UNREADABLE warning naming the file; still ok', async () => {
    secret('imap.pass', 'imap-secret-1');
    const r = await runCli('config', '--config', configWith('typo.toml', 'twilio-token.txt'));
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([`mailsift: warning: [SECRET_UNREADABLE] [sms] auth token: cannot read ${join(dir, 'twilio-token.txt')}: no such file or directory`]);
    expect(r.stdout).toMatch(/: ok /);
  });

  it('an empty password file and a world-readable token file: one line each, no secret in them', async () => {
    writeFileSync(join(dir, 'empty.pass'), '\n', { mode: 0o600 });
    secret('open.token', 'twilio-secret-2', 0o644);
    const r = await runCli('config', '--config', configWith('mixed.toml', 'open.token', 'empty.pass'));
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^mailsift: warning: \[SECRET_EMPTY\] password of account "work": file .*empty\.pass gave an empty value$/),
      expect.stringMatching(/^mailsift: warning: \[sms\] auth token: .*open\.token is readable by other users; run chmod 600 /),
    ]);
    expect(r.stderr + r.stdout).not.toContain('twilio-secret-2');
  });
});
