/**
 * The outbound handlers of the executor's registry (src/actions/outbound.ts), built from the
 * configuration: redirect, vacation and notify mailto through the account's own
 * `[accounts.NAME.smtp]` or else `[outgoing]` (routes.ts, nodemailer),
 * notify sms/tel through `[sms]` (Twilio), pipe through `[pipe]`. A section that is missing
 * leaves its actions failing with OUTBOUND_NOT_CONFIGURED (the message stays).
 * reject/ereject have no handler here (they belong to SMTP intake).
 */
import type Database from 'better-sqlite3';
import { createOutboundRegistry, type OutboundHandler, type OutboundRegistry } from '../actions/outbound.js';
import type { Account, Config } from '../config/types.js';
import { NotifyLog } from './notify-log.js';
import { notifyHandler } from './notify.js';
import { pipeHandler } from './pipe.js';
import { redirectHandler } from './redirect.js';
import { MailsiftError } from '../errors.js';
import { createSmtpRoutes, type SmtpRoute } from './routes.js';
import { createSmsSender, type SmsSenderOptions } from './sms.js';
import type { SmtpSenderOptions } from './smtp.js';
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

/** The owner's addresses for an account: every configured sender, an IMAP/POP3 user that is an address, an intake's recipients. */
function ownAddresses(accounts: Readonly<Record<string, Account>>, from: readonly string[]): (account: string) => string[] {
  return (name) => {
    const a = Object.hasOwn(accounts, name) ? accounts[name] : undefined;
    const user = a && (a.type === 'imap' || a.type === 'pop3') && a.user.includes('@') ? [a.user] : [];
    const recipients = a?.type === 'smtp-intake' ? a.recipients : [];
    return [...from, ...user, ...recipients];
  };
}

type RouteHandlers = { readonly [T in 'redirect' | 'vacation' | 'notify']?: OutboundHandler };

export function createOutbound(deps: OutboundDeps): Outbound {
  const { config } = deps;
  const notifyLog = new NotifyLog(deps.db);
  const routes = createSmtpRoutes(config.accounts, config.outgoing, deps.smtp);
  const own = ownAddresses(config.accounts, routes.fromAddresses);
  const sms = config.sms ? createSmsSender(config.sms, { ...(deps.now && { now: deps.now }), ...deps.sms }) : undefined;
  const notifyBase = { log: notifyLog, ...(config.notify && { config: config.notify }), ...(sms && { sms }), ...(deps.now && { now: deps.now }) };
  // One set of mail-sending handlers per route ([outgoing] or an account's own smtp), built on first use.
  const perRoute = new Map<SmtpRoute | undefined, RouteHandlers>();
  const handlersFor = (account: string): RouteHandlers => {
    const route = routes.forAccount(account);
    let h = perRoute.get(route);
    if (!h) {
      h = route
        ? {
            redirect: redirectHandler({ smtp: route.smtp, loopAddress: route.config.from, ownAddresses: own }),
            vacation: vacationHandler({ smtp: route.smtp, from: route.config.from, ownAddresses: own, memory: deps.memory, ...(deps.now && { now: deps.now }) }),
            notify: notifyHandler({ ...notifyBase, smtp: route.smtp, mailFrom: route.config.from }),
          }
        : { notify: notifyHandler(notifyBase) };
      perRoute.set(route, h);
    }
    return h;
  };
  const routed = (type: keyof RouteHandlers): OutboundHandler => ({
    run(ctx) {
      const handler = handlersFor(ctx.ref.account)[type];
      if (!handler) throw new MailsiftError('OUTBOUND_NOT_CONFIGURED', `${type}: neither [outgoing] nor [accounts.${ctx.ref.account}.smtp] is configured: the message stays`);
      return handler.run(ctx as never);
    },
  });
  const registry = createOutboundRegistry({
    ...(routes.any && { redirect: routed('redirect'), vacation: routed('vacation') }),
    notify: routed('notify'),
    pipe: pipeHandler(config.pipe),
  });
  return {
    registry,
    notifyLog,
    close: () => routes.close(),
  };
}
