/**
 * One message received by an smtp-intake account (smtp-intake-runner.ts), handled during
 * the DATA phase, before the reply:
 *
 *   stamp (Return-Path, Received) → evaluate once per RCPT TO (envelope from/to/auth,
 *   environment location "MTA", phase "during", remote-ip/remote-host) → decide →
 *   reject: 550 | store durably (fsync, or a confirmed IMAP APPEND) → outbound actions
 *   (redirect, vacation, notify, pipe: registry + ledger; a failure adds the keep) → 250
 *   | a store fails: 451, nothing stored
 *
 * The outcome is written down by smtp-intake-records.ts before the verdict is returned.
 */
import type { SmtpIntakeAccount, WatchConfig } from '../config/types.js';
import { MailsiftError } from '../errors.js';
import type { ExecutorDeps } from '../actions/deps.js';
import { decide, mailboxKey, type StoreRequest } from '../connectors/smtp-intake/decide.js';
import { runIntakeOutbound, transactionDigest, type OutboundResult } from '../connectors/smtp-intake/outbound.js';
import type { IntakeVerdict, ReceivedMessage } from '../connectors/smtp-intake/server.js';
import { mailboxExists, storeAll, type StoredCopy } from '../connectors/smtp-intake/store.js';
import { stamp } from '../connectors/smtp-intake/trace-headers.js';
import { hostEnvironment } from '../host/environment.js';
import { runRules } from './run-rules.js';
import type { RunResult } from '../runtime/evaluate.js';
import { parseMessage } from '../runtime/message/parse.js';
import type { MessageView } from '../runtime/message/types.js';
import type { Plan } from '../runtime/plan.js';
import type { SmtpIntakeDeps } from './smtp-intake-runner.js';
import { nextTransaction, problemOf, type IntakeRecords, type Problem } from './smtp-intake-records.js';

export interface IntakeDeliveryOptions {
  readonly account: SmtpIntakeAccount;
  /** The account's current `[[watch]]` (a rules-only reload swaps it in place). */
  readonly watch: () => WatchConfig;
  readonly deps: SmtpIntakeDeps;
  /** The name in the Received header. */
  readonly serverName: string;
  readonly records: IntakeRecords;
}

export class IntakeDelivery {
  constructor(private readonly o: IntakeDeliveryOptions) {}

  private get name(): string {
    return this.o.account.name;
  }

