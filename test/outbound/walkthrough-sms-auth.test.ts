/**
 * The outbound walkthrough's wrong Twilio token: Twilio answers 401 with the bare text
 * "Authenticate", which left a user guessing what to fix. The SMS_SEND_FAILED line now says
 * which settings a 401 is about, and still never carries the token. Real twilio client
 * against the local recording fake.
 */
import { describe, expect, it } from 'vitest';
import { MailsiftError } from '../../src/errors.js';
import { createSmsSender } from '../../src/outbound/sms.js';
import { useTwilioFake } from '../support/twilio-fake-fixture.js';

const fake = useTwilioFake({ reset: 'after-each' });
const SID = `AC${'2'.repeat(32)}`;
const TOKEN = 'wrong-token-value-77';

function sender() {
  return createSmsSender({ provider: 'twilio', accountSid: SID, authToken: { kind: 'env', env: 'TOK' }, from: '+15550002222' }, { baseUrl: fake.baseUrl, env: { TOK: TOKEN } });
}

async function failure(p: Promise<unknown>): Promise<MailsiftError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MailsiftError);
  return err as MailsiftError;
}

describe('Twilio refusing the credentials', () => {
  it('401 names the [sms] settings to check, without the token', async () => {
    fake.reply = () => ({ status: 401, body: { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 } });
    const err = await failure(sender().send('+15551234567', 'hello'));
    expect(err.code).toBe('SMS_SEND_FAILED');
    expect(err.message).toBe('SMS to +15551234567: Twilio answered 401 (code 20003): Authenticate (check [sms] account_sid and the auth token)');
    expect(err.message).not.toContain(TOKEN);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.auth).toBe(`${SID}:${TOKEN}`);
  });

  it('a refused number (400) gets no such hint', async () => {
    fake.reply = () => ({ status: 400, body: { code: 21211, message: "The 'To' number +1555 is not a valid phone number.", status: 400 } });
    const err = await failure(sender().send('+1555', 'hello'));
    expect(err.code).toBe('SMS_SEND_FAILED');
    expect(err.message).toBe("SMS to +1555: Twilio answered 400 (code 21211): The 'To' number +1555 is not a valid phone number.");
  });
});
