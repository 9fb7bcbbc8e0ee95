/**
 * Evaluation of a plan against one message. Pure: the only way out is a yielded
 * HostQuery, answered by whoever drives the generator. A runtime error throws
 * away the collected actions and yields the implicit keep plus the error, so
 * nothing is lost (RFC 5228 §2.10.6).
 */
import type { Action } from './actions.js';
import { assertNever, SieveRuntimeError, type RuntimeErrorCode } from './errors.js';
import { isHostRequest, type HostQuery, type HostRequest } from './host.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import type { MessageView } from './message/types.js';
import type { CommandPlan, Plan, TestPlan } from './plan.js';
import { Runtime, type RunOptions } from './runtime.js';

export interface RuntimeErrorInfo {
  readonly phase: 'runtime';
  readonly code: RuntimeErrorCode;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** An id the host should remember once the message is delivered (RFC 7352 §3). */
export interface DuplicateMark {
  readonly id: string;
  readonly handle: string;
  readonly seconds: number;
}

export interface RunResult {
  readonly status: 'ok' | 'error';
  readonly actions: readonly Action[];
  readonly error?: RuntimeErrorInfo;
  /** The message as the actions should deliver it (editheader changes applied). */
  readonly message: MessageView;
  readonly edited: boolean;
  readonly duplicates: readonly DuplicateMark[];
}

export const DUPLICATE_STATE = 'duplicate';

export function* evaluate(plan: Plan, message: MessageView, options: RunOptions = {}): Generator<HostQuery, RunResult, unknown> {
  const limits: Limits = options.limits === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, ...options.limits };
  const rt = new Runtime(message, options.envelope ?? {}, options, limits, plan.capabilities);
  if (plan.capabilities.has('imap4flags')) rt.flags = [];
  try {
    if (message.size > limits.maxMessageSize) {
      rt.fail('message-too-large', `message of ${message.size} bytes exceeds the limit of ${limits.maxMessageSize}`);
    }
    if (plan.commands.every((c) => c.sync === true)) blockSync(plan.commands, rt);
    else yield* runBlock(plan.commands, rt);
    const actions = rt.result.finish(rt.currentFlags());
    const duplicates = (rt.state.get(DUPLICATE_STATE) as DuplicateMark[] | undefined) ?? [];
    return { status: 'ok', actions, message: rt.message, edited: rt.messageEdited, duplicates };
  } catch (err) {
    if (!(err instanceof SieveRuntimeError)) throw err;
    const span = err.span ?? rt.span;
    return {
      status: 'error',
      actions: [{ type: 'keep', implicit: true, flags: [] }],
      error: { phase: 'runtime', code: err.code, message: err.message, line: span?.line, column: span?.column },
      message,
      edited: false,
      duplicates: [],
    };
  }
}

/** Returns true when `stop` ended the script. */
function* runBlock(commands: readonly CommandPlan[], rt: Runtime): Generator<HostQuery, boolean, unknown> {
  for (const cmd of commands) {
    if (cmd.sync) {
      if (commandSync(cmd, rt)) return true;
      continue;
    }
    rt.step();
    rt.span = cmd.span;
    switch (cmd.kind) {
      case 'call': {
        rt.options.trace?.({ kind: 'command', name: cmd.name, line: cmd.span.line, column: cmd.span.column });
        const r = cmd.impl.run(cmd.args, rt);
        if (isHostRequest(r)) r.resume(yield r.query);
        break;
      }
      case 'if': {
        let taken = false;
        for (const branch of cmd.branches) {
          if (branch.test.sync ? testSync(branch.test, rt) : yield* runTest(branch.test, rt)) {
            taken = true;
            if (yield* runBlock(branch.body, rt)) return true;
            break;
          }
        }
        if (!taken && cmd.otherwise && (yield* runBlock(cmd.otherwise, rt))) return true;
        break;
      }
      case 'stop':
        rt.options.trace?.({ kind: 'stop', line: cmd.span.line });
        return true;
      default:
        assertNever(cmd);
    }
  }
  return false;
}

