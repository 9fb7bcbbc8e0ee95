/**
 * The mailsift side of bench section "smtp", in its own process (so the load generator does
 * not share its event loop): an SmtpIntakeRunner on 127.0.0.1 with the given rules, storing
 * into a Maildir (fsync'd before each 250). The script's `redirect :copy` and `notify mailto:`
 * are carried out through `[outgoing]` = the bench's local SMTP sink at SINK_PORT (smtp.ts),
 * the counterpart of Dovecot's `sendmail_path = /bin/true`. Prints {"port":N} once listening;
 * exits on SIGTERM, printing {"peakRssMB":X}.
 *
 *   node --import tsx bench/smtp-intake-worker.ts RULES MAILDIR STATE_DIR RECIPIENT SINK_PORT
 */
// The shipped V8 flags first (bin/mailsift.js does the same), so the engine measured is the one users run.
import '../bin/v8-flags.js';
import { readFileSync } from 'node:fs';
import type { ExecutorDeps } from '../src/actions/deps.js';
import type { Account, OutgoingConfig, SmtpIntakeAccount } from '../src/config/types.js';
import { createOutbound } from '../src/outbound/index.js';
import { SmtpIntakeRunner } from '../src/daemon/smtp-intake-account.js';
import type { DaemonLogger } from '../src/daemon/log.js';
import { compile } from '../src/dsl/compile.js';
import { openState } from '../src/state/db.js';

const [rulesFile, maildir, stateDir, recipient, sinkPort] = process.argv.slice(2) as [string, string, string, string, string];
const compiled = compile(readFileSync(rulesFile, 'utf8'), { file: rulesFile });
if (!compiled.ok) throw new Error(`${rulesFile} does not compile`);
const account: SmtpIntakeAccount = {
  type: 'smtp-intake',
  name: 'in',
  listenHost: '127.0.0.1',
  listenPort: 0,
  recipients: [recipient],
  maxSizeBytes: 50 * 1024 * 1024,
  target: { account: 'box', mailbox: 'INBOX' },
};
const accounts: Record<string, Account> = { in: account, box: { type: 'maildir', name: 'box', path: maildir } };
const quiet: DaemonLogger = { message: () => undefined, event: () => undefined };
const state = openState(stateDir);
const outgoing: OutgoingConfig = { host: '127.0.0.1', port: Number(sinkPort), tls: 'none', allowInsecure: false, from: 'alice@example.test' };
// The daemon's own wiring (src/daemon/executor.ts): the outbound registry from the configuration.
const outbound = createOutbound({ config: { accounts, outgoing }, db: state.db, memory: state.duplicates });
const executorDeps = (): ExecutorDeps => ({ ledger: state.ledger, accounts, outbound: outbound.registry, imap: () => Promise.reject(new Error('no IMAP in the bench')) });
const runner = new SmtpIntakeRunner(account, { account: 'in', mailboxes: [], rules: rulesFile, start: 'new' }, { state, logger: quiet, plan: () => compiled.plan, accounts: () => accounts, executorDeps, port: 0 });
await runner.start();
process.stdout.write(`${JSON.stringify({ port: runner.address!.port })}\n`);

function peakRssMB(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

process.on('SIGTERM', () => {
  void runner.close().then(() => {
    outbound.close();
    state.close();
    process.stdout.write(`${JSON.stringify({ peakRssMB: peakRssMB() })}\n`);
    process.exit(0);
  });
});
