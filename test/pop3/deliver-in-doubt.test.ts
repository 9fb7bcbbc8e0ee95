/**
 * A POP3 message whose rules redirect it without :copy (so nothing keeps it) and whose
 * redirect was interrupted by a crash: on the next poll the ledger says the redirect is in
 * doubt, and the redirect handler does not send again (a second copy out is worse than none).
 * The message may then never have left: it must not count as delivered, or a `delete =
 * "after-delivery"` account deletes the only copy from the POP3 server. With a deliver_to it
 * is stored there instead. Real pieces: the state database's ledger, the daemon's outbound
 * registry, a real SMTP sink, a Maildir deliver_to.
 */
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planOperations } from '../../src/actions/plan-operations.js';
import type { Account } from '../../src/config/types.js';
import { deliverPop3Message, POP3_FOLDER, type DeliverTo } from '../../src/connectors/pop3/deliver.js';
import { runRules } from '../../src/daemon/run-rules.js';
import { compile } from '../../src/dsl/compile.js';
import { createOutbound } from '../../src/outbound/index.js';
import { parseMessage } from '../../src/runtime/message/parse.js';
import { openState } from '../../src/state/db.js';
import { executorDeps } from '../support/executor-deps.js';
import { useSmtpSink } from '../support/smtp-sink-fixture.js';

const RAW = new TextEncoder().encode('From: Alice <alice@example.org>\r\nTo: me@example.test\r\nSubject: hi\r\nMessage-ID: <p1@example.org>\r\n\r\nBody.\r\n');

const sink = useSmtpSink();

async function attempt(dir: string, deliverTo?: DeliverTo) {
  const maildir = join(dir, 'Maildir');
  const accounts: Record<string, Account> = { home: { type: 'maildir', name: 'home', path: maildir } };
  const state = openState(join(dir, 'state'));
  const out = createOutbound({ config: { accounts, outgoing: { host: '127.0.0.1', port: sink.port, tls: 'none', allowInsecure: false, from: 'me@example.test' } }, db: state.db, memory: state.duplicates });
  try {
    const compiled = compile('redirect "archive@elsewhere.test";', { file: 'rules.sieve' });
    if (!compiled.ok) throw new Error('rules do not compile');
    const result = await runRules(compiled.plan, parseMessage(RAW), { now: new Date() }, { state, mailboxExists: () => false });
    const deps = executorDeps({ state, accounts }, { outbound: out.registry });
    const input = { account: 'pop', uidl: 'u1', raw: RAW, plan: planOperations(result.actions, { mailbox: POP3_FOLDER }), ...(deliverTo && { deliverTo }) };
    return { state, deps, input, maildir };
  } catch (err) {
    out.close();
    state.close();
    throw err;
  }
}

describe('POP3 delivery after a crash left a redirect in doubt', () => {
  for (const deliverTo of [undefined, { account: 'home', mailbox: 'INBOX' }]) {
    it(`does not count the message delivered unless it is stored (${deliverTo ? 'with' : 'without'} deliver_to)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pop3-in-doubt-'));
      try {
        const { state, deps, input, maildir } = await attempt(dir, deliverTo);
        // The first attempt got as far as the ledger's begin, then the process died.
        const key = { source: 'pop', folder: POP3_FOLDER, uidvalidity: '0', uid: 'u1', action: input.plan.operations[0]!.key };
        expect(state.ledger.begin(key)).toBe('run');
        sink.messages.length = 0;
        const outcome = await deliverPop3Message(deps, input);
        expect(sink.messages).toHaveLength(0); // not resent
        const files = ['new', 'cur'].flatMap((s) => (existsSync(join(maildir, s)) ? readdirSync(join(maildir, s)) : []));
        if (deliverTo) {
          expect(files).toHaveLength(1);
          expect(outcome.delivered).toBe(true);
        } else {
          expect(files).toHaveLength(0);
          expect(outcome.delivered).toBe(false);
        }
        state.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
