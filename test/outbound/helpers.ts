/** Shared set-up for the outbound tests: a state database, the real executor and its ledger, rules run for real. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExecutor } from '../../src/actions/executor.js';
import { planOperations } from '../../src/actions/plan-operations.js';
import type { ExecuteOutcome, MessageRef } from '../../src/actions/types.js';
import type { Account, Config } from '../../src/config/types.js';
import { defaultRegistry } from '../../src/extensions/index.js';
import { createOutbound, type Outbound, type OutboundDeps } from '../../src/outbound/index.js';
import type { Action } from '../../src/runtime/actions.js';
import { dryRun } from '../../src/runtime/dry-run.js';
import { openState, type StateDb } from '../../src/state/db.js';
import { executorDeps } from '../support/executor-deps.js';

export const SID = `AC${'1'.repeat(32)}`;

export const ACCOUNTS: Record<string, Account> = {
  home: { type: 'imap', name: 'home', host: '127.0.0.1', port: 1, tls: 'none', allowInsecure: false, user: 'me@example.com', password: { kind: 'env', env: 'UNUSED' }, discard: 'trash', pollIntervalMs: 60_000 },
};

export function mail(headers: Record<string, string>, body = 'Hello.\r\n'): Uint8Array {
  const h = { 'Return-Path': '<alice@example.com>', From: 'Alice <alice@example.com>', To: 'me@example.com', Subject: 'Hi there', 'Message-ID': `<${Math.random().toString(36).slice(2)}@example.com>`, ...headers };
  const lines = Object.entries(h).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`);
  return new TextEncoder().encode(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** Compile and run `rules` on `raw` (no I/O): the actions, or throws on a compile/runtime error. */
export function actionsOf(rules: string, raw: Uint8Array): Action[] {
  const r = dryRun(rules, raw, { compile: { registry: defaultRegistry } });
  if (r.error) throw new Error(`rules failed: ${JSON.stringify(r.error)}`);
  return [...r.actions];
}

export interface World {
  state: StateDb;
  outbound: Outbound;
  /** Rules → plan → the real executor with the outbound registry. `edited` carries the bytes, so no IMAP is needed for outbound-only plans. */
  run(rules: string, raw: Uint8Array, uid: number): Promise<ExecuteOutcome>;
  ref(uid: number): MessageRef;
  dispose(): void;
}

export function world(config: Partial<Config>, over: Partial<OutboundDeps> = {}): World {
  const dir = mkdtempSync(join(tmpdir(), 'outbound-'));
  const state = openState(dir);
  const outbound = createOutbound({ config: { accounts: ACCOUNTS, ...config }, db: state.db, memory: state.duplicates, ...over });
  const executor = createExecutor(executorDeps({ state, accounts: ACCOUNTS }, { outbound: outbound.registry }));
  const ref = (uid: number): MessageRef => ({ account: 'home', mailbox: 'INBOX', uidValidity: 7, uid, flags: [] });
  return {
    state,
    outbound,
    ref,
    run: (rules, raw, uid) => executor.execute({ ref: ref(uid), plan: planOperations(actionsOf(rules, raw), { mailbox: 'INBOX' }), edited: raw }),
    dispose: () => {
      outbound.close();
      state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
