/**
 * notify sms:/tel: through the real twilio client against a local fake Twilio API, under
 * the real executor and action ledger: the canonical rule, exactly-once, rate limits, the
 * dedup window, quiet hours, Twilio errors and the backoff.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NotifyConfig, SmsConfig } from '../../src/config/types.js';
import { imapLedgerKey } from '../../src/state/ledger.js';
import { useTwilioFake } from '../support/twilio-fake-fixture.js';
import { mail, SID, world, type World } from './helpers.js';

const CANONICAL = `require ["enotify", "variables"];
if address :is "from" "alice@example.com" {
  if header :matches "subject" "*" { set "s" "\${1}"; }
  notify :message "Mail from Alice: \${s}" "sms:+15551234567";
}
`;

const SMS: SmsConfig = { provider: 'twilio', accountSid: SID, authToken: { kind: 'env', env: 'TEST_TWILIO_TOKEN' }, from: '+15550002222' };
const NOTIFY: NotifyConfig = { maxPerHour: 100, smsMaxPerHour: 100, dedupWindowMs: 0 };

const fake = useTwilioFake({ reset: 'after-each' });
let w: World | undefined;
afterEach(() => {
  w?.dispose();
  w = undefined;
});

function make(notify: Partial<NotifyConfig> = {}, now?: () => number): World {
  w = world({ sms: SMS, notify: { ...NOTIFY, ...notify } }, { sms: { baseUrl: fake.baseUrl, env: { TEST_TWILIO_TOKEN: 'tok-secret' } }, ...(now && { now }) });
  return w;
}

describe('the canonical rule', () => {
  it('texts the subject of mail from alice, once, with the configured account, token and number', async () => {
    const w = make();
    const raw = mail({ Subject: 'Lunch?' });
    const out = await w.run(CANONICAL, raw, 1);
    expect(out.status).toBe('done');
    expect(out.results[0]).toMatchObject({ status: 'done', detail: expect.stringMatching(/^SMS SM[0-9a-f]{32} to \+15551234567 queued$/) });
    expect(fake.requests).toHaveLength(1);
    const r = fake.requests[0]!;
    expect(r.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(r.auth).toBe(`${SID}:tok-secret`);
    expect(r.form).toEqual({ To: '+15551234567', From: '+15550002222', Body: 'Mail from Alice: Lunch?' });
    // A re-run (restart, reconnect) finds the ledger row done: no second SMS.
    const again = await w.run(CANONICAL, raw, 1);
    expect(again.results[0]!.status).toBe('already-done');
    expect(fake.requests).toHaveLength(1);
    expect(w.outbound.notifyLog.entries()).toEqual([expect.objectContaining({ channel: 'sms', target: 'sms:+15551234567', status: 'sent', sender: 'alice@example.com' })]);
  });

  it('does nothing for mail from someone else', async () => {
    const w = make();
    const out = await w.run(CANONICAL, mail({ From: 'bob@example.com', 'Return-Path': '<bob@example.com>' }), 1);
    expect(out.results).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('after a crash between start and end (in doubt) it does not send again', async () => {
    const w = make();
    w.state.ledger.begin(imapLedgerKey('home', 'INBOX', 7, 3, 'notify\u001fsms:+15551234567'));
    const out = await w.run(CANONICAL, mail({}), 3);
    expect(out.status).toBe('done');
    expect(out.results[0]!.detail).toMatch(/interrupted and may have sent it/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('limits', () => {
  const rules = 'require "enotify"; notify "sms:+15551234567";';
  const from = (who: string) => mail({ From: `${who}@example.com`, 'Return-Path': `<${who}@example.com>` });

  it('a burst from one sender gives one SMS within the dedup window', async () => {
    const w = make({ dedupWindowMs: 600_000 });
    const outs = [];
    for (let uid = 1; uid <= 4; uid++) outs.push(await w.run(rules, from('alice'), uid));
    expect(fake.requests).toHaveLength(1);
    expect(outs.slice(1).map((o) => o.results[0]!.detail)).toEqual(Array(3).fill(expect.stringMatching(/^not sent to sms:\+15551234567: already notified about mail from alice@example.com/)));
    await w.run(rules, from('bob'), 9);
    expect(fake.requests).toHaveLength(2);
  });

  it('sms_max_per_hour caps SMS in a rolling hour', async () => {
    let t = Date.UTC(2026, 0, 5, 12);
    const w = make({ smsMaxPerHour: 2 }, () => t);
    for (const [uid, who] of ['a', 'b', 'c'].entries()) await w.run(rules, from(who), uid + 1);
    expect(fake.requests).toHaveLength(2);
    expect(w.outbound.notifyLog.entries().map((e) => e.status)).toEqual(['sent', 'sent', 'suppressed']);
    t += 3_600_001;
    await w.run(rules, from('d'), 10);
    expect(fake.requests).toHaveLength(3);
  });

  it('a rule\'s own :options ["max-per-hour=N"] limit, apart from other rules', async () => {
    const w = make();
    const limited = 'require "enotify"; notify :options ["max-per-hour=1"] "sms:+15551234567";';
    await w.run(limited, from('a'), 1);
    const second = await w.run(limited, from('b'), 2);
    expect(second.results[0]!.detail).toMatch(/rate limit of this rule: 1 per hour/);
    await w.run('require "enotify"; notify "sms:+15557654321";', from('c'), 3);
    expect(fake.requests.map((r) => r.form.To)).toEqual(['+15551234567', '+15557654321']);
  });

  it('quiet hours hold back notifications, except :importance "1"', async () => {
    const w = make({ quietHours: { startMinute: 22 * 60, endMinute: 7 * 60 }, timezone: 'UTC' }, () => Date.UTC(2026, 0, 5, 23, 30));
    const quiet = await w.run(rules, from('a'), 1);
    expect(quiet.results[0]!.detail).toBe('not sent to sms:+15551234567: quiet hours');
    await w.run('require "enotify"; notify :importance "1" "tel:+15551234567";', from('b'), 2);
    expect(fake.requests.map((r) => r.form.To)).toEqual(['+15551234567']);
  });
});

describe('Twilio failures', () => {
  const rules = 'require "enotify"; notify "sms:+15551234567";';

  it('a refused message fails the operation (the message stays), is logged failed, and is not retried', async () => {
    const w = make();
    fake.reply = () => ({ status: 400, body: { code: 21211, message: "The 'To' number is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 } });
    const out = await w.run(rules, mail({}), 1);
    expect(out.status).toBe('failed');
    expect(out.error).toMatch(/SMS_SEND_FAILED|Twilio answered 400 \(code 21211\)/);
    expect(w.state.ledger.get(imapLedgerKey('home', 'INBOX', 7, 1, 'notify\u001fsms:+15551234567'))).toMatchObject({ state: 'failed' });
    expect(w.outbound.notifyLog.entries()[0]).toMatchObject({ status: 'failed', detail: expect.stringContaining('21211') });
    // A per-message refusal does not block other messages.
    fake.reply = undefined;
    expect((await w.run(rules, mail({ From: 'x@example.com' }), 2)).status).toBe('done');
    expect(fake.requests).toHaveLength(2);
  });

  it('a failing service is backed off: later SMS fail at once without a request', async () => {
    let t = Date.UTC(2026, 0, 5, 12);
    const w = make({}, () => t);
    fake.reply = () => ({ status: 503, body: { code: 20503, message: 'Service unavailable', status: 503 } });
    expect((await w.run(rules, mail({ From: 'a@example.com' }), 1)).status).toBe('failed');
    const second = await w.run(rules, mail({ From: 'b@example.com' }), 2);
    expect(second.error).toMatch(/backing off until/);
    expect(fake.requests).toHaveLength(1);
    fake.reply = undefined;
    t += 61_000;
    expect((await w.run(rules, mail({ From: 'c@example.com' }), 3)).status).toBe('done');
    expect(fake.requests).toHaveLength(2);
  });

  it('without an [sms] section an sms notify fails and the message stays', async () => {
    w = world({});
    const out = await w.run(rules, mail({}), 1);
    expect(out).toMatchObject({ status: 'failed', error: expect.stringMatching(/no \[sms\] section/) });
  });
});
