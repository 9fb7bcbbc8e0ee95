/**
 * Notification methods for enotify (RFC 5435 §3.1): one entry per URI scheme.
 * The notify command, valid_notify_method and notify_method_capability look the
 * scheme up here; a method validates its URIs and :from, answers capability
 * questions and folds away notifications that earlier ones already cover.
 * Delivery (SMTP for mailto, Twilio for sms/tel) is the host's business, not ours.
 */
import { mailto } from './mailto.js';
import { sms } from './sms.js';
import { tel } from './tel.js';

export interface NotifyMethod {
  /** Lower-case URI scheme, without the colon. */
  readonly scheme: string;
  /** Why the part after "scheme:" is not acceptable, or undefined when it is. */
  check(body: string): string | undefined;
  /** Why a :from value is not acceptable for this method (RFC 5435 §3.3), or undefined. */
  checkFrom?(from: string): string | undefined;
  /** Whether the method takes :options at all (Pigeonhole warns when mailto gets some). */
  readonly acceptsOptions: boolean;
  /** notify_method_capability (RFC 5435 §5.2): the value of a capability, undefined when unknown. */
  capability(body: string, name: string): string | undefined;
  /**
   * Duplicate suppression (RFC 5435 §3.8 leaves it to the method): given the URIs of the
   * earlier notifications with this scheme, the URI still to notify (possibly with fewer
   * recipients), or undefined when nothing new is left.
   */
  reduce(uri: string, earlier: readonly string[]): string | undefined;
}

/** The methods this build knows, by scheme. Hosts may add their own before compiling. */
export const notifyMethods = new Map<string, NotifyMethod>();

export function registerNotifyMethod(method: NotifyMethod): void {
  notifyMethods.set(method.scheme.toLowerCase(), method);
}

for (const m of [mailto, sms, tel]) registerNotifyMethod(m);

/** RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

export type MethodLookup =
  | { readonly ok: true; readonly method: NotifyMethod; readonly body: string }
  | { readonly ok: false; readonly problem: string };

/** Split a notification URI into its method and the rest, checking both. */
export function lookupMethod(uri: string): MethodLookup {
  const m = SCHEME.exec(uri);
  if (!m) return { ok: false, problem: `invalid scheme part for method URI "${uri}"` };
  const method = notifyMethods.get(m[1]!.toLowerCase());
  if (!method) return { ok: false, problem: `invalid notify method "${m[1]}"` };
  return { ok: true, method, body: uri.slice(m[0].length) };
}

/** The problem with a notification URI, or undefined when its method accepts it. */
export function uriProblem(uri: string): string | undefined {
  const found = lookupMethod(uri);
  if (!found.ok) return found.problem;
  const problem = found.method.check(found.body);
  return problem === undefined ? undefined : `${found.method.scheme} URI: ${problem}`;
}
