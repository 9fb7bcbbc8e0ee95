/**
 * The SMTP intake end to end: a real smtp-server listener (SmtpIntakeRunner) on loopback,
 * nodemailer as the client (swaks in swaks.test.ts), a real Maildir as the target.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allFiles, MESSAGE, startIntake, transport, type Intake } from './harness.js';

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

/** The stored bytes = Return-Path + Received + the message exactly as sent. */
function splitTrace(stored: Buffer): { trace: string; rest: Buffer } {
  const text = stored.toString('latin1');
  const m = /^Return-Path: <[^>]*>\r\nReceived: [^\r]*\r\n(?:\t[^\r]*\r\n)+/.exec(text);
  if (!m) throw new Error(`no trace header in ${text.slice(0, 300)}`);
  return { trace: m[0], rest: stored.subarray(Buffer.byteLength(m[0], 'latin1')) };
}

describe('SMTP intake with nodemailer', () => {
  it('listens on 127.0.0.1 and stores a kept message byte-exact after the trace headers', async () => {
    intake = await startIntake('keep;');
    expect(intake.runner.address?.host).toBe('127.0.0.1');
    const info = await transport(intake.port).sendMail({ envelope: { from: 'bounce@example.org', to: ['me@example.test'] }, raw: MESSAGE });
    expect(info.response).toMatch(/^250 /);
    const files = intake.files();
    expect(files).toHaveLength(1);
    const { trace, rest } = splitTrace(files[0]!);
    expect(rest.equals(Buffer.from(MESSAGE, 'utf8'))).toBe(true);
    expect(trace).toMatch(/^Return-Path: <bounce@example.org>\r\nReceived: from \S+ \(\[127\.0\.0\.1\]\)\r\n\tby intake\.test \(mailsift\) with ESMTP id \S+\r\n\tfor <me@example\.test>;\r\n\t\w{3}, \d\d \w{3} \d{4} /);
    expect(intake.state.events.recent({ account: 'in' })[0]).toMatchObject({ status: 'ok', messageId: '<m1@example.org>' });
  });

  it('refuses a recipient that is not listed at RCPT TO with 550 (no open relay)', async () => {
    intake = await startIntake('keep;');
    const err = await transport(intake.port).sendMail({ envelope: { from: 'a@example.org', to: ['someone@elsewhere.test'] }, raw: MESSAGE }).catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 550, command: 'RCPT TO' });
    expect(allFiles(intake.maildir)).toEqual([]);
  });

  it('accepts the listed recipient and refuses the others of one transaction', async () => {
    intake = await startIntake('keep;');
    const info = await transport(intake.port).sendMail({ envelope: { from: 'a@example.org', to: ['ME@example.test', 'other@elsewhere.test'] }, raw: MESSAGE });
    expect(info.accepted).toEqual(['ME@example.test']);
    expect(info.rejected).toEqual(['other@elsewhere.test']);
    expect(intake.files()).toHaveLength(1);
  });

  it('answers reject with 550 and its reason, and stores nothing', async () => {
    intake = await startIntake('require "reject";\nif header :contains "subject" "hello" { reject "We do not want this."; }');
    const err = await transport(intake.port).sendMail({ envelope: { from: 'a@example.org', to: ['me@example.test'] }, raw: MESSAGE }).catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 550, command: 'DATA' });
    expect((err as Error & { response: string }).response).toBe('550 5.7.1 We do not want this.');
    expect(allFiles(intake.maildir)).toEqual([]);
  });

  it('answers ereject with 550 and its reason', async () => {
    intake = await startIntake('require "ereject";\nereject "no\\r\\nthanks";');
    const err = await transport(intake.port).sendMail({ envelope: { from: 'a@example.org', to: ['me@example.test'] }, raw: MESSAGE }).catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 550 });
    expect((err as Error & { response: string }).response).toMatch(/^550 5\.7\.1 no/);
  });

  it('files into a folder of the target Maildir, byte-exact', async () => {
    intake = await startIntake('require ["fileinto", "mailbox"];\nif header :contains "subject" "hello" { fileinto :create "Lists/dev"; }');
    await transport(intake.port).sendMail({ envelope: { from: 'a@example.org', to: ['me@example.test'] }, raw: MESSAGE });
    expect(intake.files()).toHaveLength(0);
    const files = intake.files('Lists/dev');
    expect(files).toHaveLength(1);
    expect(splitTrace(files[0]!).rest.equals(Buffer.from(MESSAGE, 'utf8'))).toBe(true);
  });

  it('keeps a message whose fileinto names a missing folder (no :create), as Pigeonhole does', async () => {
    intake = await startIntake('require "fileinto";\nfileinto "Nope";');
    await transport(intake.port).sendMail({ envelope: { from: 'a@example.org', to: ['me@example.test'] }, raw: MESSAGE });
    expect(intake.files()).toHaveLength(1);
    expect(intake.logger.events.some((e) => e.level === 'warn' && e.text.includes('"Nope"'))).toBe(true);
  });

  it('discard accepts with 250 and stores nothing', async () => {
    intake = await startIntake('discard;');
    const info = await transport(intake.port).sendMail({ envelope: { from: 'a@example.org', to: ['me@example.test'] }, raw: MESSAGE });
    expect(info.response).toMatch(/^250 /);
    expect(allFiles(intake.maildir)).toEqual([]);
  });

  it('feeds MAIL FROM and RCPT TO to the envelope test, and MTA/during to environment', async () => {
    intake = await startIntake(
      [
        'require ["envelope", "fileinto", "environment", "mailbox"];',
        'if allof (envelope :is "from" "bounce@lists.example.org", envelope :is "to" "me@example.test",',
        '          environment :is "location" "MTA", environment :is "phase" "during", environment :is "remote-ip" "127.0.0.1") {',
        '  fileinto :create "Matched";',
        '}',
      ].join('\n'),
    );
    await transport(intake.port).sendMail({ envelope: { from: 'bounce@lists.example.org', to: ['me@example.test'] }, raw: MESSAGE });
    expect(intake.files('Matched')).toHaveLength(1);
    await transport(intake.port).sendMail({ envelope: { from: 'other@example.org', to: ['me@example.test'] }, raw: MESSAGE });
    expect(intake.files('Matched')).toHaveLength(1);
    expect(intake.files()).toHaveLength(1);
  });

  it('refuses an oversized message with 552 and stores nothing', async () => {
    intake = await startIntake('keep;', { maxSizeBytes: 2000 });
    const big = MESSAGE + 'x'.repeat(78).concat('\r\n').repeat(100);
    const err = await transport(intake.port).sendMail({ envelope: { from: 'a@example.org', to: ['me@example.test'] }, raw: big }).catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 552 });
    expect(allFiles(intake.maildir)).toEqual([]);
  });

  it('requires AUTH when users are configured, and accepts the right password', async () => {
    process.env.MAILSIFT_TEST_SMTP_PW = 's3cret';
    intake = await startIntake('keep;', { users: [{ user: 'sender', password: { kind: 'env', env: 'MAILSIFT_TEST_SMTP_PW' } }] });
    const noAuth = await transport(intake.port).sendMail({ envelope: { from: 'a@example.org', to: ['me@example.test'] }, raw: MESSAGE }).catch((e: unknown) => e);
    expect(noAuth).toMatchObject({ responseCode: 530 });
    const badAuth = await transport(intake.port, { user: 'sender', pass: 'wrong' }).sendMail({ envelope: { from: 'a@example.org', to: ['me@example.test'] }, raw: MESSAGE }).catch((e: unknown) => e);
    expect(badAuth).toMatchObject({ code: 'EAUTH', responseCode: 535 });
    expect(allFiles(intake.maildir)).toEqual([]);
    const info = await transport(intake.port, { user: 'sender', pass: 's3cret' }).sendMail({ envelope: { from: 'a@example.org', to: ['me@example.test'] }, raw: MESSAGE });
    expect(info.response).toMatch(/^250 /);
    expect(splitTrace(intake.files()[0]!).trace).toContain('with ESMTPA id');
  });

  it('stores nothing and acknowledges nothing when the client disconnects mid-DATA', async () => {
    intake = await startIntake('keep;');
    const replies: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const socket = connect(intake!.port, '127.0.0.1');
      const script = ['EHLO client.test', 'MAIL FROM:<a@example.org>', 'RCPT TO:<me@example.test>', 'DATA'];
      let buffered = '';
      socket.on('data', (d) => {
        buffered += d.toString();
        const lines = buffered.split('\r\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          replies.push(line);
          if (/^\d{3} /.test(line)) {
            if (line.startsWith('354')) {
              socket.write('Subject: half\r\n\r\nonly part of the body');
              // Give the server the partial data, then vanish without the final dot.
              setTimeout(() => socket.destroy(), 100);
            } else if (script.length) socket.write(script.shift() + '\r\n');
          }
        }
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    expect(replies.some((r) => r.startsWith('250 2.0.0'))).toBe(false);
    // The server saw the close; give it a moment to (not) act, polling the outcome.
    await new Promise((r) => setTimeout(r, 200));
    expect(allFiles(intake.maildir)).toEqual([]);
    expect(intake.state.events.recent({ account: 'in' })).toEqual([]);
  });

  it('answers 451 and stores nothing when the target cannot be written', async () => {
    intake = await startIntake('require ["fileinto", "copy"];\nfileinto :copy "INBOX";\nkeep;', { extraAccounts: {} });
    // The target Maildir's root is a file: every store fails.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(intake.maildir, 'not a directory');
    const err = await transport(intake.port).sendMail({ envelope: { from: 'a@example.org', to: ['me@example.test'] }, raw: MESSAGE }).catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 451 });
    expect(intake.state.events.recent({ account: 'in' })[0]).toMatchObject({ status: 'error' });
  });
});