  async deliver(m: ReceivedMessage): Promise<IntakeVerdict> {
    const { deps, records } = this.o;
    const watch = this.o.watch();
    const now = deps.now?.() ?? new Date();
    const target = this.o.account.target!;
    const plan = deps.plan(watch.rules);
    const id = `${m.session.id}.${nextTransaction()}`;
    if (!plan) return records.finish({ id, view: undefined, actions: [], verdict: { kind: 'temporary', reason: 'the rules are not loaded' }, status: 'error', problem: { text: `rules file ${watch.rules} is not loaded` } });
    const raw = stamp(m.envelope, m.session, this.o.serverName, now, m.raw);
    const view = parseMessage(raw);
    const environment = hostEnvironment({ location: 'MTA', phase: 'during', 'remote-ip': m.session.remoteIp, 'remote-host': m.session.remoteIp });
    const runs: RunResult[] = [];
    for (const rcpt of m.envelope.rcptTo) {
      runs.push(await this.run(plan, view, { from: m.envelope.mailFrom, to: rcpt, ...(m.session.user !== undefined && { auth: m.session.user }) }, environment, now));
    }
    const actions = runs.flatMap((r) => r.actions);
    const runError = runs.find((r) => r.status === 'error')?.error;
    const errorText = runError && `rules: ${runError.code}${runError.line !== undefined ? ` at line ${runError.line}` : ''}: ${runError.message}`;
    // editheader changes apply to what is stored: the first run's message, when it was edited.
    const edited = runs.find((r) => r.edited)?.message.raw;
    const decision = decide(runs.map((r) => r.actions), target);
    if (decision.kind === 'reject') {
      return records.finish({ id, view, actions, verdict: { kind: 'rejected', reason: decision.reason }, status: errorText ? 'error' : 'ok', ...(errorText !== undefined && { problem: { text: errorText } }) });
    }
    const temporary: IntakeVerdict = { kind: 'temporary', reason: 'cannot store the message now' };
    const executorDeps = this.executorDeps();
    const keep: StoreRequest = { account: target.account, mailbox: target.mailbox, flags: [], create: true, keep: true };
    const message = edited ?? raw;
    let stored: StoredCopy[];
    try {
      stored = await storeAll(executorDeps, decision.stores, keep, message, now);
    } catch (err) {
      return records.finish({ id, view, actions, verdict: temporary, status: 'error', problem: problemOf(err) });
    }
    for (const s of stored) {
      if (s.fellBackFrom !== undefined) deps.logger.event('warn', `${this.name}: fileinto "${s.fellBackFrom}": no such folder in ${s.account}; kept in "${s.mailbox}" instead`, { account: this.name });
    }
    // Only now, with the message stored, the actions that leave the mailbox (RFC 5321 §4.2.5:
    // until the 250 the client still holds it, so a crash here loses nothing; the ledger
    // keeps a resent message from sending twice).
    let outbound: OutboundResult[] = [];
    if (decision.outbound.length > 0) {
      outbound = await runIntakeOutbound(executorDeps, { account: this.name, digest: transactionDigest(m.envelope, m.raw), message, requests: decision.outbound });
      const failed = outbound.filter((o) => o.status === 'failed');
      for (const f of failed) deps.logger.event('warn', `${this.name}: ${f.detail}; the message is kept in ${target.account}/${target.mailbox}`, { account: this.name, code: 'OUTBOUND_FAILED' });
      const have = new Set(stored.map((s) => mailboxKey(s.account, s.mailbox)));
      // An action left in doubt by a crash (the client resent the message) was not carried out
      // again, and may never have been: keep the message too (a second copy beats none).
      const keepFor = outbound.filter((o) => o.status === 'failed' || o.inDoubt);
      const fallback = keepFor.map((f) => f.request.keepOnFailure).filter((k) => !have.has(mailboxKey(k.account, k.mailbox)));
      if (fallback.length > 0) {
        const flags = [...new Set(fallback.flatMap((k) => k.flags))];
        try {
          stored = [...stored, ...(await storeAll(executorDeps, [{ ...fallback[0]!, flags }], keep, message, now))];
        } catch (err) {
          // Nothing holds the message now: the client must keep it. A resend finds the sent actions done.
          return records.finish({ id, view, actions, verdict: temporary, status: 'error', problem: { ...problemOf(err), text: `${keepFor[0]!.detail}; then the keep failed: ${(err as Error).message}` } });
        }
      }
    }
    const sent = outbound.filter((o) => o.status !== 'failed').map((o) => o.request.op.action.type);
    const where = stored.length === 0 ? (sent.length > 0 ? `accepted (${[...new Set(sent)].join(', ')})` : 'accepted and discarded') : `stored in ${stored.map((s) => `${s.account}/${s.mailbox}`).join(', ')}`;
    const verdict: IntakeVerdict = { kind: 'accepted', detail: `${where} (${id})` };
    const outboundFailure = outbound.find((o) => o.status === 'failed');
    const problem: Problem | undefined = errorText !== undefined ? { text: errorText } : outboundFailure && { text: outboundFailure.detail, ...(outboundFailure.code !== undefined && { code: outboundFailure.code }) };
    const remember = errorText ? undefined : () => runs.forEach((r) => r.duplicates.forEach((d) => deps.state.duplicates.remember(d.id, d.handle, d.seconds, now.getTime())));
    return records.finish({ id, view, actions, verdict, status: problem ? 'error' : 'ok', ...(problem !== undefined && { problem }), ...(remember !== undefined && { remember }) });
  }

  /** The executor's dependencies, built per message so that a reload is seen (SmtpIntakeDeps.executorDeps). */
  private executorDeps(): ExecutorDeps {
    const { deps } = this.o;
    return (
      deps.executorDeps?.() ?? {
        ledger: deps.state.ledger,
        accounts: deps.accounts(),
        imap: (name) => Promise.reject(new MailsiftError('IMAP_CONNECT_FAILED', `${name}: no IMAP connections in this setup`)),
      }
    );
  }

  private async run(plan: Plan, view: MessageView, envelope: { from: string; to: string; auth?: string }, environment: Record<string, string>, now: Date): Promise<RunResult> {
    const { deps } = this.o;
    const target = this.o.account.target!;
    try {
      const settings = deps.settings?.(environment) ?? { environment };
      return await runRules(plan, view, { envelope, now, settings }, {
        state: deps.state,
        mailboxExists: (names) => mailboxExists(this.executorDeps(), target.account, names),
        ...(deps.programs && { programs: deps.programs }),
      });
    } catch (err) {
      // A bug in the runtime, not in the rules: keep the message, as for a runtime error.
      return { status: 'error', actions: [{ type: 'keep', implicit: true, flags: [] }], error: { phase: 'runtime', code: 'host-error', message: `internal error: ${(err as Error).message}` }, message: view, edited: false, duplicates: [] };
    }
  }
}
