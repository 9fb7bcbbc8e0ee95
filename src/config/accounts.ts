/**
 * `[accounts.NAME]`: one reader per account `type`, found through a registry so a
 * new connector adds an entry here rather than a branch elsewhere.
 */
import { isIP } from 'node:net';
import { suggestion, type Problems } from './problems.js';
import { isTable, typeName, type TableReader } from './reader.js';
// A cycle (sections.ts uses readEndpoint): safe, neither module calls the other while loading.
import { readOutgoing } from './sections.js';
import {
  ACCOUNT_TYPES,
  TLS_MODES,
  type Account,
  type AccountType,
  type Pop3Account,
  type ServerEndpoint,
  type TlsMode,
} from './types.js';

/** Names appear in logs, the state database and on the command line: keep them plain. */
export const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

const PORT = { min: 1, max: 65_535 };

/** localhost, 127.0.0.0/8, ::1 (bracketed or not), and IPv4-mapped loopback. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^(?:0{1,4}:){7}0{0,3}1$/.test(h) || /^::ffff:127\./.test(h);
  return false;
}

/**
 * host, port, tls, allow_insecure. The default port follows tls; plaintext is
 * only allowed to loopback unless the user opts in, since it would send the
 * password in the clear.
 */
export function readEndpoint(r: TableReader, defaults: { tls: TlsMode; ports: Record<TlsMode, number> }): ServerEndpoint {
  const host = r.string('host', { required: true }) ?? '';
  const explicitPort = r.integer('port', PORT);
  const tls = r.oneOf('tls', TLS_MODES) ?? defaults.tls;
  const port = explicitPort ?? defaults.ports[tls];
  const allowInsecure = r.boolean('allow_insecure') ?? false;
  if (tls === 'none' && host !== '' && !allowInsecure && !isLoopback(host)) {
    r.problem('insecure-tls', 'tls', `"none" sends the password in clear text; it is only allowed to a loopback host unless allow_insecure = true`);
  }
  return { host, port, tls, allowInsecure };
}

type AccountReader = (r: TableReader, name: string) => Account;

/**
 * A pop3 account's `deliver_to`: `"home"` or `{ account = "home", mailbox = "INBOX" }`.
 * Whether the account exists and can store mail is checked once all accounts are read
 * (checkDeliverTo).
 */
function readDeliverTo(r: TableReader): { account: string; mailbox: string } | undefined {
  if (!r.has('deliver_to')) return undefined;
  if (typeof r.data.deliver_to === 'string') {
    const account = r.string('deliver_to');
    return account === undefined ? undefined : { account, mailbox: 'INBOX' };
  }
  if (!isTable(r.data.deliver_to)) {
    r.raw('deliver_to');
    r.problem('wrong-type', 'deliver_to', `must be an account name or a table { account = "name", mailbox = "INBOX" }, not ${typeName(r.data.deliver_to)}`);
    return undefined;
  }
  const t = r.table('deliver_to');
  if (t === undefined) return undefined;
  const account = t.string('account', { required: true });
  const mailbox = t.string('mailbox') ?? 'INBOX';
  t.finish();
  return account === undefined ? undefined : { account, mailbox };
}

/** Account types that can store a message (the executor's targets). */
const STORE_TYPES: readonly AccountType[] = ['imap', 'maildir', 'mbox'];

/**
 * The account `name` when it is defined and can store mail (a pop3 `deliver_to`, an
 * smtp-intake `target_account`); otherwise reported at `key`, and undefined.
 */
export function storeTarget(accounts: Readonly<Record<string, Account>>, name: string, key: string, problems: Problems, why = ''): Account | undefined {
  const target = Object.hasOwn(accounts, name) ? accounts[name] : undefined;
  if (target === undefined) problems.add('unknown-account', key, `no account "${name}" is defined${suggestion(name, Object.keys(accounts))}`);
  else if (!STORE_TYPES.includes(target.type)) problems.add('wrong-account-type', key, `must be an imap, maildir or mbox account${why}; "${name}" is "${target.type}"`);
  else return target;
  return undefined;
}

/** Each pop3 `deliver_to` names a defined account that can store mail (needs every account read first). */
export function checkDeliverTo(accounts: Readonly<Record<string, Account>>, problems: Problems): void {
  for (const a of Object.values(accounts)) {
    if (a.type !== 'pop3' || a.deliverTo === undefined) continue;
    const { account: name, mailbox } = a.deliverTo;
    const key = `accounts.${a.name}.deliver_to`;
    const target = storeTarget(accounts, name, key, problems, ' (where kept mail is stored)');
    if (target?.type === 'mbox' && mailbox !== 'INBOX') problems.add('not-applicable', `${key}.mailbox`, `"${name}" is an mbox file, a single mailbox: leave mailbox out`);
  }
}

