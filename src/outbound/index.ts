/**
 * The outbound handlers of the executor's registry (src/actions/outbound.ts), built from the
 * configuration: redirect, vacation and notify mailto through `[outgoing]` (nodemailer),
 * notify sms/tel through `[sms]` (Twilio), pipe through `[pipe]`. A section that is missing
 * leaves its actions failing with OUTBOUND_NOT_CONFIGURED (the message stays).
 * reject/ereject have no handler here (they belong to SMTP intake).
 */
import type Database from 'better-sqlite3';
import { createOutboundRegistry, type OutboundRegistry } from '../actions/outbound.js';
import type { Account, Config } from '../config/types.js';
import { NotifyLog } from './notify-log.js';
import { notifyHandler } from './notify.js';
import { pipeHandler } from './pipe.js';
import { redirectHandler } from './redirect.js';
import { createSmsSender, type SmsSenderOptions } from './sms.js';
import { createSmtpSender, type SmtpSender, type SmtpSenderOptions } from './smtp.js';
import { vacationHandler, type VacationMemory } from './vacation.js';

export { NotifyLog } from './notify-log.js';
export type { SmtpSender } from './smtp.js';
export type { SmsSender } from './sms.js';

export interface OutboundDeps {
  readonly config: Pick<Config, 'accounts' | 'outgoing' | 'sms' | 'notify' | 'pipe'>;
  /** The state database connection (`state.db`): the notify_log table lives there. */
  readonly db: Database.Database;
  /** Vacation periods (`state.duplicates`). */
  readonly memory: VacationMemory;
  readonly now?: () => number;
  readonly smtp?: SmtpSenderOptions;
  /** Tests point `sms.baseUrl` at a local fake Twilio. */
  readonly sms?: SmsSenderOptions;
}

export interface Outbound {
  readonly registry: OutboundRegistry;
  readonly notifyLog: NotifyLog;
  /** Close the SMTP connection, if one is open. */
  close(): void;
}

/** The owner's addresses for an account: the `[outgoing]` from and an IMAP/POP3 user that is an address. */
function ownAddresses(accounts: Readonly<Record<string, Account>>, from: string | undefined): (account: string) => string[] {
  return (name) => {
    const a = Object.hasOwn(accounts, name) ? accounts[name] : undefined;
    const user = a && (a.type === 'imap' || a.type === 'pop3') && a.user.includes('@') ? [a.user] : [];
    return [...(from !== undefined ? [from] : []), ...user];
  };
}

export function createOutbound(deps: OutboundDeps): Outbound {
  const { config } = deps;
  const notifyLog = new NotifyLog(deps.db);
  let smtp: SmtpSender | undefined;
  const outgoing = config.outgoing;
  const getSmtp = outgoing ? (): SmtpSender => (smtp ??= createSmtpSender(outgoing, deps.smtp)) : undefined;
  const own = ownAddresses(config.accounts, outgoing?.from);
  const sms = config.sms ? createSmsSender(config.sms, { ...(deps.now && { now: deps.now }), ...deps.sms }) : undefined;
  const registry = createOutboundRegistry({
    ...(getSmtp && outgoing && {
      redirect: redirectHandler({ smtp: getSmtp, loopAddress: outgoing.from, ownAddresses: own }),
      vacation: vacationHandler({ smtp: getSmtp, from: outgoing.from, ownAddresses: own, memory: deps.memory, ...(deps.now && { now: deps.now }) }),
    }),
    notify: notifyHandler({
      log: notifyLog,
      ...(config.notify && { config: config.notify }),
      ...(getSmtp && outgoing && { smtp: getSmtp, mailFrom: outgoing.from }),
      ...(sms && { sms }),
      ...(deps.now && { now: deps.now }),
    }),
    pipe: pipeHandler(config.pipe),
  });
  return {
    registry,
    notifyLog,
    close: () => smtp?.close(),
  };
}
