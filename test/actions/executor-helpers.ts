/** Shared set-up for the executor tests: accounts, watchers, a state db, and a way to look into mailboxes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { createExecutor, type ExecutorDeps, type ExecutorLogEvent } from '../../src/actions/executor.js';
import { planOperations } from '../../src/actions/plan-operations.js';
import type { ExecuteInput, MessageRef } from '../../src/actions/types.js';
import type { Account, ImapAccount } from '../../src/config/types.js';
import { connectImap, MailboxWatcher, type ImapAccountConfig } from '../../src/connectors/imap/index.js';
import type { Action } from '../../src/runtime/actions.js';
import { openState, type StateDb } from '../../src/state/db.js';
import type { DovecotInstance } from '../support/dovecot.js';
import { executorDeps } from '../support/executor-deps.js';

export function imapAccount(name: string, d: DovecotInstance, over: Partial<ImapAccount> = {}): ImapAccount {
  return { type: 'imap', name, host: d.host, port: d.imapPort, tls: 'none', allowInsecure: false, user: 'alice', password: { kind: 'env', env: 'UNUSED' }, discard: 'trash', pollIntervalMs: 60_000, ...over };
}

export function connection(name: string, d: DovecotInstance, user = 'alice'): ImapAccountConfig {
  return { name, host: d.host, port: d.imapPort, tls: 'none', user, password: `${user}-secret` };
}

export async function startWatcher(name: string, d: DovecotInstance, user = 'alice'): Promise<MailboxWatcher> {
  const w = new MailboxWatcher(connection(name, d, user), { mailboxes: ['INBOX'], backoff: { baseMs: 100, maxMs: 400 } });
  await w.start();
  return w;
}

export interface Harness {
  state: StateDb;
  logs: ExecutorLogEvent[];
  deps(over?: Partial<ExecutorDeps>): ExecutorDeps;
  run(input: ExecuteInput, over?: Partial<ExecutorDeps>): ReturnType<ReturnType<typeof createExecutor>['execute']>;
  dispose(): void;
}

export function harness(accounts: Record<string, Account>, watchers: Record<string, MailboxWatcher>): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'executor-state-'));
  const state = openState(dir);
  const logs: ExecutorLogEvent[] = [];
  const deps = (over: Partial<ExecutorDeps> = {}): ExecutorDeps => executorDeps({ state, accounts, watchers }, { log: (e) => logs.push(e), ...over });
  return {
    state,
    logs,
    deps,
    run: (input, over) => createExecutor(deps(over)).execute(input),
    dispose: () => {
      state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const fileinto = (mailbox: string, extra: Partial<{ copy: boolean; flags: string[]; account: string; create: boolean }> = {}): Action => ({
  type: 'fileinto',
  mailbox,
  flags: extra.flags ?? [],
  copy: extra.copy ?? false,
  create: extra.create ?? false,
  ...(extra.account ? { account: extra.account } : {}),
});
export const keep = (flags: string[] = [], implicit = false): Action => ({ type: 'keep', implicit, flags });
export const discard: Action = { type: 'discard' };

let counter = 0;
/** A small message with a unique Message-ID (CRLF, one 8-bit byte). */
export function message(subject = 'hello'): { raw: Buffer; messageId: string } {
  const messageId = `m${Date.now()}.${process.pid}.${++counter}@example.test`;
  const raw = Buffer.concat([
    Buffer.from(`Return-Path: <sender@example.test>\r\nFrom: sender@example.test\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${messageId}>\r\nDate: Thu, 08 Jan 2026 09:15:02 +0000\r\n\r\nFrom the body\r\n`),
    Buffer.from([0xe4, 0x0d, 0x0a]),
  ]);
  return { raw, messageId };
}

export const INTERNAL_DATE = new Date('2025-03-04T05:06:07Z');

/**
 * Appends a message to `mailbox` with INTERNALDATE = INTERNAL_DATE and returns its ref
 * (without internalDate/size: the executor must cope with what fetchNew may not give).
 */
export async function put(d: DovecotInstance, account: string, mailbox = 'INBOX', flags: string[] = [], subject = 'hello', user = 'alice'): Promise<{ ref: MessageRef; raw: Buffer; messageId: string }> {
  const { raw, messageId } = message(subject);
  const client = await connectImap(connection('put', d, user));
  try {
    const r = await client.append(mailbox, raw, flags, INTERNAL_DATE);
    if (!r || r.uid === undefined || r.uidValidity === undefined) throw new Error('append without APPENDUID');
    return { ref: { account, mailbox, uidValidity: Number(r.uidValidity), uid: r.uid, messageId, flags }, raw, messageId };
  } finally {
    await client.logout().catch(() => undefined);
    client.close();
  }
}

export function input(ref: MessageRef, actions: Action[], extra: Partial<ExecuteInput> = {}): ExecuteInput {
  return { ref, plan: planOperations(actions, { mailbox: ref.mailbox }), ...extra };
}

export interface Seen {
  uid: number;
  flags: string[];
  internalDate: Date;
  raw: Buffer;
  messageId?: string;
}

/** Every message of a mailbox, from a separate connection ([] when the mailbox does not exist). */
export async function look(d: DovecotInstance, mailbox: string, user = 'alice'): Promise<Seen[]> {
  const client: ImapFlow = await connectImap(connection('inspect', d, user));
  try {
    let box;
    try {
      box = await client.mailboxOpen(mailbox, { readOnly: true });
    } catch {
      return [];
    }
    if (!box.exists) return [];
    const out: Seen[] = [];
    for await (const m of client.fetch('1:*', { uid: true, flags: true, internalDate: true, source: true, envelope: true })) {
      out.push({
        uid: m.uid,
        flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
        internalDate: new Date(m.internalDate ?? 0),
        raw: m.source ?? Buffer.alloc(0),
        ...(m.envelope?.messageId ? { messageId: m.envelope.messageId.replace(/^<|>$/g, '') } : {}),
      });
    }
    return out;
  } finally {
    await client.logout().catch(() => undefined);
    client.close();
  }
}

export async function find(d: DovecotInstance, mailbox: string, messageId: string, user = 'alice'): Promise<Seen[]> {
  return (await look(d, mailbox, user)).filter((m) => m.messageId === messageId);
}
