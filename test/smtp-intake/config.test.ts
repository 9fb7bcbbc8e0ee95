/** The smtp-intake keys added for the listener: target, TLS, AUTH users; and what a watch of one needs. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { printConfig } from '../../src/config/print.js';

const opts = { env: {}, home: '/home/ann' };
const parse = (text: string) => parseConfig(text, '/etc/mailsift/config.toml', opts);
const BOX = '[accounts.box]\ntype = "maildir"\npath = "/m"\n';
const IN = '[accounts.in]\ntype = "smtp-intake"\nrecipients = ["me@example.com"]\n';

describe('smtp-intake config', () => {
  it('reads target, tls and users, and prints them back to the same config', () => {
    const text = `${BOX}${IN}target_account = "box"\ntarget_mailbox = "Incoming"\ntls_key = "k.pem"\ntls_cert = "c.pem"\n[[accounts.in.users]]\nuser = "u1"\npassword_env = "PW"\n[[watch]]\naccount = "in"\nrules = "r.sieve"\n`;
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config!.accounts.in).toMatchObject({
      listenHost: '127.0.0.1',
      target: { account: 'box', mailbox: 'Incoming' },
      tls: { keyFile: '/etc/mailsift/k.pem', certFile: '/etc/mailsift/c.pem' },
      users: [{ user: 'u1', password: { kind: 'env', env: 'PW' } }],
    });
    const again = parse(printConfig(config!));
    expect(again.problems).toEqual([]);
    expect(again.config!.accounts).toEqual(config!.accounts);
  });

  it.each([
    ['a watch without target_account', `${IN}[[watch]]\naccount = "in"\nrules = "/r"\n`, 'missing-key', 'accounts.in.target_account'],
    ['an unknown target', `${IN}target_account = "nope"\n[[watch]]\naccount = "in"\nrules = "/r"\n`, 'unknown-account', 'accounts.in.target_account'],
    ['a pop3 target', `[accounts.p]\ntype = "pop3"\nhost = "h"\nuser = "u"\npassword_env = "P"\n${IN}target_account = "p"\n[[watch]]\naccount = "in"\nrules = "/r"\n`, 'wrong-account-type', 'accounts.in.target_account'],
    ['a key without a certificate', `${IN}tls_key = "/k"\n`, 'missing-key', 'accounts.in.tls_cert'],
    ['AUTH in clear text on a public address', `${IN}listen_host = "0.0.0.0"\n[[accounts.in.users]]\nuser = "u"\npassword_env = "P"\n`, 'insecure-tls', 'accounts.in.users'],
    ['a user without a password', `${IN}[[accounts.in.users]]\nuser = "u"\n`, 'secret-source', 'accounts.in.users[0].password_command'],
    ['a literal password', `${IN}[[accounts.in.users]]\nuser = "u"\npassword = "x"\n`, 'literal-secret', 'accounts.in.users[0].password'],
  ])('refuses %s', (_name, text, code, key) => {
    const { config, problems } = parse(text);
    expect(config).toBeUndefined();
    expect(problems).toContainEqual(expect.objectContaining({ code, key }));
  });

  it('allows AUTH on a public address when STARTTLS is configured', () => {
    const { problems } = parse(`${IN}listen_host = "0.0.0.0"\ntls_key = "/k"\ntls_cert = "/c"\n[[accounts.in.users]]\nuser = "u"\npassword_env = "P"\n`);
    expect(problems).toEqual([]);
  });
});
