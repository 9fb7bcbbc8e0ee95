import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { formatProblem, type ConfigProblemCode } from '../../src/config/problems.js';
import { defaultConfigPath, defaultStateDir } from '../../src/config/expand.js';

const HOME = '/home/ann';
const ENV = { MAIL: '/srv/mail', XDG_STATE_HOME: '/var/state' };
const FILE = '/etc/mailsift/config.toml';
const parse = (text: string) => parseConfig(text, FILE, { env: ENV, home: HOME });

const EXAMPLE = `
[state]
dir = "~/.local/state/mailsift"          # SQLite database and logs live here

[accounts.work]
type = "imap"
host = "imap.example.com"
port = 993
tls = "implicit"
user = "me@example.com"
password_command = "pass show mail/work"
discard = "trash"
poll_interval = "60s"

[accounts.archive]
type = "maildir"
path = "~/Mail/archive"

[accounts.old]
type = "mbox"
path = "~/Mail/old.mbox"

[[watch]]
account = "work"
mailboxes = ["INBOX", "Lists/*"]
rules = "~/.config/mailsift/work.sieve"
start = "new"

[[sweep]]
account = "work"
mailbox = "INBOX"
rules = "~/.config/mailsift/archive-old.sieve"
schedule = "0 3 * * *"
`;

const IMAP = `[accounts.work]\ntype = "imap"\nhost = "imap.example.com"\nuser = "me"\npassword_env = "PW"\n`;

describe('parseConfig: the documented example', () => {
  it('gives the typed config with defaults and expanded paths', () => {
    const { config, problems } = parse(EXAMPLE);
    expect(problems).toEqual([]);
    expect(config).toEqual({
      file: FILE,
      state: { dir: '/home/ann/.local/state/mailsift' },
      accounts: {
        work: {
          type: 'imap', name: 'work', host: 'imap.example.com', port: 993, tls: 'implicit', allowInsecure: false,
          user: 'me@example.com', password: { kind: 'command', command: 'pass show mail/work' }, discard: 'trash', pollIntervalMs: 60_000,
        },
        archive: { type: 'maildir', name: 'archive', path: '/home/ann/Mail/archive' },
        old: { type: 'mbox', name: 'old', path: '/home/ann/Mail/old.mbox' },
      },
      watch: [{ account: 'work', mailboxes: ['INBOX', 'Lists/*'], rules: '/home/ann/.config/mailsift/work.sieve', start: 'new' }],
      sweep: [{ account: 'work', mailbox: 'INBOX', rules: '/home/ann/.config/mailsift/archive-old.sieve', schedule: '0 3 * * *' }],
      models: {},
    });
  });
});

