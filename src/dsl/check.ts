/**
 * Semantic check and lowering: from the generic AST to an execution plan.
 * Control structures of RFC 5228 §3 (require, if/elsif/else, stop) and the test
 * combinators of §5 (allof, anyof, not, true, false) are handled here; every other
 * command and test comes from an extension in the registry.
 */
import type { CommandNode, TestNode } from './ast.js';
import { bind } from './bind.js';
import { DiagnosticSink, type Span } from './diagnostics.js';
import type { Bound, LowerContext } from '../extensions/define.js';
import type { Registry } from '../extensions/registry.js';
import type { Limits } from '../runtime/limits.js';
import type { CommandPlan, Plan, TestPlan } from '../runtime/plan.js';
import { isConstant, parseTemplate, type Str } from '../runtime/strings.js';

const CONTROL_COMMANDS = new Set(['require', 'if', 'elsif', 'else', 'stop']);

function allSync(commands: readonly CommandPlan[]): boolean {
  return commands.every((c) => c.sync === true);
}

export class Checker {
  private readonly enabled = new Set<string>(['']);
  private needsBody = false;
  private seenOther = false;
  private readonly cx: LowerContext;

  constructor(
    private readonly registry: Registry,
    private readonly sink: DiagnosticSink,
    private readonly limits: Limits,
    private readonly file: string,
  ) {
    const known = registry.capabilities;
    this.cx = {
      error: (code, span, message) => sink.error(code, span, message),
      warning: (code, span, message) => sink.warning(code, span, message),
      has: (cap) => this.enabled.has(cap),
      constant: (b) => this.constant(b),
      constantList: (b) => this.constantList(b),
      readsWholeMessage: () => {
        this.needsBody = true;
      },
      known,
      limits,
    };
  }

  check(commands: readonly CommandNode[]): Plan {
    const plan = this.block(commands, true);
    return { commands: plan, capabilities: new Set(this.enabled), needsBody: this.needsBody, file: this.file };
  }

  private block(commands: readonly CommandNode[], topLevel: boolean): CommandPlan[] {
    const out: CommandPlan[] = [];
    for (let i = 0; i < commands.length; i++) {
      const cmd = commands[i]!;
      if (cmd.name === 'require') {
        this.requireCapabilities(cmd, topLevel);
        continue;
      }
      this.seenOther = true;
      if (cmd.name === 'if') {
        const chain = [cmd];
        while (i + 1 < commands.length && (commands[i + 1]!.name === 'elsif' || commands[i + 1]!.name === 'else')) {
          chain.push(commands[++i]!);
          if (chain[chain.length - 1]!.name === 'else') break;
        }
        const lowered = this.ifChain(chain);
        if (lowered) out.push(lowered);
        continue;
      }
      if (cmd.name === 'elsif' || cmd.name === 'else') {
        this.sink.error('misplaced-command', cmd.nameSpan, `${cmd.name} must follow an if or elsif block`);
        continue;
      }
      const lowered = this.command(cmd);
      if (lowered) out.push(lowered);
    }
    return out;
  }

  private requireCapabilities(cmd: CommandNode, topLevel: boolean): void {
    if (!topLevel || this.seenOther) {
      this.sink.error('require-not-first', cmd.nameSpan, 'require must come before any other command, at the top level');
    }
    if (!this.shape(cmd, { block: false, tests: 'none' })) return;
    const arg = cmd.args[0];
    if (cmd.args.length !== 1 || !arg || arg.kind !== 'string-list') {
      this.sink.error('bad-argument', arg?.span ?? cmd.nameSpan, 'require takes one string list of capabilities');
      return;
    }
    for (const item of arg.items) {
      const ext = this.registry.extensions.get(item.value);
      if (!ext || item.value === '') {
        this.sink.error('unknown-capability', item.span, `unknown capability "${item.value}"`);
        continue;
      }
      this.enable(item.value);
    }
  }

  private enable(cap: string): void {
    if (this.enabled.has(cap)) return;
    this.enabled.add(cap);
    for (const implied of this.registry.extensions.get(cap)?.implies ?? []) this.enable(implied);
  }

