/**
 * Found in the outbound walkthrough: a message delivered by LMTP carries Delivered-To (the
 * envelope recipient), and vacation answered every such message, also a Bcc or a copy whose
 * To/Cc name someone else: docs/cookbook.md promises no reply there (RFC 5230 §4.5: only when
 * one of the user's addresses is in To, Cc, Bcc, Resent-To, Resent-Cc or Resent-Bcc).
 * Delivered-To now counts as one of the user's addresses (as Pigeonhole counts the envelope
 * recipient), not as proof that the message was addressed to them.
 * Real executor, ledger and SMTP server on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { useSmtpSink } from '../support/smtp-sink-fixture.js';
import { mail, world, type World } from './helpers.js';

const sink = useSmtpSink({ reset: 'after-each' });
let w: World | undefined;
afterEach(() => {
  w?.dispose();
  w = undefined;
});

/** [outgoing] from is not the delivered address here: only Delivered-To names the user. */
function make(): World {
  w = world({ outgoing: { host: sink.host, port: sink.port, tls: 'none', allowInsecure: false, from: 'Robot <robot@example.net>' } });
  return w;
}
const RULES = 'require "vacation"; vacation :days 7 "I am away.";';

describe('vacation and the recipient check of RFC 5230 §4.5', () => {
  it.each([
    ['To names the delivered address', { 'Delivered-To': 'ann@example.org', To: 'Ann <ann@example.org>' }],
    ['Cc names it, case aside', { 'Delivered-To': 'ann@example.org', To: 'bob@example.org', Cc: 'ANN@example.org' }],
    ['a Bcc header that was kept names it', { 'Delivered-To': 'ann@example.org', To: 'bob@example.org', Bcc: 'ann@example.org' }],
    ['Resent-To names it', { 'Delivered-To': 'ann@example.org', To: 'bob@example.org', 'Resent-To': 'ann@example.org' }],
    ['X-Original-To names the address in To', { 'X-Original-To': 'ann@example.org', To: 'ann@example.org' }],
  ])('answers when %s', async (_what, headers) => {
    const out = await make().run(RULES, mail(headers), 1);
    expect(out.results[0]!.detail).toMatch(/^vacation reply sent to alice@example.com/);
    expect(await sink.waitFor(1)).toHaveLength(1);
  });

  it.each([
    ['a Bcc copy: To and Cc name others', { 'Delivered-To': 'ann@example.org', To: 'team@example.org', Cc: 'bob@example.org' }],
    ['a copy through an alias that is not one of the addresses', { 'Delivered-To': 'ann@example.org', To: 'info@example.org' }],
  ])('does not answer %s', async (_what, headers) => {
    const out = await make().run(RULES, mail(headers), 1);
    expect(out.status).toBe('done');
    expect(out.results[0]!.detail).toMatch(/^no vacation reply: none of the user's addresses is in To, Cc, Bcc, Resent-To, Resent-Cc or Resent-Bcc$/);
    expect(sink.messages).toHaveLength(0);
  });

  it('the alias is answered once :addresses names it', async () => {
    const out = await make().run('require "vacation"; vacation :addresses ["info@example.org"] "I am away.";', mail({ 'Delivered-To': 'ann@example.org', To: 'info@example.org' }), 1);
    expect(out.results[0]!.detail).toMatch(/^vacation reply sent to/);
    expect(await sink.waitFor(1)).toHaveLength(1);
  });

  it('no reply to the delivered address itself (mail from yourself to yourself)', async () => {
    const out = await make().run(RULES, mail({ 'Delivered-To': 'ann@example.org', 'Return-Path': '<ann@example.org>', From: 'ann@example.org', To: 'ann@example.org' }), 1);
    expect(out.results[0]!.detail).toMatch(/ann@example.org is the user's own address/);
    expect(sink.messages).toHaveLength(0);
  });
});