describe('parseConfig: defaults', () => {
  it.each([
    ['an empty file', '', (c: any) => expect(c).toMatchObject({ state: { dir: '/var/state/mailsift' }, accounts: {}, watch: [], sweep: [] })],
    ['imap', IMAP, (c: any) => expect(c.accounts.work).toMatchObject({ port: 993, tls: 'implicit', allowInsecure: false, discard: 'trash', pollIntervalMs: 60_000 })],
    ['imap starttls', `${IMAP}tls = "starttls"\n`, (c: any) => expect(c.accounts.work.port).toBe(143)],
    ['watch', `${IMAP}[[watch]]\naccount = "work"\nrules = "r.sieve"\n`, (c: any) => expect(c.watch[0]).toEqual({ account: 'work', mailboxes: ['INBOX'], rules: '/etc/mailsift/r.sieve', start: 'new' })],
    ['sweep', `${IMAP}[[sweep]]\naccount = "work"\nrules = "/r"\nschedule = "@daily"\n`, (c: any) => expect(c.sweep[0]).toEqual({ account: 'work', mailbox: 'INBOX', rules: '/r', schedule: '@daily' })],
    [
      'pop3',
      `[accounts.p]\ntype = "pop3"\nhost = "pop.example.com"\nuser = "u"\npassword_file = "$MAIL/pw"\n`,
      (c: any) => expect(c.accounts.p).toEqual({ type: 'pop3', name: 'p', host: 'pop.example.com', port: 995, tls: 'implicit', allowInsecure: false, user: 'u', password: { kind: 'file', file: '/srv/mail/pw' }, schedule: '*/5 * * * *', delete: 'never' }),
    ],
    [
      'smtp-intake',
      `[accounts.in]\ntype = "smtp-intake"\nrecipients = ["me@example.com"]\n`,
      (c: any) => expect(c.accounts.in).toEqual({ type: 'smtp-intake', name: 'in', listenHost: '127.0.0.1', listenPort: 2525, recipients: ['me@example.com'], maxSizeBytes: 25 * 1024 * 1024 }),
    ],
    [
      'outgoing without auth',
      `[outgoing]\nhost = "smtp.example.com"\nfrom = "Me <me@example.com>"\n`,
      (c: any) => expect(c.outgoing).toEqual({ host: 'smtp.example.com', port: 465, tls: 'implicit', allowInsecure: false, from: 'Me <me@example.com>' }),
    ],
    ['outgoing starttls', `[outgoing]\nhost = "h"\ntls = "starttls"\nuser = "u"\npassword_command = "x"\nfrom = "a@b"\n`, (c: any) => expect(c.outgoing).toMatchObject({ port: 587, user: 'u', password: { kind: 'command', command: 'x' } })],
    [
      'sms',
      `[sms]\nprovider = "twilio"\naccount_sid = "AC${'0'.repeat(32)}"\nauth_token_env = "TWILIO_AUTH_TOKEN"\nfrom = "+15550002222"\n`,
      (c: any) => expect(c.sms).toEqual({ provider: 'twilio', accountSid: `AC${'0'.repeat(32)}`, authToken: { kind: 'env', env: 'TWILIO_AUTH_TOKEN' }, from: '+15550002222' }),
    ],
    [
      'models',
      `${IMAP}[models.spam]\npath = "models/spam"\n[models.spam.buckets]\nspam = "Junk"\nham = "INBOX"\n`,
      (c: any) => expect(c.models.spam).toEqual({ name: 'spam', path: '/etc/mailsift/models/spam', buckets: { spam: 'Junk', ham: 'INBOX' }, account: 'work' }),
    ],
    ['tls none to loopback', `${IMAP}tls = "none"\nhost = "127.0.0.1"\n`.replace('host = "imap.example.com"\n', ''), (c: any) => expect(c.accounts.work).toMatchObject({ tls: 'none', port: 143 })],
    ['tls none with allow_insecure', `${IMAP}tls = "none"\nallow_insecure = true\n`, (c: any) => expect(c.accounts.work.allowInsecure).toBe(true)],
    ['durations', `${IMAP}poll_interval = "1h30m"\n`, (c: any) => expect(c.accounts.work.pollIntervalMs).toBe(5_400_000)],
  ])('%s', (_name, text, check) => {
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    check(config);
  });
});