  private ifChain(chain: CommandNode[]): CommandPlan | undefined {
    const branches: { test: TestPlan; body: CommandPlan[] }[] = [];
    let otherwise: CommandPlan[] | undefined;
    for (const cmd of chain) {
      if (cmd.name === 'else') {
        if (!this.shape(cmd, { block: true, tests: 'none' }) || cmd.args.length) {
          if (cmd.args.length) this.sink.error('too-many-arguments', cmd.args[0]!.span, 'else takes no arguments');
          continue;
        }
        otherwise = this.block(cmd.block!, false);
        continue;
      }
      if (!this.shape(cmd, { block: true, tests: 'one' })) continue;
      if (cmd.args.length) this.sink.error('too-many-arguments', cmd.args[0]!.span, `${cmd.name} takes a test, not arguments`);
      const guard = this.guard(cmd.tests[0]!);
      const test = this.test(cmd.tests[0]!);
      let body: CommandPlan[];
      if (guard === 'dead') {
        body = []; // ihave of an unknown capability: the block can never run and is not checked (RFC 5463 §4).
      } else if (guard) {
        for (const cap of guard) this.enable(cap);
        body = this.block(cmd.block!, false);
      } else {
        body = this.block(cmd.block!, false);
      }
      if (test) branches.push({ test, body });
    }
    if (!branches.length) return undefined;
    const sync = branches.every((b) => b.test.sync === true && allSync(b.body)) && (otherwise === undefined || allSync(otherwise));
    return { kind: 'if', branches, otherwise, span: chain[0]!.span, sync };
  }

  /**
   * ihave guards (RFC 5463 §4): the capabilities a test checks for, also inside
   * allof/anyof, or 'dead' when one is unknown (the block can never run and is not
   * checked). Like Pigeonhole, a known capability stays enabled after the block.
   */
  private guard(test: TestNode): readonly string[] | 'dead' | undefined {
    if (test.name === 'allof' || test.name === 'anyof') {
      const caps: string[] = [];
      for (const t of test.tests) {
        const g = this.guard(t);
        if (g === 'dead') return 'dead';
        if (g) caps.push(...g);
      }
      return caps.length ? caps : undefined;
    }
    const def = this.registry.tests.get(test.name);
    if (!def?.def.guards || !this.enabled.has(def.owner)) return undefined;
    const call = bind({ node: test, signature: def.def.signature, owner: def.owner, registry: this.registry, cx: this.cx, toStr: (v) => v });
    if (!call) return undefined;
    const caps = def.def.guards(call, this.cx);
    if (!caps) return undefined;
    return caps.every((c) => this.registry.extensions.has(c) && c !== '') ? caps : 'dead';
  }

  private command(cmd: CommandNode): CommandPlan | undefined {
    if (cmd.name === 'stop') {
      if (!this.shape(cmd, { block: false, tests: 'none' })) return undefined;
      if (cmd.args.length) this.sink.error('too-many-arguments', cmd.args[0]!.span, 'stop takes no arguments');
      return { kind: 'stop', span: cmd.span, sync: true };
    }
    const found = this.registry.commands.get(cmd.name);
    if (!found) {
      const asTest = this.registry.tests.has(cmd.name) || ['allof', 'anyof', 'not', 'true', 'false'].includes(cmd.name);
      this.sink.error('unknown-command', cmd.nameSpan, asTest ? `"${cmd.name}" is a test, not a command` : `unknown command "${cmd.name}"`);
      return undefined;
    }
    if (!this.enabled.has(found.owner)) {
      this.sink.error('undeclared-capability', cmd.nameSpan, `command "${cmd.name}" needs require "${found.owner}"`);
      return undefined;
    }
    if (!this.shape(cmd, { block: false, tests: 'none' })) return undefined;
    const call = bind({ node: cmd, signature: found.def.signature, owner: found.owner, registry: this.registry, cx: this.cx, toStr: (v, s) => this.toStr(v, s) });
    if (!call) return undefined;
    const args = found.def.lower(call, this.cx);
    if (args === undefined) return undefined;
    return { kind: 'call', name: cmd.name, impl: found.def, args, span: cmd.span, sync: found.def.asksHost !== true };
  }

