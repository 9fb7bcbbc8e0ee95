/**
 * The outbound walkthrough's "do the docs' configs work as written?": every TOML block of
 * docs/cookbook.md, and configuration.md's `[accounts.NAME.smtp]` example, put together with
 * the account and `[outgoing]` they assume, is a configuration `mailsift config` accepts, and
 * means what the text says (the SMS limits, the pipe directory and timeout).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

const doc = (name: string): string => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');
const tomlBlocks = (text: string): string[] => [...text.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!);

const BASE = `[accounts.work]
type = "imap"
host = "imap.example.com"
user = "me@example.com"
password_command = "pass show mail/work"

[[watch]]
account = "work"
rules = "work.sieve"
`;
const OUTGOING = `
[outgoing]
host = "smtp.example.com"
tls = "starttls"
user = "me@example.com"
password_command = "pass show mail/smtp"
from = "Me <me@example.com>"
`;
const parse = (text: string) => parseConfig(text, '/home/ann/.config/mailsift/config.toml', { env: { HOME: '/home/ann' }, home: '/home/ann' });

describe('docs/cookbook.md configuration blocks', () => {
  const blocks = tomlBlocks(doc('cookbook.md'));

  it('has the [sms]/[notify] and [pipe] blocks', () => {
    expect(blocks.map((b) => /^\[(\w+)\]/m.exec(b)?.[1])).toEqual(['sms', 'pipe']);
  });

  it('together with an account and [outgoing] they are one valid configuration, as described', () => {
    const r = parse(`${BASE}${OUTGOING}\n${blocks.join('\n')}`);
    expect(r.problems).toEqual([]);
    const c = r.config!;
    expect(c.sms).toEqual({ provider: 'twilio', accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: { kind: 'command', command: 'pass show twilio/token' }, from: '+15550002222' });
    expect(c.notify).toMatchObject({ smsMaxPerHour: 5, dedupWindowMs: 15 * 60_000, timezone: 'America/New_York' });
    expect(c.pipe).toMatchObject({ dir: '/home/ann/.config/mailsift/programs', timeoutMs: 30_000 });
  });
});

describe('docs/configuration.md, [accounts.NAME.smtp]', () => {
  it('the example is valid on an imap account, without [outgoing]', () => {
    const block = tomlBlocks(doc('configuration.md')).find((b) => b.startsWith('[accounts.work.smtp]'));
    expect(block).toBeDefined();
    const r = parse(`${BASE}\n${block!}`);
    expect(r.problems).toEqual([]);
    const work = r.config!.accounts.work;
    expect(work?.type === 'imap' && work.smtp).toMatchObject({ host: 'smtp.work.example', port: 587, tls: 'starttls', from: 'Me <me@work.example>' });
  });
});
