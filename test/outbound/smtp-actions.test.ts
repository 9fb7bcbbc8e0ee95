/**
 * redirect, vacation and notify mailto through nodemailer to a real SMTP server on loopback
 * (smtp-server, with AUTH), under the real executor and action ledger.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingConfig } from '../../src/config/types.js';
import { useSmtpSink } from '../support/smtp-sink-fixture.js';
import { mail, world, type World } from './helpers.js';

const sink = useSmtpSink({ auth: { user: 'me', pass: 'pw-secret' }, reset: 'after-each' });
let w: World | undefined;
afterEach(() => {
  w?.dispose();
  w = undefined;
});

function make(over: Partial<OutgoingConfig> = {}): World {
  const outgoing: OutgoingConfig = { host: sink.host, port: sink.port, tls: 'none', allowInsecure: false, user: 'me', password: { kind: 'env', env: 'TEST_SMTP_PW' }, from: 'Me <me@example.com>', ...over };
  w = world({ outgoing }, { smtp: { env: { TEST_SMTP_PW: 'pw-secret' } } });
  return w;
}

/** The header block of a received message, unfolded, as name → values. */
function header(raw: string, name: string): string[] {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  return head.split('\r\n').filter((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':')).map((l) => l.slice(name.length + 1).trim());
}

describe('redirect', () => {
  it('resends the message unchanged with the original envelope sender, plus X-Loop', async () => {
    const w = make();
    const raw = mail({ Subject: 'Receipt 42' }, 'Total: 12.00\r\n.leading dot\r\n');
    const out = await w.run('require "copy"; redirect :copy "books@example.net";', raw, 1);
    expect(out.status).toBe('done');
    const [m] = await sink.waitFor(1);
    expect(m).toMatchObject({ from: 'alice@example.com', to: ['books@example.net'], user: 'me' });
    expect(m!.raw).toBe(`X-Loop: me@example.com\r\n${new TextDecoder().decode(raw)}`);
    expect((await w.run('require "copy"; redirect :copy "books@example.net";', raw, 1)).results[0]!.status).toBe('already-done');
    expect(sink.messages).toHaveLength(1);
  });

  it.each([
    ['a message we redirected before (our X-Loop)', { 'X-Loop': 'me@example.com' }, 'books@example.net', /mail loop/],
    ['the mailbox owner (the [outgoing] from)', {}, 'ME@example.com', /own address/],
    ['the mailbox owner (Delivered-To)', { 'Delivered-To': 'me+inbox@example.com' }, 'me+inbox@example.com', /own address/],
  ])('refuses %s and keeps the message', async (_what, headers, to, why) => {
    const w = make();
    const out = await w.run(`redirect "${to}";`, mail(headers as Record<string, string>), 1);
    expect(out.status).toBe('failed');
    expect(out.results.map((r) => r.status)).toEqual(['failed', 'skipped']); // the discard after it is not done
    expect(out.error).toMatch(why);
    expect(sink.messages).toHaveLength(0);
  });

  it('refuses a message already redirected three times', async () => {
    const w = make();
    const raw = new TextEncoder().encode(`X-Loop: a@one.example\r\nX-Loop: b@two.example\r\nX-Loop: c@three.example\r\n${new TextDecoder().decode(mail({}))}`);
    const out = await w.run('redirect "books@example.net";', raw, 1);
    expect(out.error).toMatch(/redirected 3 times already/);
  });

  it('a refusing SMTP server fails the operation and keeps the message', async () => {
    const w = make();
    sink.refuseRcpt = () => '550 5.1.1 mailbox unavailable';
    const out = await w.run('redirect "books@example.net";', mail({}), 1);
    expect(out.status).toBe('failed');
    expect(out.results.map((r) => r.status)).toEqual(['failed', 'skipped']);
    expect(out.error).toMatch(/SMTP 127\.0\.0\.1:\d+: refused \(550 5\.1\.1 mailbox unavailable\)/);
  });

  it('a wrong SMTP password fails without leaking it', async () => {
    w = world({ outgoing: { host: sink.host, port: sink.port, tls: 'none', allowInsecure: false, user: 'me', password: { kind: 'env', env: 'P' }, from: 'me@example.com' } }, { smtp: { env: { P: 'wrong-pw' } } });
    const out = await w.run('redirect "books@example.net";', mail({}), 1);
    expect(out.status).toBe('failed');
    expect(out.error).toMatch(/SMTP/);
    expect(out.error).not.toContain('wrong-pw');
  });
});

