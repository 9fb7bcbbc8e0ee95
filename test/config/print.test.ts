import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { printConfig } from '../../src/config/print.js';
import { formatDuration, formatSize, parseDuration, parseSize } from '../../src/config/units.js';

const opts = { env: { PW: 'the-actual-password' }, home: '/home/ann' };
const FULL = `
[accounts.work]
type = "imap"
host = "imap.example.com"
user = "me@example.com"
password_env = "PW"
poll_interval = "90s"

[accounts.box]
type = "maildir"
path = "~/Mail"

[accounts.p]
type = "pop3"
host = "pop.example.com"
tls = "starttls"
user = "u"
password_file = "~/.pw"
delete = "after-delivery"

[accounts.in]
type = "smtp-intake"
recipients = ["me@example.com"]
max_size = "10MB"

[[watch]]
account = "work"
rules = "work.sieve"

[[watch]]
account = "p"
rules = "pop.sieve"
start = "all"

[[sweep]]
account = "box"
mailbox = "Old"
rules = "/r.sieve"
schedule = "0 3 * * *"

[outgoing]
host = "smtp.example.com"
user = "me"
password_command = "pass show smtp"
from = "me@example.com"

[sms]
provider = "twilio"
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token_env = "TWILIO_AUTH_TOKEN"
from = "+15550002222"

[models.spam]
path = "spam.model"
buckets = { spam = "Junk", ham = "INBOX" }
`;

describe('printConfig', () => {
  const { config, problems } = parseConfig(FULL, '/etc/mailsift/config.toml', opts);

  it('parses the full example', () => {
    expect(problems).toEqual([]);
  });

  it('prints defaults filled in, and parses back to the same config', () => {
    const text = printConfig(config!);
    expect(text).toContain('port = 993');
    expect(text).toContain('discard = "trash"');
    expect(text).toContain('poll_interval = "90s"');
    expect(text).toContain('max_size = "10MB"');
    expect(text).toContain('dir = "/home/ann/.local/state/mailsift"');
    const again = parseConfig(text, '/etc/mailsift/config.toml', opts);
    expect(again.problems).toEqual([]);
    expect(again.config).toEqual(config);
  });

  it('shows where secrets come from, never their values', () => {
    const text = printConfig(config!);
    expect(text).toContain('password_env = "PW"');
    expect(text).toContain('password_command = "pass show smtp"');
    expect(text).toContain('password_file = "/home/ann/.pw"');
    expect(text).toContain('auth_token_env = "TWILIO_AUTH_TOKEN"');
    expect(text).not.toContain('the-actual-password');
    expect(text).not.toMatch(/^password\s*=/m);
  });

  it('prints an empty config as just the state section', () => {
    const { config: empty } = parseConfig('', '/c.toml', opts);
    expect(printConfig(empty!)).toBe('# Effective configuration from /c.toml, defaults filled in.\n\n[state]\ndir = "/home/ann/.local/state/mailsift"\n');
  });
});

describe('units', () => {
  it.each([
    ['60s', 60_000], ['5m', 300_000], ['1h30m', 5_400_000], ['2d', 172_800_000], ['250ms', 250], ['1m30s', 90_000],
  ])('duration %s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['60', '', 's', '1x', '-5s', '1.5s', '5 m'])('refuses the duration %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([[60_000, '1m'], [90_000, '90s'], [250, '250ms'], [0, '0s'], [86_400_000, '1d']])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    ['25MB', 25 * 1024 ** 2], ['512KB', 512 * 1024], ['1GiB', 1024 ** 3], ['1000B', 1000], ['1000', 1000], ['10m', 10 * 1024 ** 2],
  ])('size %s = %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'MB', '1.5MB', '10TB', 'lots'])('refuses the size %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });

  it.each([[25 * 1024 ** 2, '25MB'], [1000, '1000B'], [1536, '1536B'], [2048, '2KB']])('formats %d bytes as %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});