describe('parseConfig: problems', () => {
  const cases: Array<[string, string, ConfigProblemCode, string]> = [
    ['TOML syntax', 'a = [\n', 'toml-syntax', ''],
    ['unknown top-level key', '[acounts.work]\n', 'unknown-key', 'acounts'],
    ['unknown account key', `${IMAP}hots = "x"\n`, 'unknown-key', 'accounts.work.hots'],
    ['missing type', '[accounts.x]\npath = "/m"\n', 'missing-key', 'accounts.x.type'],
    ['unknown type', '[accounts.x]\ntype = "imapp"\n', 'invalid-value', 'accounts.x.type'],
    ['missing host', '[accounts.x]\ntype = "imap"\nuser = "u"\npassword_env = "P"\n', 'missing-key', 'accounts.x.host'],
    ['port out of range', `${IMAP}port = 70000\n`, 'out-of-range', 'accounts.work.port'],
    ['port as a float', `${IMAP}port = 993.0\n`, 'wrong-type', 'accounts.work.port'],
    ['port as a string', `${IMAP}port = "993"\n`, 'wrong-type', 'accounts.work.port'],
    ['bad tls', `${IMAP}tls = "ssl"\n`, 'invalid-value', 'accounts.work.tls'],
    ['tls none to a remote host', `${IMAP}tls = "none"\n`, 'insecure-tls', 'accounts.work.tls'],
    ['no password source', '[accounts.x]\ntype = "imap"\nhost = "h"\nuser = "u"\n', 'secret-source', 'accounts.x.password_command'],
    ['two password sources', `${IMAP}password_command = "x"\n`, 'secret-source', 'accounts.work.password_env'],
    ['literal password', '[accounts.x]\ntype = "imap"\nhost = "h"\nuser = "u"\npassword = "hunter2"\n', 'literal-secret', 'accounts.x.password'],
    ['literal pass', `${IMAP}pass = "hunter2"\n`, 'literal-secret', 'accounts.work.pass'],
    ['password where no secret belongs', '[state]\npassword = "x"\n', 'unknown-key', 'state.password'],
    ['literal auth_token', `[sms]\nprovider = "twilio"\naccount_sid = "AC${'0'.repeat(32)}"\nauth_token = "t"\nfrom = "+15550002222"\n`, 'literal-secret', 'sms.auth_token'],
    ['bad env name', '[accounts.x]\ntype = "imap"\nhost = "h"\nuser = "u"\npassword_env = "$PW"\n', 'invalid-value', 'accounts.x.password_env'],
    ['bad discard', `${IMAP}discard = "delete"\n`, 'invalid-value', 'accounts.work.discard'],
    ['duration without unit', `${IMAP}poll_interval = "60"\n`, 'invalid-duration', 'accounts.work.poll_interval'],
    ['duration as integer', `${IMAP}poll_interval = 60\n`, 'wrong-type', 'accounts.work.poll_interval'],
    ['duration too short', `${IMAP}poll_interval = "10ms"\n`, 'out-of-range', 'accounts.work.poll_interval'],
    ['unset variable in a path', '[accounts.m]\ntype = "maildir"\npath = "$NOPE/m"\n', 'invalid-path', 'accounts.m.path'],
    ['~user path', '[accounts.m]\ntype = "maildir"\npath = "~bob/m"\n', 'invalid-path', 'accounts.m.path'],
    ['bad account name', '[accounts."my work"]\ntype = "maildir"\npath = "/m"\n', 'invalid-value', 'accounts."my work"'],
    ['account not a table', '[accounts]\nwork = "imap"\n', 'wrong-type', 'accounts.work'],
    ['watch of an unknown account', '[[watch]]\naccount = "nope"\nrules = "/r"\n', 'unknown-account', 'watch[0].account'],
    ['watch of a maildir', '[accounts.m]\ntype = "maildir"\npath = "/m"\n[[watch]]\naccount = "m"\nrules = "/r"\n', 'wrong-account-type', 'watch[0].account'],
    ['watch without rules', `${IMAP}[[watch]]\naccount = "work"\n`, 'missing-key', 'watch[0].rules'],
    ['watch with empty mailboxes', `${IMAP}[[watch]]\naccount = "work"\nmailboxes = []\nrules = "/r"\n`, 'invalid-value', 'watch[0].mailboxes'],
    ['watch with a non-string mailbox', `${IMAP}[[watch]]\naccount = "work"\nmailboxes = ["INBOX", 3]\nrules = "/r"\n`, 'wrong-type', 'watch[0].mailboxes[1]'],
    ['watch start', `${IMAP}[[watch]]\naccount = "work"\nrules = "/r"\nstart = "old"\n`, 'invalid-value', 'watch[0].start'],
    ['watch as a table', `${IMAP}[watch]\naccount = "work"\n`, 'wrong-type', 'watch'],
    ['mailbox watched twice', `${IMAP}[[watch]]\naccount = "work"\nrules = "/r"\n[[watch]]\naccount = "work"\nmailboxes = ["Lists", "INBOX"]\nrules = "/s"\n`, 'duplicate-watch', 'watch[1].mailboxes[1]'],
    ['mailboxes on a pop3 watch', '[accounts.p]\ntype = "pop3"\nhost = "h"\nuser = "u"\npassword_env = "P"\n[[watch]]\naccount = "p"\nmailboxes = ["INBOX"]\nrules = "/r"\n', 'not-applicable', 'watch[0].mailboxes'],
    ['sweep without schedule', `${IMAP}[[sweep]]\naccount = "work"\nrules = "/r"\n`, 'missing-key', 'sweep[0].schedule'],
    ['sweep with a bad cron', `${IMAP}[[sweep]]\naccount = "work"\nrules = "/r"\nschedule = "61 * * * *"\n`, 'invalid-cron', 'sweep[0].schedule'],
    ['sweep of an smtp-intake account', '[accounts.in]\ntype = "smtp-intake"\nrecipients = ["a@b"]\n[[sweep]]\naccount = "in"\nrules = "/r"\nschedule = "@daily"\n', 'wrong-account-type', 'sweep[0].account'],
    ['pop3 delete', '[accounts.p]\ntype = "pop3"\nhost = "h"\nuser = "u"\npassword_env = "P"\ndelete = "always"\n', 'invalid-value', 'accounts.p.delete'],
    ['smtp-intake bad recipient', '[accounts.in]\ntype = "smtp-intake"\nrecipients = ["nobody"]\n', 'invalid-value', 'accounts.in.recipients[0]'],
    ['smtp-intake bad size', '[accounts.in]\ntype = "smtp-intake"\nrecipients = ["a@b"]\nmax_size = "lots"\n', 'invalid-size', 'accounts.in.max_size'],
    ['outgoing password without user', '[outgoing]\nhost = "h"\npassword_env = "P"\nfrom = "a@b"\n', 'not-applicable', 'outgoing.user'],
    ['outgoing bad from', '[outgoing]\nhost = "h"\nfrom = "me"\n', 'invalid-value', 'outgoing.from'],
    ['sms bad sid', '[sms]\nprovider = "twilio"\naccount_sid = "AB1"\nauth_token_env = "T"\nfrom = "+15550002222"\n', 'invalid-value', 'sms.account_sid'],
    ['sms provider', `[sms]\nprovider = "nexmo"\naccount_sid = "AC${'0'.repeat(32)}"\nauth_token_env = "T"\nfrom = "+15550002222"\n`, 'invalid-value', 'sms.provider'],
    ['model without path', '[models.m]\n', 'missing-key', 'models.m.path'],
    ['model bucket of a table', '[models.m]\npath = "/m"\n[models.m.buckets.x]\ny = 1\n', 'wrong-type', 'models.m.buckets.x'],
    ['model bucket not a folder name', '[models.m]\npath = "/m"\naccount = "a"\nbuckets = { spam = 1 }\n[accounts.a]\ntype = "imap"\nhost = "h"\nuser = "u"\npassword_env = "P"\n', 'wrong-type', 'models.m.buckets.spam'],
    ['model buckets sharing a folder', '[models.m]\npath = "/m"\naccount = "a"\nbuckets = { spam = "Junk", junk = "Junk" }\n[accounts.a]\ntype = "imap"\nhost = "h"\nuser = "u"\npassword_env = "P"\n', 'invalid-value', 'models.m.buckets.junk'],
    ['model buckets without an account', '[models.m]\npath = "/m"\nbuckets = { spam = "Junk" }\n', 'missing-key', 'models.m.account'],
    ['model of an unknown account', '[models.m]\npath = "/m"\naccount = "nope"\n', 'unknown-account', 'models.m.account'],
  ];

  it.each(cases)('%s', (_name, text, code, key) => {
    const { config, problems } = parse(text);
    expect(config).toBeUndefined();
    expect(problems).toContainEqual(expect.objectContaining({ code, key }));
  });

  it('reports every problem at once, in file order within a table', () => {
    const { problems } = parse(`[accounts.work]\ntype = "imap"\nhost = "h"\nport = 0\nuser = "u"\npassword = "x"\npoll_intervl = "1m"\n[[watch]]\naccount = "wrok"\nrules = "/r"\n[extra]\n`);
    expect(problems.map((p) => [p.code, p.key])).toEqual([
      ['out-of-range', 'accounts.work.port'],
      ['literal-secret', 'accounts.work.password'],
      ['unknown-key', 'accounts.work.poll_intervl'],
      ['unknown-account', 'watch[0].account'],
      ['unknown-key', 'extra'],
    ]);
    expect(problems.find((p) => p.key === 'accounts.work.poll_intervl')?.message).toBe('unknown key (did you mean "poll_interval"?)');
    expect(problems.find((p) => p.key === 'watch[0].account')?.message).toBe('no account "wrok" is defined (did you mean "work"?)');
  });

  it('formats one line per problem as FILE: key KEY: message', () => {
    const { problems } = parse(`${IMAP}port = 99999\n`);
    expect(formatProblem('config.toml', problems[0]!)).toBe('config.toml: key accounts.work.port: must be an integer between 1 and 65535');
    const syntax = parse('x = \n').problems[0]!;
    expect(syntax).toMatchObject({ code: 'toml-syntax', line: 1 });
    expect(formatProblem('config.toml', syntax)).toMatch(/^config\.toml:1:\d+: invalid TOML: /);
  });
});