const ACCOUNT_READERS: ReadonlyMap<AccountType, AccountReader> = new Map<AccountType, AccountReader>([
  [
    'imap',
    (r, name) => ({
      type: 'imap',
      name,
      ...readEndpoint(r, { tls: 'implicit', ports: { implicit: 993, starttls: 143, none: 143 } }),
      user: r.string('user', { required: true }) ?? '',
      password: r.secret('password', { required: true }) ?? { kind: 'env', env: '' },
      discard: r.oneOf('discard', ['trash', 'expunge'] as const) ?? 'trash',
      pollIntervalMs: r.duration('poll_interval', { minMs: 1_000 }) ?? 60_000,
    }),
  ],
  ['maildir', (r, name) => ({ type: 'maildir', name, path: r.path('path', { required: true }) ?? '' })],
  ['mbox', (r, name) => ({ type: 'mbox', name, path: r.path('path', { required: true }) ?? '' })],
  [
    'pop3',
    (r, name) => {
      const account: Pop3Account = {
        type: 'pop3',
        name,
        ...readEndpoint(r, { tls: 'implicit', ports: { implicit: 995, starttls: 110, none: 110 } }),
        user: r.string('user', { required: true }) ?? '',
        password: r.secret('password', { required: true }) ?? { kind: 'env', env: '' },
        schedule: r.cron('schedule') ?? '*/5 * * * *',
        delete: r.oneOf('delete', ['after-delivery', 'never'] as const) ?? 'never',
      };
      const deliverTo = readDeliverTo(r);
      return deliverTo ? { ...account, deliverTo } : account;
    },
  ],
  [
    'smtp-intake',
    (r, name) => {
      const recipients = r.stringArray('recipients', { required: true }) ?? [];
      recipients.forEach((rcpt, i) => {
        if (!/^[^\s@<>]+@[^\s@<>]+$/.test(rcpt)) r.ctx.problems.add('invalid-value', `${r.key('recipients')}[${i}]`, `must be an address like "me@example.com", not "${rcpt}"`);
      });
      const listenHost = r.string('listen_host') ?? '127.0.0.1';
      const targetAccount = r.string('target_account');
      const targetMailbox = r.string('target_mailbox');
      if (targetMailbox !== undefined && targetAccount === undefined) r.problem('not-applicable', 'target_mailbox', 'give target_account too');
      const keyFile = r.path('tls_key');
      const certFile = r.path('tls_cert');
      if ((keyFile === undefined) !== (certFile === undefined)) r.problem('missing-key', keyFile === undefined ? 'tls_key' : 'tls_cert', 'STARTTLS needs both tls_key and tls_cert');
      const users = r.tableArray('users').map((u) => {
        const user = { user: u.string('user', { required: true }) ?? '', password: u.secret('password', { required: true }) ?? { kind: 'env' as const, env: '' } };
        u.finish();
        return user;
      });
      if (users.length > 0 && certFile === undefined && !isLoopback(listenHost)) {
        r.problem('insecure-tls', 'users', 'AUTH without TLS sends passwords in clear text: give tls_key and tls_cert, or listen on a loopback address');
      }
      return {
        type: 'smtp-intake',
        name,
        listenHost,
        listenPort: r.integer('listen_port', PORT) ?? 2525,
        recipients,
        maxSizeBytes: r.size('max_size') ?? 25 * 1024 * 1024,
        ...(targetAccount !== undefined && { target: { account: targetAccount, mailbox: targetMailbox ?? 'INBOX' } }),
        ...(keyFile !== undefined && certFile !== undefined && { tls: { keyFile, certFile } }),
        ...(users.length > 0 && { users }),
      };
    },
  ],
]);

/** One `[accounts.NAME]` table; undefined when its type is missing or unknown (already reported). */
export function readAccount(r: TableReader, name: string): Account | undefined {
  if (!NAME_RE.test(name)) {
    r.problem('invalid-value', '', `account names may contain only letters, digits, "_" and "-"`);
  }
  const type = r.string('type', { required: true });
  if (type === undefined) return undefined;
  const reader = ACCOUNT_READERS.get(type as AccountType);
  if (reader === undefined) {
    r.problem('invalid-value', 'type', `must be one of ${ACCOUNT_TYPES.map((t) => `"${t}"`).join(', ')}${suggestion(type, ACCOUNT_TYPES)}`);
    return undefined;
  }
  let account = reader(r, name);
  // `[accounts.NAME.smtp]`: this account's own submission server for redirect, vacation, notify mailto.
  const smtp = r.table('smtp');
  if (smtp !== undefined) {
    const own = readOutgoing(smtp);
    if (account.type === 'imap' || account.type === 'pop3' || account.type === 'smtp-intake') account = { ...account, smtp: own };
    else r.problem('not-applicable', 'smtp', `a ${account.type} account receives no mail to act on; give [outgoing] instead`);
  }
  r.finish();
  return account;
}
