/**
 * The actions a script asks for: the engine's output, and the public JSON format of
 * `mailsift test --json`. A union tagged by `type`; switches over it are exhaustive.
 */

export interface KeepAction {
  readonly type: 'keep';
  /** True for Sieve's implicit keep (RFC 5228 §2.10.2), false for an explicit `keep`. */
  readonly implicit: boolean;
  readonly flags: readonly string[];
}

export interface FileintoAction {
  readonly type: 'fileinto';
  readonly mailbox: string;
  readonly flags: readonly string[];
  /** :copy (RFC 3894): does not cancel the implicit keep. */
  readonly copy: boolean;
  /** :create (RFC 5490): create the mailbox when it does not exist. */
  readonly create: boolean;
  /** vnd.mailsift.account: the account to store into, when not the message's own. */
  readonly account?: string;
}

export interface RedirectAction {
  readonly type: 'redirect';
  readonly address: string;
  readonly copy: boolean;
}

export interface DiscardAction {
  readonly type: 'discard';
}

export interface RejectAction {
  /** `reject` (RFC 5429 §2.2, an MDN-style refusal) or `ereject` (§2.1, refused at SMTP time). */
  readonly type: 'reject' | 'ereject';
  readonly reason: string;
}

export interface VacationAction {
  readonly type: 'vacation';
  readonly reason: string;
  readonly subject?: string;
  readonly from?: string;
  readonly addresses: readonly string[];
  readonly mime: boolean;
  readonly handle: string;
  /** The period as written with :days (RFC 5230), when given in days. */
  readonly days?: number;
  /** The period in seconds (:seconds of RFC 6131, or days × 86400). */
  readonly seconds: number;
}

export interface NotifyAction {
  readonly type: 'notify';
  readonly method: string;
  readonly message?: string;
  readonly from?: string;
  /** RFC 5435 §3.4: 1 high, 2 normal, 3 low. */
  readonly importance: 1 | 2 | 3;
  readonly options: readonly string[];
}

/** vnd.dovecot.pipe compatible: hand the message to an allow-listed program. */
export interface PipeAction {
  readonly type: 'pipe';
  readonly program: string;
  readonly args: readonly string[];
  readonly copy: boolean;
}

export type Action =
  | KeepAction
  | FileintoAction
  | RedirectAction
  | DiscardAction
  | RejectAction
  | VacationAction
  | NotifyAction
  | PipeAction;

export type ActionType = Action['type'];