describe('paths', () => {
  it.each([
    ['~/x', '/home/ann/x'],
    ['~', '/home/ann'],
    ['$MAIL/box', '/srv/mail/box'],
    ['${MAIL}box', '/srv/mailbox'],
    ['rel/dir', '/etc/mailsift/rel/dir'],
    ['/abs/../norm', '/norm'],
    ['cost$5', '/etc/mailsift/cost$5'],
  ])('%s → %s', (raw, expected) => {
    const { config } = parse(`[state]\ndir = ${JSON.stringify(raw)}\n`);
    expect(config?.state.dir).toBe(expected);
  });

  it('follows XDG for the default config file and state directory', () => {
    expect(defaultConfigPath({ env: {}, home: HOME })).toBe('/home/ann/.config/mailsift/config.toml');
    expect(defaultConfigPath({ env: { XDG_CONFIG_HOME: '/cfg' }, home: HOME })).toBe('/cfg/mailsift/config.toml');
    expect(defaultConfigPath({ env: { XDG_CONFIG_HOME: 'relative' }, home: HOME })).toBe('/home/ann/.config/mailsift/config.toml');
    expect(defaultStateDir({ env: {}, home: HOME })).toBe('/home/ann/.local/state/mailsift');
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailsift-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the default file under XDG_CONFIG_HOME', async () => {
    const cfgDir = join(dir, 'xdg', 'mailsift');
    await import('node:fs/promises').then((fs) => fs.mkdir(cfgDir, { recursive: true }));
    writeFileSync(join(cfgDir, 'config.toml'), EXAMPLE);
    const config = await loadConfig(undefined, { env: { XDG_CONFIG_HOME: join(dir, 'xdg') }, home: HOME });
    expect(config.file).toBe(join(cfgDir, 'config.toml'));
    expect(Object.keys(config.accounts)).toEqual(['work', 'archive', 'old']);
  });

  it('throws CONFIG_UNREADABLE for a missing file, with a hint for the default one', async () => {
    await expect(loadConfig(join(dir, 'nope.toml'))).rejects.toMatchObject({ code: 'CONFIG_UNREADABLE' });
    await expect(loadConfig(undefined, { env: { XDG_CONFIG_HOME: join(dir, 'none') }, home: HOME })).rejects.toMatchObject({
      code: 'CONFIG_UNREADABLE',
      message: expect.stringContaining('--config'),
    });
  });

  it('throws CONFIG_INVALID with every problem, one line each', async () => {
    const file = join(dir, 'bad.toml');
    writeFileSync(file, `${IMAP}port = 0\ntls = "ssl"\n`);
    const err = await loadConfig(file).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'MailsiftError', code: 'CONFIG_INVALID', problems: [expect.objectContaining({ key: 'accounts.work.port' }), expect.objectContaining({ key: 'accounts.work.tls' })] });
    expect((err as Error).message.split('\n')).toEqual([
      `${file}: key accounts.work.port: must be an integer between 1 and 65535`,
      `${file}: key accounts.work.tls: must be one of "implicit", "starttls", "none"`,
    ]);
  });
});