  private test(test: TestNode): TestPlan | undefined {
    switch (test.name) {
      case 'true':
      case 'false':
        if (test.args.length || test.tests.length) {
          this.sink.error('too-many-arguments', (test.args[0] ?? test.tests[0])!.span, `${test.name} takes no arguments`);
          return undefined;
        }
        return { kind: 'const', value: test.name === 'true', span: test.span, sync: true };
      case 'not': {
        if (test.args.length) this.sink.error('too-many-arguments', test.args[0]!.span, 'not takes a test, not arguments');
        if (test.tests.length !== 1 || test.testList) {
          this.sink.error(test.tests.length ? 'unexpected-test' : 'missing-test', test.nameSpan, 'not takes exactly one test');
          return undefined;
        }
        const inner = this.test(test.tests[0]!);
        return inner && { kind: 'not', test: inner, span: test.span, sync: inner.sync };
      }
      case 'allof':
      case 'anyof': {
        if (test.args.length) this.sink.error('too-many-arguments', test.args[0]!.span, `${test.name} takes a test list, not arguments`);
        if (!test.tests.length) {
          this.sink.error('missing-test', test.nameSpan, `${test.name} needs a test list`);
          return undefined;
        }
        const tests = test.tests.map((t) => this.test(t));
        if (tests.some((t) => !t)) return undefined;
        return { kind: test.name, tests: tests as TestPlan[], span: test.span, sync: tests.every((t) => t!.sync === true) };
      }
    }
    const found = this.registry.tests.get(test.name);
    if (!found) {
      const asCommand = this.registry.commands.has(test.name) || CONTROL_COMMANDS.has(test.name);
      this.sink.error('unknown-test', test.nameSpan, asCommand ? `"${test.name}" is a command, not a test` : `unknown test "${test.name}"`);
      return undefined;
    }
    if (!this.enabled.has(found.owner)) {
      this.sink.error('undeclared-capability', test.nameSpan, `test "${test.name}" needs require "${found.owner}"`);
      return undefined;
    }
    if (test.tests.length) {
      this.sink.error('unexpected-test', test.tests[0]!.span, `test "${test.name}" takes no nested test`);
      return undefined;
    }
    const call = bind({ node: test, signature: found.def.signature, owner: found.owner, registry: this.registry, cx: this.cx, toStr: (v, s) => this.toStr(v, s) });
    if (!call) return undefined;
    const args = found.def.lower(call, this.cx);
    if (args === undefined) return undefined;
    if (found.def.needsBody) this.needsBody = true;
    return { kind: 'test', name: test.name, impl: found.def, args, span: test.span, sync: found.def.asksHost !== true };
  }

  /** Generic shape checks: a block where one belongs, tests where they belong. */
  private shape(cmd: CommandNode, want: { block: boolean; tests: 'none' | 'one' }): boolean {
    if (want.block && !cmd.block) {
      this.sink.error('missing-block', cmd.span, `${cmd.name} needs a block`);
      return false;
    }
    if (!want.block && cmd.block) {
      this.sink.error('unexpected-block', cmd.nameSpan, `${cmd.name} takes no block`);
      return false;
    }
    if (want.tests === 'none' && cmd.tests.length) {
      this.sink.error('unexpected-test', cmd.tests[0]!.span, `${cmd.name} takes no test`);
      return false;
    }
    if (want.tests === 'one' && (cmd.tests.length !== 1 || cmd.testList)) {
      this.sink.error(cmd.tests.length ? 'unexpected-test' : 'missing-test', cmd.nameSpan, `${cmd.name} needs exactly one test`);
      return false;
    }
    return true;
  }

  private toStr(value: string, span: Span): Str {
    let v = value;
    for (const cap of this.enabled) {
      const transform = this.registry.extensions.get(cap)?.transformString;
      if (transform) v = transform(v, (message) => this.sink.error('invalid-value', span, message));
    }
    return this.enabled.has('variables') ? parseTemplate(v) : v;
  }

  private constant(b: Bound | undefined): string | undefined {
    if (!b || b.str === undefined) return undefined;
    if (!isConstant(b.str)) {
      this.sink.error('not-constant', b.span, 'this argument must be a constant string, without variables');
      return undefined;
    }
    return b.str;
  }

  private constantList(b: Bound | undefined): string[] | undefined {
    if (!b || !b.list) return undefined;
    const out: string[] = [];
    for (const s of b.list) {
      if (!isConstant(s)) {
        this.sink.error('not-constant', b.span, 'this list must hold constant strings, without variables');
        return undefined;
      }
      out.push(s);
    }
    return out;
  }
}
