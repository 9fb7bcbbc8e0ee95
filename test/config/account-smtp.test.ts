/** `[accounts.NAME.smtp]`: an account's own submission server, validated like `[outgoing]`. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { printConfig } from '../../src/config/print.js';

const parse = (text: string) => parseConfig(text, '/etc/mailsift/config.toml', { env: {}, home: '/home/ann' });
const IN = '[accounts.in]\ntype = "smtp-intake"\nrecipients = ["me@example.com"]\n';
const IMAP = '[accounts.work]\ntype = "imap"\nhost = "imap.example.com"\nuser = "me@example.com"\npassword_env = "PW"\n';

describe('[accounts.NAME.smtp]', () => {
  it('reads host, port, tls, auth with a secret reference and from; prints back to the same config', () => {
    const text = `${IN}[accounts.in.smtp]\nhost = "smtp.example.com"\ntls = "starttls"\nuser = "me"\npassword_command = "pass show smtp"\nfrom = "Me <me@example.com>"\n${IMAP}[accounts.work.smtp]\nhost = "127.0.0.1"\ntls = "none"\nfrom = "work@example.com"\n`;
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config!.accounts.in).toMatchObject({ smtp: { host: 'smtp.example.com', port: 587, tls: 'starttls', user: 'me', password: { kind: 'command', command: 'pass show smtp' }, from: 'Me <me@example.com>' } });
    expect(config!.accounts.work).toMatchObject({ smtp: { host: '127.0.0.1', port: 25, tls: 'none', from: 'work@example.com' } });
    expect(config!.outgoing).toBeUndefined();
    const again = parse(printConfig(config!));
    expect(again.problems).toEqual([]);
    expect(again.config!.accounts).toEqual(config!.accounts);
    expect(printConfig(config!)).toContain('[accounts.in.smtp]\nhost = "smtp.example.com"');
  });

  it.each([
    ['a maildir account', '[accounts.box]\ntype = "maildir"\npath = "/m"\n[accounts.box.smtp]\nhost = "h"\nfrom = "a@b.example"\n', 'not-applicable', 'accounts.box.smtp'],
    ['no from', `${IN}[accounts.in.smtp]\nhost = "h"\n`, 'missing-key', 'accounts.in.smtp.from'],
    ['a bad from', `${IN}[accounts.in.smtp]\nhost = "h"\nfrom = "nobody"\n`, 'invalid-value', 'accounts.in.smtp.from'],
    ['a literal password', `${IN}[accounts.in.smtp]\nhost = "h"\nuser = "u"\npassword = "x"\nfrom = "a@b.example"\n`, 'literal-secret', 'accounts.in.smtp.password'],
    ['clear text to a remote host', `${IN}[accounts.in.smtp]\nhost = "smtp.example.com"\ntls = "none"\nfrom = "a@b.example"\n`, 'insecure-tls', 'accounts.in.smtp.tls'],
    ['an unknown key', `${IN}[accounts.in.smtp]\nhost = "h"\nfrom = "a@b.example"\nfrmo = "x"\n`, 'unknown-key', 'accounts.in.smtp.frmo'],
  ])('refuses %s', (_name, text, code, key) => {
    const { config, problems } = parse(text);
    expect(config).toBeUndefined();
    expect(problems).toContainEqual(expect.objectContaining({ code, key }));
  });
});