/** runBlock for commands that cannot ask the host (CommandPlan.sync): plain calls. */
function blockSync(commands: readonly CommandPlan[], rt: Runtime): boolean {
  for (const cmd of commands) if (commandSync(cmd, rt)) return true;
  return false;
}

/** One command that cannot ask the host; true when `stop` ended the script. */
function commandSync(cmd: CommandPlan, rt: Runtime): boolean {
  rt.step();
  rt.span = cmd.span;
  switch (cmd.kind) {
    case 'call': {
      rt.options.trace?.({ kind: 'command', name: cmd.name, line: cmd.span.line, column: cmd.span.column });
      if (isHostRequest(cmd.impl.run(cmd.args, rt))) throw new Error(`command "${cmd.name}" asked the host but does not declare asksHost`);
      return false;
    }
    case 'if':
      for (const branch of cmd.branches) if (testSync(branch.test, rt)) return blockSync(branch.body, rt);
      return cmd.otherwise !== undefined && blockSync(cmd.otherwise, rt);
    case 'stop':
      rt.options.trace?.({ kind: 'stop', line: cmd.span.line });
      return true;
    default:
      return assertNever(cmd);
  }
}

function* runTest(test: TestPlan, rt: Runtime): Generator<HostQuery, boolean, unknown> {
  rt.step();
  switch (test.kind) {
    case 'const':
      return test.value;
    case 'not':
      return !(test.test.sync ? testSync(test.test, rt) : yield* runTest(test.test, rt));
    case 'allof':
      // RFC 5228 §5.2/5.3: evaluation short-circuits.
      for (const t of test.tests) if (!(t.sync ? testSync(t, rt) : yield* runTest(t, rt))) return false;
      return true;
    case 'anyof':
      for (const t of test.tests) if (t.sync ? testSync(t, rt) : yield* runTest(t, rt)) return true;
      return false;
    case 'test': {
      const r = startTest(test, rt);
      return finishTest(test, rt, isHostRequest(r) ? r.resume(yield r.query) : r);
    }
    default:
      return assertNever(test);
  }
}

/** runTest for a subtree that cannot ask the host (TestPlan.sync): plain calls, no generators. */
function testSync(test: TestPlan, rt: Runtime): boolean {
  rt.step();
  switch (test.kind) {
    case 'const':
      return test.value;
    case 'not':
      return !testSync(test.test, rt);
    case 'allof':
      for (const t of test.tests) if (!testSync(t, rt)) return false;
      return true;
    case 'anyof':
      for (const t of test.tests) if (testSync(t, rt)) return true;
      return false;
    case 'test': {
      const r = startTest(test, rt);
      if (isHostRequest(r)) throw new Error(`test "${test.name}" asked the host but does not declare asksHost`);
      return finishTest(test, rt, r);
    }
    default:
      return assertNever(test);
  }
}

type LeafTest = Extract<TestPlan, { kind: 'test' }>;

function startTest(test: LeafTest, rt: Runtime): boolean | HostRequest<boolean> {
  rt.span = test.span;
  rt.lastCompared = undefined;
  return test.impl.test(test.args, rt);
}

function finishTest(test: LeafTest, rt: Runtime, value: boolean): boolean {
  rt.options.trace?.({ kind: 'test', name: test.name, line: test.span.line, column: test.span.column, result: value, compared: rt.lastCompared });
  return value;
}

/** Drive an evaluation with a synchronous host (dry runs, tests, benchmarks). */
export function evaluateSync(plan: Plan, message: MessageView, options: RunOptions, answer: (q: HostQuery) => unknown): RunResult {
  const gen = evaluate(plan, message, options);
  let step = gen.next();
  while (!step.done) step = gen.next(answer(step.value));
  return step.value;
}

/**
 * Drive an evaluation with a host whose answers may take time (the daemon, a dry run that runs
 * `execute` programs). Evaluation itself stays pure; only the answers are awaited.
 */
export async function evaluateAsync(plan: Plan, message: MessageView, options: RunOptions, answer: (q: HostQuery) => unknown): Promise<RunResult> {
  const gen = evaluate(plan, message, options);
  let step = gen.next();
  while (!step.done) step = gen.next(await answer(step.value));
  return step.value;
}
