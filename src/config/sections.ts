/**
 * The sections besides `[accounts]`: `[state]`, `[[watch]]`, `[[sweep]]`,
 * `[outgoing]`, `[sms]` and `[models.NAME]`, with the checks that span sections
 * (a watch names a defined account of a usable type, nothing watched twice).
 */
import { NAME_RE, readEndpoint, storeTarget } from './accounts.js';
import { defaultStateDir } from './expand.js';
import { suggestion } from './problems.js';
import { isTable, typeName, type ReadContext, type TableReader } from './reader.js';
import type {
  Account,
  AccountType,
  ModelConfig,
  NotifyConfig,
  OutgoingConfig,
  PipeConfig,
  SmsConfig,
  SmtpIntakeAccount,
  StateConfig,
  SweepConfig,
  WatchConfig,
} from './types.js';
import { PIPE_DEFAULTS } from './types.js';

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

/** A watched smtp-intake account must name a target that can store mail. */
function checkIntakeTarget(r: TableReader, account: SmtpIntakeAccount, accounts: Readonly<Record<string, Account>>): void {
  const where = `accounts.${account.name}.target_account`;
  if (account.target === undefined) {
    r.ctx.problems.add('missing-key', where, `a watched smtp-intake account needs target_account: the imap, maildir or mbox account that stores its mail`);
    return;
  }
  storeTarget(accounts, account.target.account, where, r.ctx.problems);
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
    if (account?.type === 'smtp-intake') checkIntakeTarget(r, account, accounts);
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

/** "HH:MM-HH:MM" → minutes after midnight. */
function quietHours(text: string): NotifyConfig['quietHours'] {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!m) return undefined;
  const startMinute = Number(m[1]) * 60 + Number(m[2]);
  const endMinute = Number(m[3]) * 60 + Number(m[4]);
  return startMinute === endMinute ? undefined : { startMinute, endMinute };
}

export function readNotify(r: TableReader): NotifyConfig {
  const maxPerHour = r.integer('max_per_hour', { min: 1, max: 100_000 }) ?? 60;
  const smsMaxPerHour = r.integer('sms_max_per_hour', { min: 1, max: 10_000 }) ?? 10;
  const dedupWindowMs = r.duration('dedup_window', { minMs: 0 }) ?? 10 * 60_000;
  const quietText = r.string('quiet_hours');
  const quiet = quietText === undefined ? undefined : quietHours(quietText);
  if (quietText !== undefined && quiet === undefined) r.problem('invalid-value', 'quiet_hours', 'must be "HH:MM-HH:MM" (24-hour clock, start ≠ end), like "22:00-07:00"');
  const timezone = r.string('timezone');
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      r.problem('invalid-value', 'timezone', `must be an IANA time zone like "Europe/Berlin", not "${timezone}"`);
    }
  }
  r.finish();
  return { maxPerHour, smsMaxPerHour, dedupWindowMs, ...(quiet ? { quietHours: quiet } : {}), ...(timezone !== undefined ? { timezone } : {}) };
}

export function readPipe(r: TableReader): PipeConfig {
  const dir = r.path('dir', { required: true }) ?? '';
  const timeoutMs = r.duration('timeout', { minMs: 100 }) ?? PIPE_DEFAULTS.timeoutMs;
  const maxOutputBytes = r.size('max_output') ?? PIPE_DEFAULTS.maxOutputBytes;
  r.finish();
  return { dir, timeoutMs, maxOutputBytes };
}

/** Bucket names as the classifier takes them (src/classify/store/training-batch.ts checkBucketName). */
const BUCKET_RE = /^[A-Za-z0-9._+-]{1,64}$/;

/**
 * `[models.NAME]`: `path` (the model's directory), `buckets = { bucket = "Folder" }` and the
 * IMAP `account` those folders are in (default: the only IMAP account). With buckets, the
 * daemon learns from the user's moves into those folders (docs/classify.md).
 */
export function readModel(r: TableReader, name: string, accounts: Readonly<Record<string, Account>>): ModelConfig {
  if (!NAME_RE.test(name)) r.problem('invalid-value', '', `model names may contain only letters, digits, "_" and "-"`);
  const path = r.path('path', { required: true }) ?? '';
  const buckets: Record<string, string> = {};
  const table = r.raw('buckets');
  if (table !== undefined && !isTable(table)) r.problem('wrong-type', 'buckets', `must be a table of bucket = "Folder", not ${typeName(table)}`);
  else if (table !== undefined) {
    const byFolder = new Map<string, string>();
    for (const [bucket, folder] of Object.entries(table)) {
      const key = `${r.key('buckets')}.${/^[A-Za-z0-9_-]+$/.test(bucket) ? bucket : JSON.stringify(bucket)}`;
      if (!BUCKET_RE.test(bucket) || bucket === 'unsure') r.ctx.problems.add('invalid-value', key, 'bucket names are 1-64 letters, digits, ".", "_", "+", "-", and not "unsure"');
      else if (typeof folder !== 'string') r.ctx.problems.add('wrong-type', key, `must be the bucket's folder (a string), not ${typeName(folder)}`);
      else if (folder.trim() === '') r.ctx.problems.add('invalid-value', key, 'the folder name must not be empty');
      else if (byFolder.has(folder)) r.ctx.problems.add('invalid-value', key, `folder "${folder}" is already the folder of bucket "${byFolder.get(folder)}"`);
      else {
        byFolder.set(folder, bucket);
        buckets[bucket] = folder;
      }
    }
  }
  let account: string | undefined;
  if (r.has('account')) {
    const a = accountFor(r, accounts, ['imap'], '[models.NAME] buckets');
    account = a?.name;
  } else if (Object.keys(buckets).length > 0) {
    const imap = Object.values(accounts).filter((a) => a.type === 'imap');
    if (imap.length === 1) account = imap[0]!.name;
    else r.problem('missing-key', 'account', `buckets name folders: say in which IMAP account (${imap.length === 0 ? 'none is defined' : `one of ${imap.map((a) => `"${a.name}"`).join(', ')}`})`);
  }
  r.finish();
  return { name, path, buckets, ...(account !== undefined && { account }) };
}
