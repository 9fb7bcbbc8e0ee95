/**
 * The effective configuration as TOML: every default filled in, every path
 * expanded, keys in the order docs/configuration.md lists them. Feeding the
 * output back to parseConfig gives the same Config.
 *
 * Secrets: the file can only say where a secret comes from, never what it is
 * (a literal `password`/`auth_token` is a config error), so there is nothing to
 * mask. `*_command` and `*_file` are shown as written; `*_env` shows the
 * variable's NAME, never its value.
 */
import { stringify } from 'smol-toml';
import type { Account, Config, OutgoingConfig, SecretRef, ServerEndpoint } from './types.js';
import { formatDuration, formatSize } from './units.js';

type Table = Record<string, unknown>;

function secret(prefix: string, ref: SecretRef | undefined): Table {
  if (ref === undefined) return {};
  switch (ref.kind) {
    case 'command':
      return { [`${prefix}_command`]: ref.command };
    case 'file':
      return { [`${prefix}_file`]: ref.file };
    case 'env':
      return { [`${prefix}_env`]: ref.env };
    default:
      return assertNever(ref);
  }
}

function endpoint(e: ServerEndpoint): Table {
  return { host: e.host, port: e.port, tls: e.tls, allow_insecure: e.allowInsecure };
}

function account(a: Account): Table {
  switch (a.type) {
    case 'imap':
      return {
        type: a.type,
        ...endpoint(a),
        user: a.user,
        ...secret('password', a.password),
        discard: a.discard,
        poll_interval: formatDuration(a.pollIntervalMs),
      };
    case 'maildir':
    case 'mbox':
      return { type: a.type, path: a.path };
    case 'pop3':
      return { type: a.type, ...endpoint(a), user: a.user, ...secret('password', a.password), schedule: a.schedule, delete: a.delete, ...(a.deliverTo && { deliver_to: { ...a.deliverTo } }) };
    case 'smtp-intake':
      return {
        type: a.type,
        listen_host: a.listenHost,
        listen_port: a.listenPort,
        recipients: [...a.recipients],
        max_size: formatSize(a.maxSizeBytes),
        ...(a.target && { target_account: a.target.account, target_mailbox: a.target.mailbox }),
        ...(a.tls && { tls_key: a.tls.keyFile, tls_cert: a.tls.certFile }),
        ...(a.users && { users: a.users.map((u) => ({ user: u.user, ...secret('password', u.password) })) }),
      };
    default:
      return assertNever(a);
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled: ${JSON.stringify(x)}`);
}

function outgoing(o: OutgoingConfig): Table {
  return { ...endpoint(o), ...(o.user !== undefined ? { user: o.user } : {}), ...secret('password', o.password), from: o.from };
}

export function printConfig(config: Config): string {
  const doc: Table = { state: { dir: config.state.dir } };
  doc.accounts = Object.fromEntries(Object.entries(config.accounts).map(([name, a]) => [name, { ...account(a), ...('smtp' in a && a.smtp && { smtp: outgoing(a.smtp) }) }]));
  // A pop3/smtp-intake watch has no mailboxes; leave the key out rather than print []. An
  // smtp-intake watch refuses `start`, so it is left out too.
  doc.watch = config.watch.map((w) => ({ account: w.account, ...(w.mailboxes.length > 0 ? { mailboxes: [...w.mailboxes] } : {}), rules: w.rules, ...(config.accounts[w.account]?.type === 'smtp-intake' ? {} : { start: w.start }) }));
  doc.sweep = config.sweep.map((s) => ({ account: s.account, mailbox: s.mailbox, rules: s.rules, schedule: s.schedule }));
  if (config.outgoing) doc.outgoing = outgoing(config.outgoing);
  if (config.sms) {
    const s = config.sms;
    doc.sms = { provider: s.provider, account_sid: s.accountSid, ...secret('auth_token', s.authToken), from: s.from };
  }
  if (config.notify) {
    const n = config.notify;
    const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    doc.notify = {
      max_per_hour: n.maxPerHour,
      sms_max_per_hour: n.smsMaxPerHour,
      dedup_window: formatDuration(n.dedupWindowMs),
      ...(n.quietHours ? { quiet_hours: `${hhmm(n.quietHours.startMinute)}-${hhmm(n.quietHours.endMinute)}` } : {}),
      ...(n.timezone !== undefined ? { timezone: n.timezone } : {}),
    };
  }
  if (config.pipe) doc.pipe = { dir: config.pipe.dir, timeout: formatDuration(config.pipe.timeoutMs), max_output: formatSize(config.pipe.maxOutputBytes) };
  doc.models = Object.fromEntries(
    Object.entries(config.models).map(([name, m]) => [name, { path: m.path, ...(Object.keys(m.buckets).length > 0 ? { buckets: { ...m.buckets } } : {}), ...(m.account !== undefined ? { account: m.account } : {}) }]),
  );
  for (const k of ['watch', 'sweep', 'accounts', 'models'] as const) {
    const v = doc[k];
    if (Array.isArray(v) ? v.length === 0 : Object.keys(v as Table).length === 0) delete doc[k];
  }
  return `# Effective configuration from ${config.file}, defaults filled in.\n\n${stringify(doc).trimEnd()}\n`;
}
