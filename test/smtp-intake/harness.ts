/** A real SmtpIntakeRunner on 127.0.0.1 (any free port), storing into a temporary Maildir. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import type { Account, Config, OutgoingConfig, SmtpIntakeAccount } from '../../src/config/types.js';
import { createOutbound } from '../../src/outbound/index.js';
import type { SmsSenderOptions } from '../../src/outbound/sms.js';
import { SmtpIntakeRunner } from '../../src/daemon/smtp-intake-account.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { compile } from '../../src/dsl/compile.js';
import { openState, type StateDb } from '../../src/state/db.js';
import { executorDeps } from '../support/executor-deps.js';

export interface Intake {
  readonly port: number;
  readonly dir: string;
  readonly maildir: string;
  readonly state: StateDb;
  readonly logger: MemoryLogger;
  readonly runner: SmtpIntakeRunner;
  /** Files in a Maildir folder ("INBOX" = the root), new/ and cur/, contents. */
  files(folder?: string): Buffer[];
  close(): Promise<void>;
}

export interface IntakeOptions {
  readonly recipients?: readonly string[];
  readonly maxSizeBytes?: number;
  readonly users?: SmtpIntakeAccount['users'];
  readonly tls?: SmtpIntakeAccount['tls'];
  readonly extraAccounts?: Record<string, Account>;
  readonly targetMailbox?: string;
  /**
   * The outbound sections: the runner then gets the daemon's outbound registry (createOutbound)
   * and the state's ledger, as in `mailsift run`. `sms` points the real twilio client at a fake.
   */
  readonly outbound?: { readonly config: Pick<Config, 'outgoing' | 'sms' | 'notify' | 'pipe'>; readonly sms?: SmsSenderOptions };
  /** `[accounts.in.smtp]`. */
  readonly smtp?: OutgoingConfig;
}

export async function startIntake(rules: string, options: IntakeOptions = {}): Promise<Intake> {
  const dir = mkdtempSync(join(tmpdir(), 'mailsift-smtp-'));
  const maildir = join(dir, 'Maildir');
  const compiled = compile(rules, { file: 'rules.sieve' });
  if (!compiled.ok) throw new Error(`rules do not compile: ${JSON.stringify(compiled.diagnostics)}`);
  const account: SmtpIntakeAccount = {
    type: 'smtp-intake',
    name: 'in',
    listenHost: '127.0.0.1',
    listenPort: 2525,
    recipients: options.recipients ?? ['me@example.test'],
    maxSizeBytes: options.maxSizeBytes ?? 1024 * 1024,
    target: { account: 'box', mailbox: options.targetMailbox ?? 'INBOX' },
    ...(options.users && { users: options.users }),
    ...(options.tls && { tls: options.tls }),
    ...(options.smtp && { smtp: options.smtp }),
  };
  const accounts: Record<string, Account> = { box: { type: 'maildir', name: 'box', path: maildir }, in: account, ...options.extraAccounts };
  const state = openState(join(dir, 'state'));
  const logger = new MemoryLogger();
  const out = options.outbound && createOutbound({ config: { accounts, ...options.outbound.config }, db: state.db, memory: state.duplicates, ...(options.outbound.sms && { sms: options.outbound.sms }) });
  const runner = new SmtpIntakeRunner(account, { account: 'in', mailboxes: [], rules: 'rules.sieve', start: 'new' }, {
    state,
    logger,
    plan: () => compiled.plan,
    accounts: () => accounts,
    ...(out && { executorDeps: () => executorDeps({ state, accounts }, { outbound: out.registry }) }),
    serverName: 'intake.test',
    port: 0,
  });
  await runner.start();
  return {
    port: runner.address!.port,
    dir,
    maildir,
    state,
    logger,
    runner,
    files(folder = 'INBOX') {
      const base = folder === 'INBOX' ? maildir : join(maildir, '.' + folder.split('/').join('.'));
      return ['new', 'cur'].flatMap((sub) => {
        const d = join(base, sub);
        return existsSync(d) ? readdirSync(d).sort().map((n) => readFileSync(join(d, n))) : [];
      });
    },
    async close() {
      await runner.close();
      out?.close();
      state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function transport(port: number, auth?: { user: string; pass: string }) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, ...(auth && { auth }) });
}

/** Every file under the Maildir (all folders, tmp/ included). */
export function allFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name !== 'maildirfolder').map((e) => join(e.parentPath, e.name));
}

export const MESSAGE = [
  'From: Alice <alice@example.org>',
  'To: me@example.test',
  'Subject: hello there',
  'Message-ID: <m1@example.org>',
  'Date: Tue, 05 May 2026 10:00:00 +0000',
  '',
  'Body line one.',
  '.a line starting with a dot',
  'Bytes: \u00e9',
  '',
].join('\r\n');

const run = promisify(execFile);

/** swaks' exit status is non-zero for a refused message; keep its transcript either way. */
export async function swaks(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run('swaks', ['--suppress-data', '--timeout', '20', ...args], { timeout: 30_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
