/**
 * The sections besides `[accounts]`: `[state]`, `[[watch]]`, `[[sweep]]`,
 * `[outgoing]`, `[sms]` and `[models.NAME]`, with the checks that span sections
 * (a watch names a defined account of a usable type, nothing watched twice).
 */
import { NAME_RE, readEndpoint } from './accounts.js';
import { defaultStateDir } from './expand.js';
import { suggestion } from './problems.js';
import { isTable, typeName, type ReadContext, type TableReader } from './reader.js';
import type {
  Account,
  AccountType,
  BucketValue,
  ModelConfig,
  OutgoingConfig,
  SmsConfig,
  StateConfig,
  SweepConfig,
  WatchConfig,
} from './types.js';

export function readState(r: TableReader | undefined, ctx: ReadContext): StateConfig {
  const dir = r?.path('dir') ?? defaultStateDir(ctx.expand);
  r?.finish();
  return { dir };
}

/** Look up `account` and check its type; reports and returns undefined when unusable. */
function accountFor(r: TableReader, accounts: Readonly<Record<string, Account>>, allowed: readonly AccountType[], what: string): Account | undefined {
  const name = r.string('account', { required: true });
  if (name === undefined) return undefined;
  const account = Object.hasOwn(accounts, name) ? accounts[name] : undefined;
  if (account === undefined) {
    r.problem('unknown-account', 'account', `no account "${name}" is defined${suggestion(name, Object.keys(accounts))}`);
    return undefined;
  }
  if (!allowed.includes(account.type)) {
    r.problem('wrong-account-type', 'account', `${what} needs an account of type ${allowed.map((t) => `"${t}"`).join(', ')}; "${name}" is "${account.type}"`);
    return undefined;
  }
  return account;
}

export function readWatches(list: readonly TableReader[], accounts: Readonly<Record<string, Account>>): WatchConfig[] {
  const seen = new Map<string, string>();
  const out: WatchConfig[] = [];
  for (const r of list) {
    const account = accountFor(r, accounts, ['imap', 'pop3', 'smtp-intake'], '[[watch]]');
    let mailboxes: string[] = [];
    if (account === undefined || account.type === 'imap') mailboxes = r.stringArray('mailboxes') ?? ['INBOX'];
    else if (r.has('mailboxes')) {
      r.raw('mailboxes');
      r.problem('not-applicable', 'mailboxes', `a ${account.type} account has no mailboxes to choose`);
    }
    const rules = r.path('rules', { required: true }) ?? '';
    if (account?.type === 'smtp-intake' && r.has('start')) {
      r.raw('start');
      r.problem('not-applicable', 'start', 'an smtp-intake account only sees mail as it arrives');
    }
    const start = r.oneOf('start', ['new', 'all'] as const) ?? 'new';
    r.finish();
    if (account === undefined) continue;
    for (const [i, mailbox] of (account.type === 'imap' ? mailboxes : ['']).entries()) {
      const id = `${account.name}\0${mailbox}`;
      const first = seen.get(id);
      if (first !== undefined) {
        const key = account.type === 'imap' ? `${r.key('mailboxes')}[${i}]` : r.key('account');
        r.ctx.problems.add('duplicate-watch', key, `${account.type === 'imap' ? `mailbox "${mailbox}" of ` : ''}account "${account.name}" is already watched by ${first}`);
      } else seen.set(id, r.keyPath);
    }
    out.push({ account: account.name, mailboxes, rules, start });
  }
  return out;
}

export function readSweeps(list: readonly TableReader[], accounts: Readonly<Record<string, Account>>): SweepConfig[] {
  const out: SweepConfig[] = [];
  for (const r of list) {
    const account = accountFor(r, accounts, ['imap', 'maildir', 'mbox'], '[[sweep]]');
    const mailbox = r.string('mailbox') ?? 'INBOX';
    if (account?.type === 'mbox' && mailbox !== 'INBOX') {
      r.problem('not-applicable', 'mailbox', 'an mbox account is a single mailbox; leave mailbox out');
    }
    const rules = r.path('rules', { required: true }) ?? '';
    const schedule = r.cron('schedule', { required: true }) ?? '';
    r.finish();
    if (account !== undefined) out.push({ account: account.name, mailbox, rules, schedule });
  }
  return out;
}

const ADDRESS_RE = /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;

export function readOutgoing(r: TableReader): OutgoingConfig {
  const endpoint = readEndpoint(r, { tls: 'implicit', ports: { implicit: 465, starttls: 587, none: 25 } });
  const user = r.string('user');
  const password = r.secret('password', { required: user !== undefined });
  if (user === undefined && password !== undefined) {
    r.problem('not-applicable', 'user', 'a password_* needs a user (leave both out for a server without AUTH)');
  }
  const from = r.string('from', { required: true }) ?? '';
  if (from !== '' && !ADDRESS_RE.test(from.trim())) r.problem('invalid-value', 'from', `must be an address like "me@example.com" or "Me <me@example.com>"`);
  r.finish();
  return { ...endpoint, ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}), from };
}

export function readSms(r: TableReader): SmsConfig {
  const provider = r.oneOf('provider', ['twilio'] as const, { required: true }) ?? 'twilio';
  const accountSid = r.string('account_sid', { required: true }) ?? '';
  if (accountSid !== '' && !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) r.problem('invalid-value', 'account_sid', 'must be a Twilio account SID: "AC" and 32 hex digits');
  const authToken = r.secret('auth_token', { required: true }) ?? { kind: 'env', env: '' };
  const from = r.string('from', { required: true }) ?? '';
  if (from !== '' && !/^(?:\+[1-9]\d{1,14}|MG[0-9a-fA-F]{32})$/.test(from)) {
    r.problem('invalid-value', 'from', 'must be an E.164 number like "+15550001111" or a messaging service SID ("MG" and 32 hex digits)');
  }
  r.finish();
  return { provider, accountSid, authToken, from };
}

function bucketValue(v: unknown): BucketValue | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

export function readModel(r: TableReader, name: string): ModelConfig {
  if (!NAME_RE.test(name)) r.problem('invalid-value', '', `model names may contain only letters, digits, "_" and "-"`);
  const path = r.path('path', { required: true }) ?? '';
  const buckets: Record<string, BucketValue> = {};
  const table = r.raw('buckets');
  if (table !== undefined && !isTable(table)) r.problem('wrong-type', 'buckets', `must be a table, not ${typeName(table)}`);
  else if (table !== undefined) {
    for (const [bucket, raw] of Object.entries(table)) {
      const value = bucketValue(raw);
      const key = `${r.key('buckets')}.${/^[A-Za-z0-9_-]+$/.test(bucket) ? bucket : JSON.stringify(bucket)}`;
      if (bucket.trim() === '') r.ctx.problems.add('invalid-value', key, 'bucket names must not be empty');
      else if (value === undefined) r.ctx.problems.add('wrong-type', key, `must be a string, number, boolean or array of strings, not ${typeName(raw)}`);
      else buckets[bucket] = value;
    }
  }
  r.finish();
  return { name, path, buckets };
}
