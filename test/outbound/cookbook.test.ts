/** Every recipe of docs/cookbook.md: its rules compile, and they run as the text says. */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/dsl/compile.js';
import { defaultRegistry } from '../../src/extensions/index.js';
import { answerExecute } from '../../src/host/execute.js';
import { dryRunHost } from '../../src/runtime/dry-run.js';
import { evaluateAsync } from '../../src/runtime/evaluate.js';
import { parseMessage } from '../../src/runtime/message/parse.js';
import { useSmtpSink } from '../support/smtp-sink-fixture.js';
import { tempDir } from '../support/temp-dir.js';
import { useTwilioFake } from '../support/twilio-fake-fixture.js';
import { mail, SID, world } from './helpers.js';

const text = readFileSync(new URL('../../docs/cookbook.md', import.meta.url), 'utf8');
/** The sieve blocks by the heading they sit under. */
const recipes = new Map<string, string>();
for (const section of text.split(/^## /m).slice(1)) {
  const heading = section.slice(0, section.indexOf('\n')).trim();
  const block = /```sieve\n([\s\S]*?)```/.exec(section);
  if (block) recipes.set(heading, block[1]!);
}
const recipe = (heading: string): string => {
  const r = recipes.get(heading);
  if (r === undefined) throw new Error(`docs/cookbook.md has no sieve block under "## ${heading}"`);
  return r;
};

const sink = useSmtpSink();
const fake = useTwilioFake();
const bin = tempDir('cookbook-bin-');

const outgoing = () => ({ host: sink.host, port: sink.port, tls: 'none' as const, allowInsecure: false, from: 'Me <me@example.com>' });

describe('docs/cookbook.md', () => {
  it('has the headings other recipes fill in, each pointing to its document', () => {
    expect(text).toMatch(/^## Fetch a POP3 account into IMAP folders by rules\n\nSee docs\/pop3\.md\.$/m);
    expect(text).toMatch(/^## SMTP intake in front of a mailbox, with reject at SMTP time\n\nSee docs\/smtp-intake\.md\.$/m);
    expect(text).not.toMatch(/TODO/);
  });

  it.each([...recipes.keys()])('%s: the rules compile', (heading) => {
    const r = compile(recipe(heading), { registry: defaultRegistry });
    expect(r.ok ? [] : r.diagnostics).toEqual([]);
  });

  it('text me when X writes', async () => {
    const w = world({ sms: { provider: 'twilio', accountSid: SID, authToken: { kind: 'env', env: 'T' }, from: '+15550002222' }, notify: { maxPerHour: 60, smsMaxPerHour: 5, dedupWindowMs: 900_000 } }, { sms: { baseUrl: fake.baseUrl, env: { T: 'tok' } } });
    try {
      const rules = recipe('Text me when X writes');
      await w.run(rules, mail({ Subject: 'Train is late' }), 1);
      await w.run(rules, mail({ Subject: 'Now even later' }), 2); // same sender, within 15 min
      await w.run(rules, mail({ From: 'bob@example.com', 'Return-Path': '<bob@example.com>' }), 3);
      expect(fake.requests.map((r) => r.form)).toEqual([{ To: '+15551234567', From: '+15550002222', Body: 'Mail from Alice: Train is late' }]);
    } finally {
      w.dispose();
    }
  });

  it('forward receipts to an accounting address', async () => {
    const w = world({ outgoing: outgoing() });
    try {
      const rules = recipe('Forward receipts to an accounting address');
      const out = await w.run(rules, mail({ From: 'orders@shop.example.com', 'Return-Path': '<bounces@shop.example.com>', Subject: 'Your order' }), 1);
      expect(out.status).toBe('done');
      await w.run(rules, mail({ Subject: 'lunch' }), 2);
      const [m] = await sink.waitFor(1);
      expect(m).toMatchObject({ from: 'bounces@shop.example.com', to: ['books@accounting.example.org'] });
      expect(sink.messages).toHaveLength(1);
    } finally {
      w.dispose();
      sink.messages.length = 0;
    }
  });

  it('vacation', async () => {
    const w = world({ outgoing: outgoing() });
    try {
      const rules = recipe('Vacation');
      await w.run(rules, mail({ To: 'm.e@example.org' }), 1);
      await w.run(rules, mail({ To: 'm.e@example.org' }), 2);
      await w.run(rules, mail({ 'List-Id': '<x.lists.example.com>' }), 3);
      const [m] = await sink.waitFor(1);
      expect(m).toMatchObject({ from: '', to: ['alice@example.com'] });
      expect(m!.raw).toMatch(/^Subject: Out of office until 12 January\r$/m);
      expect(sink.messages).toHaveLength(1);
    } finally {
      w.dispose();
      sink.messages.length = 0;
    }
  });

  it('ask a program where a message goes', async () => {
    writeFileSync(join(bin, 'project-of'), `#!/bin/sh\ncase "$1" in alice@example.com) printf '%s' Apollo ;; *) exit 1 ;; esac\n`);
    chmodSync(join(bin, 'project-of'), 0o755);
    const c = compile(recipe('Ask a program where a message goes'), { registry: defaultRegistry });
    if (!c.ok) throw new Error('the recipe does not compile');
    const programs = { dir: bin, timeoutMs: 10_000, maxOutputBytes: 4096 };
    const run = async (from: string) => {
      const envelope = { from, to: 'me@example.com' };
      const facts = dryRunHost({});
      const r = await evaluateAsync(c.plan, parseMessage(mail({})), { envelope }, (q) => (q.kind === 'execute' ? answerExecute(programs, q, envelope) : facts(q)));
      return r.actions;
    };
    expect(await run('alice@example.com')).toEqual([{ type: 'fileinto', mailbox: 'Projects/Apollo', flags: [], copy: false, create: true }]);
    expect(await run('stranger@example.net')).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
  });

  it('hand a message to a program', async () => {
    writeFileSync(join(bin, 'new-ticket'), `#!/bin/sh\ncat > "${bin}/got-$1"\n`);
    chmodSync(join(bin, 'new-ticket'), 0o755);
    const w = world({ pipe: { dir: bin, timeoutMs: 10_000, maxOutputBytes: 4096 } });
    try {
      const raw = mail({ Subject: '[ticket] printer on fire' });
      expect((await w.run(recipe('Hand a message to a program'), raw, 1)).status).toBe('done');
      expect(readFileSync(join(bin, 'got-support'))).toEqual(Buffer.from(raw));
    } finally {
      w.dispose();
    }
  });
});
