/**
 * The execution plan: what the compiler hands the runtime. Control structures are
 * nodes of their own; everything else is a call into the extension that defined it,
 * with its arguments already checked and lowered.
 */
import type { Span } from '../dsl/diagnostics.js';
import type { HostRequest } from './host.js';
import type { Runtime } from './runtime.js';

export interface CommandImpl<A = unknown> {
  run(args: A, rt: Runtime): void | HostRequest<void>;
  /** run() may return a HostRequest; see TestImpl.asksHost. */
  readonly asksHost?: boolean;
}

export interface TestImpl<A = unknown> {
  test(args: A, rt: Runtime): boolean | HostRequest<boolean>;
  /**
   * test() may return a HostRequest (mailboxexists, duplicate). Tests that cannot are run
   * without the evaluator's generators (see TestPlan.sync); one that returns a request
   * without declaring it is a bug, reported as an exception.
   */
  readonly asksHost?: boolean;
}

/**
 * `sync` (tests and commands): set by the compiler when nothing in the subtree asks the
 * host, so that it is evaluated by plain calls instead of generators, which cost an
 * object per test and per block (most scripts ask nothing). Absent means "may ask".
 */
export type TestPlan = (
  | { readonly kind: 'const'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'not'; readonly test: TestPlan; readonly span: Span }
  | { readonly kind: 'allof' | 'anyof'; readonly tests: readonly TestPlan[]; readonly span: Span }
  | { readonly kind: 'test'; readonly name: string; readonly impl: TestImpl<any>; readonly args: unknown; readonly span: Span }
) & { readonly sync?: boolean };

export type CommandPlan = (
  | { readonly kind: 'if'; readonly branches: readonly { readonly test: TestPlan; readonly body: readonly CommandPlan[] }[]; readonly otherwise?: readonly CommandPlan[]; readonly span: Span }
  | { readonly kind: 'stop'; readonly span: Span }
  | { readonly kind: 'call'; readonly name: string; readonly impl: CommandImpl<any>; readonly args: unknown; readonly span: Span }
) & { readonly sync?: boolean };

export interface Plan {
  readonly commands: readonly CommandPlan[];
  /** Capabilities the script required (or ihave-enabled). */
  readonly capabilities: ReadonlySet<string>;
  /** A test reads the body (or execute :pipe hands the message over): hosts must fetch the whole message, not just its header. */
  readonly needsBody: boolean;
  /** Source name, for messages. */
  readonly file: string;
}
