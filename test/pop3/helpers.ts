/** Test support for the POP3 tests: a TCP proxy that can cut a RETR midway, messages, a runner harness. */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorDeps } from '../../src/actions/deps.js';
import type { Account, Pop3Account, WatchConfig } from '../../src/config/types.js';
import type { MailboxWatcher } from '../../src/connectors/imap/index.js';
import type { DeliverTo } from '../../src/connectors/pop3/deliver.js';
import type { DaemonLogger, MessageLogEntry } from '../../src/daemon/log.js';
import { Pop3AccountRunner } from '../../src/daemon/pop3-account.js';
import { compile } from '../../src/dsl/compile.js';
import { openState, type StateDb } from '../../src/state/db.js';
import type { DovecotInstance } from '../support/dovecot.js';
import { executorDeps } from '../support/executor-deps.js';

/**
 * Forwards 127.0.0.1:port ↔ the target. While `cutAfter` is set, the server→client stream of a
 * connection is cut (both sides destroyed) once that many bytes went to the client after the
 * client sent a RETR.
 */
export class CuttingProxy {
  port = 0;
  cutAfter: number | undefined;
  cuts = 0;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort });
      this.sockets.add(client).add(upstream);
      let retrSeen = false;
      let sent = 0;
      client.on('data', (d: Buffer) => {
        if (/^RETR /m.test(d.toString('latin1'))) retrSeen = true;
        upstream.write(d);
      });
      upstream.on('data', (d: Buffer) => {
        if (retrSeen && this.cutAfter !== undefined) {
          const room = this.cutAfter - sent;
          if (d.length >= room) {
            client.write(d.subarray(0, Math.max(0, room)), () => {
              this.cuts++;
              client.destroy();
              upstream.destroy();
            });
            return;
          }
          sent += d.length;
        }
        client.write(d);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let counter = 0;
/** A message with 8-bit bytes, a line starting with ".", a line that is only ".", CRLF endings. */
export function tricky(subject: string, bodyBytes = 0): Buffer {
  const id = `pop3.${process.pid}.${Date.now()}.${++counter}@example.test`;
  const filler = bodyBytes > 0 ? Buffer.from(`${'x'.repeat(70)}\r\n`.repeat(Math.ceil(bodyBytes / 72))) : Buffer.alloc(0);
  return Buffer.concat([
    Buffer.from(`From: sender@example.test\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: Thu, 08 Jan 2026 09:15:02 +0000\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`),
    Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65, 0x20, 0xe9, 0x0d, 0x0a]), // "Grüße é" in latin1
    Buffer.from('.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n'),
    filler,
    Buffer.from('end\r\n'),
  ]);
}

export function pop3Account(name: string, d: DovecotInstance, over: Partial<Pop3Account> = {}): Pop3Account {
  return { type: 'pop3', name, host: d.host, port: d.pop3Port, tls: 'none', allowInsecure: false, user: 'alice', password: { kind: 'env', env: 'MAILSIFT_TEST_POP3_PASSWORD' }, schedule: '0 0 1 1 *', delete: 'never', ...over };
}

/**
 * A `[accounts.NAME]` table of type pop3 for alice on `d` plus its `[[watch]]`, as a config
 * file has them (the daemon tests write these; the loader reads them for real).
 */
export function pop3Toml(name: string, d: DovecotInstance, o: { passwordFile: string; rulesFile: string; schedule?: string; delete?: 'after-delivery' | 'never'; deliverTo?: string; start?: 'new' | 'all' }): string {
  return [
    `[accounts.${name}]`,
    'type = "pop3"',
    'host = "127.0.0.1"',
    `port = ${d.pop3Port}`,
    'tls = "none"',
    'user = "alice"',
    `password_file = ${JSON.stringify(o.passwordFile)}`,
    `schedule = ${JSON.stringify(o.schedule ?? '0 0 1 1 *')}`,
    `delete = "${o.delete ?? 'after-delivery'}"`,
    ...(o.deliverTo !== undefined ? [`deliver_to = ${o.deliverTo}`] : []),
    '',
    '[[watch]]',
    `account = "${name}"`,
    `rules = ${JSON.stringify(o.rulesFile)}`,
    `start = "${o.start ?? 'all'}"`,
    '',
  ].join('\n');
}

export function watch(account: string, rules = 'rules.sieve', start: 'new' | 'all' = 'all'): WatchConfig {
  return { account, mailboxes: [], rules, start };
}

export interface Pop3Harness {
  readonly state: StateDb;
  readonly messages: MessageLogEntry[];
  readonly events: { level: string; text: string; code?: string }[];
  runner(account: Pop3Account, rules: string, options?: { deliverTo?: DeliverTo; start?: 'new' | 'all' }): Pop3AccountRunner;
  dispose(): void;
}

export function pop3Harness(accounts: Record<string, Account>, watchers: Record<string, MailboxWatcher>): Pop3Harness {
  const dir = mkdtempSync(join(tmpdir(), 'pop3-state-'));
  const state = openState(dir);
  const messages: MessageLogEntry[] = [];
  const events: { level: string; text: string; code?: string }[] = [];
  const logger: DaemonLogger = {
    message: (e) => messages.push(e),
    event: (level, text, fields) => events.push({ level, text, ...(typeof fields?.code === 'string' && { code: fields.code }) }),
  };
  const deps = (): ExecutorDeps => executorDeps({ state, accounts, watchers });
  return {
    state,
    messages,
    events,
    runner(account, rules, options = {}) {
      const r = compile(rules);
      if (!r.ok) throw new Error(`rules do not compile: ${JSON.stringify(r.diagnostics)}`);
      const a = options.deliverTo ? { ...account, deliverTo: options.deliverTo } : account;
      return new Pop3AccountRunner(a, watch(account.name, 'rules.sieve', options.start ?? 'all'), { state, logger, plan: () => r.plan, executorDeps: deps, client: { timeoutMs: 10_000 } });
    },
    dispose() {
      state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
