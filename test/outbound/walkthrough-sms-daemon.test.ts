/**
 * The cookbook's "Text me when X writes", end to end as the outbound walkthrough set it up:
 * a real Dovecot, the daemon with the documented `[sms]` (token from `auth_token_file`) and
 * `[notify]` settings, and the real twilio client against the local recording fake. Mail from
 * alice and from someone else: exactly one SMS, with the configured account, token and
 * numbers; a restart sends nothing again; the token is in no log line.
 *
 * The one departure from `mailsift run`: the daemon's outbound handlers are built with
 * `sms.baseUrl` (through DaemonOptions.createExecutor), since a configuration cannot point
 * Twilio elsewhere.
 */
import { chmodSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/actions/executor.js';
import type { OutboundRegistry } from '../../src/actions/outbound.js';
import type { Config } from '../../src/config/types.js';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { createOutbound, type Outbound } from '../../src/outbound/index.js';
import { useDaemonFixture } from '../daemon/daemon-fixture.js';
import { message, waitFor } from '../daemon/helpers.js';
import { useTwilioFake } from '../support/twilio-fake-fixture.js';

const env = useDaemonFixture({ notify: true, name: 'walk-sms', mailboxes: [] });
const fake = useTwilioFake({ reset: 'after-each' });

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'walkthrough-token-5f3a';
const RULES = `require ["enotify", "variables"];
if address :is "from" "alice@example.com" {
  if header :matches "subject" "*" { set "s" "\${1}"; }
  notify :message "Mail from Alice: \${s}" "sms:+15551234567";
}
`;

/** The daemon as `mailsift run` starts it, its outbound handlers' Twilio pointed at the fake. */
async function start(config: Config, logger: MemoryLogger): Promise<Daemon> {
  let daemon: Daemon | undefined;
  let outbound: Outbound | undefined;
  // Built on first use, from the daemon's own state database (open once startDaemon returned).
  const registry = new Proxy(new Map() as OutboundRegistry, {
    get(_t, prop) {
      outbound ??= createOutbound({ config, db: daemon!.state.db, memory: daemon!.state.duplicates, sms: { baseUrl: fake.baseUrl } });
      const value = Reflect.get(outbound.registry, prop, outbound.registry) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(outbound.registry) : value;
    },
  });
  daemon = await startDaemon(config, { logger, configFile: config.file, createExecutor: (deps) => createExecutor({ ...deps, outbound: registry }) });
  const d = daemon;
  return Object.assign(Object.create(d) as Daemon, { stop: async () => { await d.stop(); outbound?.close(); } });
}

describe('SMS when a specific sender writes, through the daemon', () => {
  it('one SMS for alice, none for bob, none again after a restart; the token never logged', async () => {
    const s = env.setup('walk-sms');
    const tokenFile = s.file('twilio.token', `${TOKEN}\n`);
    chmodSync(tokenFile, 0o600);
    const config = await s.write({
      accounts: [{ name: 'work', dovecot: env.d }],
      watches: [{ account: 'work', rules: RULES, start: 'new' }],
      extra: `[sms]\nprovider = "twilio"\naccount_sid = "${SID}"\nauth_token_file = "twilio.token"\nfrom = "+15550002222"\n\n[notify]\nsms_max_per_hour = 5\ndedup_window = "15m"\n`,
    });
    const log = new MemoryLogger();
    let daemon = await start(config, log);
    try {
      await waitFor('the watch', () => log.events.some((e) => /watching INBOX/.test(e.text)));
      await env.mail.append('INBOX', message('from-alice', 'lunch today?').replace('From: Sender <sender@example.test>', 'From: Alice <alice@example.com>'));
      await env.mail.append('INBOX', message('from-bob', 'unrelated').replace('From: Sender <sender@example.test>', 'From: Bob <bob@example.com>'));
      await waitFor('both messages', () => log.messages.length >= 2 && log.messages);
      expect(log.messages.map((m) => m.status)).toEqual(['ok', 'ok']);
      expect(fake.requests.map((r) => ({ path: r.path, form: r.form, auth: r.auth }))).toEqual([
        { path: `/2010-04-01/Accounts/${SID}/Messages.json`, form: { To: '+15551234567', From: '+15550002222', Body: 'Mail from Alice: lunch today?' }, auth: `${SID}:${TOKEN}` },
      ]);

      await daemon.stop();
      const again = new MemoryLogger();
      daemon = await start(config, again);
      await waitFor('the watch after the restart', () => again.events.some((e) => /watching INBOX/.test(e.text)));
      await env.mail.append('INBOX', message('after-restart', 'nothing to text').replace('From: Sender <sender@example.test>', 'From: Bob <bob@example.com>'));
      await waitFor('the message after the restart', () => again.messages.length >= 1);
      expect(again.messages.map((m) => m.uid)).toEqual([3]); // uid 1 and 2 not evaluated again
      expect(fake.requests).toHaveLength(1);
      const text = JSON.stringify([log.messages, log.events, again.messages, again.events]);
      expect(text).not.toContain(TOKEN);
    } finally {
      await daemon.stop();
    }
  });
});
