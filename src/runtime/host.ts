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
  | { readonly kind: 'duplicate'; readonly id: string; readonly handle: string; readonly seconds: number; readonly last: boolean };

export type HostQueryKind = HostQuery['kind'];

/** A test or command that needs an outside fact returns one of these instead of a value. */
export interface HostRequest<T> {
  readonly query: HostQuery;
  resume(answer: unknown): T;
}

export function isHostRequest<T>(x: T | HostRequest<T> | void): x is HostRequest<T> {
  return typeof x === 'object' && x !== null && 'query' in x && 'resume' in x;
}
