/**
 * `deliver_to` of a pop3 account: where kept mail goes (docs/pop3.md). Two spellings, the
 * target checked once every account is read (whatever the file order), and each mistake
 * reported with its file, key and what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { formatProblem } from '../../src/config/problems.js';
import { printConfig } from '../../src/config/print.js';

const FILE = '/etc/mailsift/config.toml';
const parse = (text: string) => parseConfig(text, FILE, { env: {}, home: '/home/ann' });

const POP = '[accounts.isp]\ntype = "pop3"\nhost = "pop.example.net"\nuser = "me"\npassword_env = "P"\n';
const HOME = '[accounts.home]\ntype = "imap"\nhost = "imap.example.org"\nuser = "me"\npassword_env = "H"\n';
const LOCAL = '[accounts.local]\ntype = "maildir"\npath = "/m"\n[accounts.old]\ntype = "mbox"\npath = "/old.mbox"\n';
const INTAKE = '[accounts.in]\ntype = "smtp-intake"\nrecipients = ["me@example.org"]\n';

describe('pop3 deliver_to', () => {
  it.each([
    ['a table', `${POP}deliver_to = { account = "home", mailbox = "FromISP" }\n${HOME}`, { account: 'home', mailbox: 'FromISP' }],
    ['a table without mailbox', `${POP}deliver_to = { account = "home" }\n${HOME}`, { account: 'home', mailbox: 'INBOX' }],
    ['an account name', `${POP}deliver_to = "local"\n${LOCAL}`, { account: 'local', mailbox: 'INBOX' }],
    ['a sub-table, the target defined before the pop3 account', `${LOCAL}${POP}[accounts.isp.deliver_to]\naccount = "local"\nmailbox = "Lists/isp"\n`, { account: 'local', mailbox: 'Lists/isp' }],
    ['an mbox', `${POP}deliver_to = "old"\n${LOCAL}`, { account: 'old', mailbox: 'INBOX' }],
  ])('%s', (_name, text, deliverTo) => {
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config!.accounts.isp).toMatchObject({ type: 'pop3', deliverTo });
  });

  it('is absent when not given (kept mail stays on the server)', () => {
    expect(parse(POP).config!.accounts.isp).not.toHaveProperty('deliverTo');
  });

  it.each([
    ['an unknown account', `${POP}deliver_to = "hom"\n${HOME}`, 'unknown-account', 'accounts.isp.deliver_to', 'no account "hom" is defined (did you mean "home"?)'],
    ['a pop3 account', `${POP}deliver_to = "isp"\n`, 'wrong-account-type', 'accounts.isp.deliver_to', 'must be an imap, maildir or mbox account (where kept mail is stored); "isp" is "pop3"'],
    ['an smtp-intake account', `${POP}deliver_to = "in"\n${INTAKE}`, 'wrong-account-type', 'accounts.isp.deliver_to', 'must be an imap, maildir or mbox account (where kept mail is stored); "in" is "smtp-intake"'],
    ['a mailbox of an mbox', `${POP}deliver_to = { account = "old", mailbox = "Other" }\n${LOCAL}`, 'not-applicable', 'accounts.isp.deliver_to.mailbox', '"old" is an mbox file, a single mailbox: leave mailbox out'],
    ['a table without account', `${POP}deliver_to = { mailbox = "X" }\n`, 'missing-key', 'accounts.isp.deliver_to.account', 'is required'],
    ['a misspelt key', `${POP}deliver_to = { account = "home", mailbx = "X" }\n${HOME}`, 'unknown-key', 'accounts.isp.deliver_to.mailbx', 'unknown key (did you mean "mailbox"?)'],
    ['an empty name', `${POP}deliver_to = ""\n`, 'invalid-value', 'accounts.isp.deliver_to', 'must not be empty'],
    ['a number', `${POP}deliver_to = 3\n`, 'wrong-type', 'accounts.isp.deliver_to', 'must be an account name or a table { account = "name", mailbox = "INBOX" }, not an integer'],
    ['on an imap account', `${HOME}deliver_to = "home"\n`, 'unknown-key', 'accounts.home.deliver_to', 'unknown key'],
  ])('refuses %s', (_name, text, code, key, message) => {
    const { config, problems } = parse(text);
    expect(config).toBeUndefined();
    expect(problems).toContainEqual({ code, key, message });
    expect(formatProblem(FILE, problems.find((p) => p.key === key)!)).toBe(`${FILE}: key ${key}: ${message}`);
  });

  it('is printed back by `mailsift config --print`', () => {
    const { config } = parse(`${POP}deliver_to = { account = "home", mailbox = "FromISP" }\n${HOME}`);
    expect(printConfig(config!)).toMatch(/\[accounts\.isp\.deliver_to\]\naccount = "home"\nmailbox = "FromISP"\n/);
    expect(parse(printConfig(config!)).config!.accounts.isp).toMatchObject({ deliverTo: { account: 'home', mailbox: 'FromISP' } });
  });
});
