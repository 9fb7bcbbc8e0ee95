/**
 * The SMTP intake carries out redirect, vacation, notify (mailto and sms) and pipe, after the
 * message is stored and before the 250, through the daemon's outbound registry and the action
 * ledger: nodemailer as the client, a real SMTP sink for the outgoing mail, the real twilio
 * client against a local fake Twilio.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NotifyConfig, OutgoingConfig, SmsConfig } from '../../src/config/types.js';
import { useSmtpSink } from '../support/smtp-sink-fixture.js';
import { tempDir } from '../support/temp-dir.js';
import { useTwilioFake } from '../support/twilio-fake-fixture.js';
import { allFiles, MESSAGE, startIntake, transport, type Intake } from './harness.js';

const SID = `AC${'1'.repeat(32)}`;
const SMS: SmsConfig = { provider: 'twilio', accountSid: SID, authToken: { kind: 'env', env: 'TEST_TWILIO_TOKEN' }, from: '+15550002222' };
const NOTIFY: NotifyConfig = { maxPerHour: 100, smsMaxPerHour: 100, dedupWindowMs: 0 };

// Before the afterEach below, so that their resets run after the intake is closed.
const sink = useSmtpSink({ reset: 'after-each' });
const twilio = useTwilioFake({ reset: 'after-each' });
let intake: Intake | undefined;
const bin = tempDir('intake-pipe-bin-');
const piped = join(bin, 'piped.eml');
writeFileSync(join(bin, 'save'), `#!/bin/sh\ncat > ${JSON.stringify(piped)}\n`);
writeFileSync(join(bin, 'fail'), '#!/bin/sh\ncat > /dev/null\nexit 3\n');
chmodSync(join(bin, 'save'), 0o755);
chmodSync(join(bin, 'fail'), 0o755);

afterEach(async () => {
  await intake?.close();
  intake = undefined;
  rmSync(piped, { force: true });
});

function outgoing(): OutgoingConfig {
  return { host: '127.0.0.1', port: sink.port, tls: 'none', allowInsecure: false, from: 'me@example.test' };
}

async function start(rules: string): Promise<Intake> {
  intake = await startIntake(rules, {
    outbound: { config: { outgoing: outgoing(), sms: SMS, notify: NOTIFY, pipe: { dir: bin, timeoutMs: 10_000, maxOutputBytes: 4096 } }, sms: { baseUrl: twilio.baseUrl, env: { TEST_TWILIO_TOKEN: 'tok-secret' } } },
  });
  return intake;
}

const send = (i: Intake, raw = MESSAGE) => transport(i.port).sendMail({ envelope: { from: 'alice@example.org', to: ['me@example.test'] }, raw });

describe('outbound actions in the SMTP intake', () => {
  it('redirect without :copy: sent through [outgoing] with X-Loop, nothing stored, 250', async () => {
    const i = await start('redirect "archive@elsewhere.test";');
    const info = await send(i);
    expect(info.response).toMatch(/^250 2\.0\.0 accepted \(redirect\)/);
    expect(allFiles(i.maildir)).toEqual([]);
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]).toMatchObject({ from: 'alice@example.org', to: ['archive@elsewhere.test'] });
    expect(sink.messages[0]!.raw).toMatch(/^X-Loop: me@example\.test\r\nReturn-Path: <alice@example\.org>\r\nReceived: /);
    expect(sink.messages[0]!.raw).toContain('Subject: hello there');
  });

  it('a refused redirect is reported and the message kept (stored before the 250)', async () => {
    const i = await start('redirect "archive@elsewhere.test";');
    sink.refuseRcpt = () => '550 no such user';
    const info = await send(i);
    expect(info.response).toMatch(/^250 2\.0\.0 stored in box\/INBOX/);
    expect(i.files()).toHaveLength(1);
    const row = i.state.events.recent({ account: 'in' })[0]!;
    expect(row).toMatchObject({ status: 'error' });
    expect(row.error).toMatch(/SMTP .*refused/);
    expect(i.logger.events.some((e) => e.level === 'warn' && /kept in box\/INBOX/.test(e.text))).toBe(true);
  });

  it('redirect :copy stores and sends; the same transaction sent again stores again but does not resend (ledger)', async () => {
    const i = await start('require "copy";\nredirect :copy "archive@elsewhere.test";');
    await send(i);
    expect(i.files()).toHaveLength(1);
    expect(sink.messages).toHaveLength(1);
    // A client that got no 250 resends the same bytes: the redirect is already done.
    await send(i);
    expect(i.files()).toHaveLength(2);
    expect(sink.messages).toHaveLength(1);
    // A different message is redirected.
    await send(i, MESSAGE.replace('Message-ID: <m1@', 'Message-ID: <m2@'));
    expect(sink.messages).toHaveLength(2);
  });

  it('redirect without :copy left in doubt by a crash: the resent message is kept, not answered 250 with no copy anywhere', async () => {
    const i = await start('redirect "archive@elsewhere.test";');
    await send(i);
    expect(sink.messages).toHaveLength(1);
    // As if the daemon had died between the ledger's begin and the send: the row stays started
    // and the client, which got no 250, sends the same transaction again.
    i.state.db.prepare("UPDATE ledger SET state = 'started', detail = NULL, finished_at = NULL").run();
    sink.messages.length = 0;
    const info = await send(i);
    expect(sink.messages).toHaveLength(0); // not resent: the first attempt may have gone out
    expect(info.response).toMatch(/^250 2\.0\.0 stored in box\/INBOX/);
    expect(i.files()).toHaveLength(1);
  });

  it('vacation replies to the envelope sender with Auto-Submitted, once per period', async () => {
    const i = await start('require "vacation";\nvacation :days 1 :subject "Away" "I am away.";');
    await send(i);
    expect(i.files()).toHaveLength(1);
    expect(sink.messages).toHaveLength(1);
    const reply = sink.messages[0]!;
    expect(reply.from).toBe('');
    expect(reply.to).toEqual(['alice@example.org']);
    expect(reply.raw).toMatch(/^Auto-Submitted: auto-replied/m);
    expect(reply.raw).toMatch(/^In-Reply-To: <m1@example\.org>/m);
    await send(i, MESSAGE.replace('Message-ID: <m1@', 'Message-ID: <m3@'));
    expect(sink.messages).toHaveLength(1);
  });

  it('notify mailto and the canonical sms rule: one mail and one SMS, the message kept', async () => {
    const i = await start(`require ["enotify", "variables"];
if address :is "from" "alice@example.org" {
  if header :matches "subject" "*" { set "s" "\${1}"; }
  notify :message "Mail from Alice: \${s}" "sms:+15551234567";
  notify "mailto:pager@elsewhere.test";
}`);
    const info = await send(i);
    expect(info.response).toMatch(/^250 2\.0\.0 stored in box\/INBOX/);
    expect(i.files()).toHaveLength(1);
    expect(twilio.requests).toHaveLength(1);
    expect(twilio.requests[0]!.form).toMatchObject({ To: '+15551234567', From: '+15550002222', Body: 'Mail from Alice: hello there' });
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]).toMatchObject({ from: '', to: ['pager@elsewhere.test'] });
  });

  it('a Twilio error is reported, the message kept, and nothing retried', async () => {
    const i = await start('require "enotify";\nnotify "sms:+15551234567";');
    twilio.reply = () => ({ status: 400, body: { code: 21211, message: "The 'To' number is not valid.", status: 400 } });
    try {
      const info = await send(i);
      expect(info.response).toMatch(/^250 /);
    } finally {
      twilio.reply = undefined;
    }
    expect(i.files()).toHaveLength(1);
    expect(twilio.requests).toHaveLength(1);
    expect(i.state.events.recent({ account: 'in' })[0]).toMatchObject({ status: 'error' });
  });

  it('pipe without :copy hands the message to the program; a failing program means keep', async () => {
    const i = await start('require "vnd.dovecot.pipe";\nif header :contains "subject" "hello" { pipe "save"; }');
    const info = await send(i);
    expect(info.response).toMatch(/^250 2\.0\.0 accepted \(pipe\)/);
    expect(allFiles(i.maildir)).toEqual([]);
    expect(existsSync(piped)).toBe(true);
    expect(readFileSync(piped, 'utf8')).toContain('Subject: hello there');
    await intake!.close();
    intake = undefined;

    const j = await start('require "vnd.dovecot.pipe";\npipe "fail";');
    const again = await send(j);
    expect(again.response).toMatch(/^250 2\.0\.0 stored in box\/INBOX/);
    expect(j.files()).toHaveLength(1);
  });
});
