/**
 * Ask, don't fetch: the questions the runtime puts to its host, and how a test
 * or command waits for the answer. The interpreter yields the query; the host
 * (a dry run, the daemon) answers, and evaluation resumes with the answer.
 */

export type HostQuery =
  /** RFC 5490 mailboxexists: do all these mailboxes exist? Answer: boolean. */
  | { readonly kind: 'mailbox-exists'; readonly mailboxes: readonly string[] }
  /**
   * RFC 7352 duplicate: has this id been seen within `seconds`? Answer: boolean.
   * The host records the id only if the script completes (see RunResult.duplicates).
   */
  | { readonly kind: 'duplicate'; readonly id: string; readonly handle: string; readonly seconds: number; readonly last: boolean }
  /**
   * vnd.dovecot.execute: run an allow-listed program now, during evaluation, with `input` on
   * its stdin (empty when absent). Answer: ExecuteAnswer.
   */
  | { readonly kind: 'execute'; readonly program: string; readonly args: readonly string[]; readonly input?: Uint8Array };

export type HostQueryKind = HostQuery['kind'];

/** The host's answer to an `execute` query. */
export type ExecuteAnswer =
  /** The program ran to its end: its exit status (null: killed by a signal) and its stdout. */
  | { readonly kind: 'exited'; readonly exitCode: number | null; readonly output: string }
  /** It could not run or was stopped: missing, not allowed, not configured, timed out, printed too much. */
  | { readonly kind: 'failed'; readonly reason: string }
  /** A dry run that does not run programs. */
  | { readonly kind: 'not-run'; readonly reason: string };

/** A test or command that needs an outside fact returns one of these instead of a value. */
export interface HostRequest<T> {
  readonly query: HostQuery;
  resume(answer: unknown): T;
}

export function isHostRequest<T>(x: T | HostRequest<T> | void): x is HostRequest<T> {
  return typeof x === 'object' && x !== null && 'query' in x && 'resume' in x;
}