describe('vacation', () => {
  const rules = 'require "vacation"; vacation :days 3 :subject "Away" "I am away until Monday.";';

  it('replies once per period with Auto-Submitted, In-Reply-To, References and the null sender', async () => {
    const w = make();
    const raw = mail({ 'Message-ID': '<orig@example.com>', References: '<root@example.com>' });
    expect((await w.run(rules, raw, 1)).results[0]!.detail).toMatch(/^vacation reply sent to alice@example.com/);
    const [m] = await sink.waitFor(1);
    expect(m).toMatchObject({ from: '', to: ['alice@example.com'] });
    expect(header(m!.raw, 'Auto-Submitted')).toEqual(['auto-replied']);
    expect(header(m!.raw, 'In-Reply-To')).toEqual(['<orig@example.com>']);
    expect(header(m!.raw, 'References')).toEqual(['<root@example.com> <orig@example.com>']);
    expect(header(m!.raw, 'Subject')).toEqual(['Away']);
    expect(header(m!.raw, 'From')).toEqual(['Me <me@example.com>']);
    expect(m!.raw).toContain('I am away until Monday.');
    const second = await w.run(rules, mail({}), 2);
    expect(second.results[0]!.detail).toMatch(/answered within the last 3 days/);
    expect(sink.messages).toHaveLength(1);
  });

  it.each([
    ['list mail', { 'List-Id': '<dev.lists.example.com>' }, /list mail/],
    ['Precedence: bulk', { Precedence: 'bulk' }, /Precedence: bulk/],
    ['Auto-Submitted mail', { 'Auto-Submitted': 'auto-generated' }, /Auto-Submitted/],
    ['the null sender', { 'Return-Path': '<>' }, /null sender/],
    ['MAILER-DAEMON', { 'Return-Path': '<MAILER-DAEMON@mx.example.com>' }, /system address/],
    ['the user himself', { 'Return-Path': '<me@example.com>', From: 'me@example.com' }, /own address/],
    ['mail not addressed to the user', { To: 'someone-else@example.org' }, /none of the user's addresses/],
  ])('does not answer %s', async (_what, headers, why) => {
    const w = make();
    const out = await w.run(rules, mail(headers), 1);
    expect(out.status).toBe('done');
    expect(out.results[0]!.detail).toMatch(why);
    expect(sink.messages).toHaveLength(0);
  });

  it(':addresses makes other addresses the user\'s', async () => {
    const w = make();
    await w.run('require "vacation"; vacation :addresses ["alias@example.org"] "away";', mail({ To: 'alias@example.org' }), 1);
    expect(await sink.waitFor(1)).toHaveLength(1);
  });
});

describe('notify mailto', () => {
  it('sends an auto-notified mail with the URI subject to the URI recipients', async () => {
    const w = make();
    const out = await w.run('require "enotify"; notify :message "New mail" "mailto:phone@example.org?subject=Heads%20up";', mail({}), 1);
    expect(out.status).toBe('done');
    const [m] = await sink.waitFor(1);
    expect(m).toMatchObject({ from: '', to: ['phone@example.org'] });
    expect(header(m!.raw, 'Auto-Submitted')).toEqual(['auto-notified']);
    expect(header(m!.raw, 'Subject')).toEqual(['Heads up']);
  });

  it('does not notify about Auto-Submitted mail (RFC 5436 §2.7)', async () => {
    const w = make();
    const out = await w.run('require "enotify"; notify "mailto:phone@example.org";', mail({ 'Auto-Submitted': 'auto-replied' }), 1);
    expect(out.results[0]!.detail).toMatch(/Auto-Submitted/);
    expect(sink.messages).toHaveLength(0);
  });
});
