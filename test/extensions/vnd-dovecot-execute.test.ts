/**
 * vnd.dovecot.execute (Pigeonhole sieve_extprograms): compile checks, the `execute` host
 * question and how its answer drives the test, the command and :output. Expected results
 * measured with Pigeonhole 0.5.19's sieve-test and the extprograms plugin (see also the
 * differential cases execute-*); real programs run in test/outbound/execute.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/dsl/compile.js';
import { defaultRegistry } from '../../src/extensions/index.js';
import { argumentProblem, programNameProblem, withCrlf } from '../../src/extensions/vnd-dovecot-execute.js';
import { dryRun } from '../../src/runtime/dry-run.js';
import { evaluateSync } from '../../src/runtime/evaluate.js';
import type { ExecuteAnswer, HostQuery } from '../../src/runtime/host.js';
import { parseMessage } from '../../src/runtime/message/parse.js';
import { fileintoMailboxes } from './helpers.js';

const MESSAGE = 'From: a@example.org\r\nSubject: Hi\r\n\r\nbody\r\n';
const bytes = (s: string) => new TextEncoder().encode(s);
const R = 'require ["vnd.dovecot.execute", "variables", "fileinto"];\n';

const exited = (exitCode: number, output = ''): ExecuteAnswer => ({ kind: 'exited', exitCode, output });
const failed: ExecuteAnswer = { kind: 'failed', reason: 'no such program in /bin-dir' };

/** Evaluate with a host that gives every execute question `answer` and records the questions. */
function run(src: string, answer: ExecuteAnswer | ((q: Extract<HostQuery, { kind: 'execute' }>) => ExecuteAnswer), message = MESSAGE) {
  const c = compile(R + src, { registry: defaultRegistry });
  if (!c.ok) throw new Error(JSON.stringify(c.diagnostics));
  const asked: Extract<HostQuery, { kind: 'execute' }>[] = [];
  const result = evaluateSync(c.plan, parseMessage(bytes(message)), {}, (q) => {
    if (q.kind !== 'execute') throw new Error(`unexpected question ${q.kind}`);
    asked.push(q);
    return typeof answer === 'function' ? answer(q) : answer;
  });
  return { asked, result, plan: c.plan, mailboxes: result.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : [])) };
}

describe('compile', () => {
  it.each([
    'execute "prog";',
    'execute "prog" ["a", "b c"];',
    'execute :input "text ${x}" :output "out" "prog";',
    'execute :pipe "prog";',
    'if execute :pipe :output "v" "prog" "arg" { keep; }',
    'execute "ünïcode-näme";',
    'execute ".hidden";', // Pigeonhole: a valid name, "not found" at run time
  ])('%s', (src) => {
    expect(compile(R + src, { registry: defaultRegistry }).ok).toBe(true);
  });

  it.each([
    ['execute "prog";', 'undeclared-capability', 'require "fileinto";\n'],
    ['execute :output "v" "prog";', 'undeclared-capability', 'require "vnd.dovecot.execute";\n'],
    ['set "p" "prog"; execute "${p}";', 'not-constant', R],
    ['execute "a/b";', 'invalid-value', R],
    ['execute "";', 'invalid-value', R],
    ['execute "tab\\there";', 'invalid-value', 'require ["vnd.dovecot.execute", "encoded-character"];\nexecute "tab${hex:09}here";\n'],
    ['execute "prog" ["line\\nbreak"];', 'invalid-value', 'require ["vnd.dovecot.execute", "encoded-character"];\nexecute "prog" "a${hex:0a}b";\n'],
    ['execute :input "a" :pipe "prog";', 'conflicting-tags', R],
    ['execute :output "1" "prog";', 'invalid-value', R],
    ['execute :output "a.b" "prog";', 'invalid-value', R],
    ['set "n" "v"; execute :output "${n}" "prog";', 'not-constant', R],
    ['execute;', 'missing-argument', R],
    ['execute "prog" "a" "b";', 'too-many-arguments', R],
  ])('%s → %s', (src, code, prefix) => {
    const full = prefix.includes('${hex') ? prefix : prefix + src;
    const c = compile(full, { registry: defaultRegistry });
    expect(c.ok).toBe(false);
    expect(!c.ok && c.diagnostics.map((d) => d.code)).toContain(code);
  });

  it.each([
    ['x'.repeat(128), undefined],
    ['x'.repeat(129), /longer than 128/],
    ['é'.repeat(128), undefined], // characters, not bytes
    ['a\u0085b', /control/],
    ['a\u2028b', /control/],
  ])('program name of %#', (name, problem) => {
    const p = programNameProblem(name);
    if (problem) expect(p).toMatch(problem);
    else expect(p).toBeUndefined();
  });

  it('arguments: 1024 bytes, no CR or LF', () => {
    expect(argumentProblem('x'.repeat(1024))).toBeUndefined();
    expect(argumentProblem('x'.repeat(1025))).toMatch(/longer than 1024 bytes/);
    expect(argumentProblem('é'.repeat(513))).toMatch(/longer/);
    expect(argumentProblem('a\rb')).toMatch(/line break/);
  });

  it(':pipe makes the plan need the whole message; :input does not', () => {
    const plan = (src: string) => {
      const c = compile(R + src, { registry: defaultRegistry });
      if (!c.ok) throw new Error('compile failed');
      return c.plan;
    };
    expect(plan('execute :pipe "p";').needsBody).toBe(true);
    expect(plan('if execute :pipe "p" { keep; }').needsBody).toBe(true);
    expect(plan('execute :input "x" "p";').needsBody).toBe(false);
  });
});

describe('the question', () => {
  it('asks with the expanded arguments and no input by default', () => {
    const { asked } = run('set "who" "bob"; execute "prog" ["-u", "${who}"];', exited(0));
    expect(asked).toEqual([{ kind: 'execute', program: 'prog', args: ['-u', 'bob'] }]);
  });

  it(':input gives the expanded string as UTF-8', () => {
    const { asked } = run('set "x" "wörld"; execute :input "hello ${x}" "prog";', exited(0));
    expect(new TextDecoder().decode(asked[0]!.input)).toBe('hello wörld');
  });

  it(':pipe gives the message, with CRLF line ends as Dovecot does', () => {
    expect(new TextDecoder().decode(run('execute :pipe "prog";', exited(0)).asked[0]!.input)).toBe(MESSAGE);
    const lf = 'From: a@example.org\nSubject: Hi\n\nbody\n';
    expect(new TextDecoder().decode(run('execute :pipe "prog";', exited(0), lf).asked[0]!.input)).toBe(lf.replace(/\n/g, '\r\n'));
  });

  it(':pipe gives the message as editheader left it', () => {
    const c = compile('require ["vnd.dovecot.execute", "editheader"]; addheader "X-Seen" "yes"; execute :pipe "prog";', { registry: defaultRegistry });
    if (!c.ok) throw new Error('compile failed');
    let input = '';
    evaluateSync(c.plan, parseMessage(bytes(MESSAGE)), {}, (q) => {
      if (q.kind === 'execute') input = new TextDecoder().decode(q.input);
      return exited(0);
    });
    expect(input).toBe('X-Seen: yes\r\n' + MESSAGE);
  });

  it('an argument from a variable with a line break is a runtime error (the message is kept)', () => {
    const { asked, result } = run('set "x" text:\na\n.\n; execute "prog" "${x}";', exited(0));
    expect(asked).toEqual([]);
    expect(result).toMatchObject({ status: 'error', error: { code: 'script-error' }, actions: [{ type: 'keep', implicit: true }] });
  });

  it('withCrlf leaves CRLF text alone (same array) and fixes bare LF only', () => {
    const crlf = bytes('a\r\nb\r\n');
    expect(withCrlf(crlf)).toBe(crlf);
    expect(new TextDecoder().decode(withCrlf(bytes('\na\r\nb\n')))).toBe('\r\na\r\nb\r\n');
  });
});

describe('the answer', () => {
  it.each([
    ['exit 0', exited(0, 'out'), ['T', 'v-out']],
    ['exit 1', exited(1, 'ignored'), ['F', 'v-old']],
    ['killed by a signal', { kind: 'exited', exitCode: null, output: 'x' } as ExecuteAnswer, ['F', 'v-old']],
    ['could not run', failed, ['F', 'v-old']],
    ['not run (dry run)', { kind: 'not-run', reason: 'dry run' } as ExecuteAnswer, ['F', 'v-old']],
  ])('as a test: %s', (_what, answer, expected) => {
    const src = 'set "v" "old"; if execute :output "v" "prog" { fileinto "T"; } else { fileinto "F"; } fileinto "v-${v}";';
    expect(run(src, answer).mailboxes).toEqual(expected);
  });

  it.each([
    ['exit 0', exited(0, 'new'), 'ok', ['v-new']],
    ['exit 3: the command goes on, the variable is unchanged', exited(3, 'new'), 'ok', ['v-old']],
    ['not run (dry run): nothing happens', { kind: 'not-run', reason: 'dry run' } as ExecuteAnswer, 'ok', ['v-old']],
    ['could not run: runtime error, implicit keep', failed, 'error', []],
  ])('as a command: %s', (_what, answer, status, expected) => {
    const { result, mailboxes } = run('set "v" "old"; execute :output "v" "prog"; fileinto "v-${v}";', answer);
    expect(result.status).toBe(status);
    expect(mailboxes).toEqual(expected);
    if (status === 'error') {
      expect(result.error).toMatchObject({ code: 'program-failed', line: 2 });
      expect(result.error!.message).toMatch(/execute "prog": no such program/);
      expect(result.actions).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
    }
  });

  it('adds no action and leaves the implicit keep alone', () => {
    expect(run('execute "prog";', exited(0)).result.actions).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
  });

  it('the output is cut at the variable size limit, not split inside a character', () => {
    const c = compile(R + 'execute :output "v" "prog"; set :length "n" "${v}"; fileinto "${n}";', { registry: defaultRegistry });
    if (!c.ok) throw new Error('compile failed');
    const result = evaluateSync(c.plan, parseMessage(bytes(MESSAGE)), { limits: { maxVariableSize: 5 } }, () => exited(0, 'ééé'));
    expect(result.actions[0]).toMatchObject({ type: 'fileinto', mailbox: '2' });
  });

  it('short-circuits: a test not reached runs no program', () => {
    expect(run('if anyof (true, execute "prog") { keep; }', exited(0)).asked).toEqual([]);
  });

  it('runs once per evaluation of the command, in script order', () => {
    const { asked } = run('execute "a"; if execute "b" { execute "c"; }', exited(0));
    expect(asked.map((q) => q.program)).toEqual(['a', 'b', 'c']);
  });
});

describe('pure dry run', () => {
  it('runs no program: tests are false, commands do nothing', () => {
    const out = dryRun(R + 'if execute "prog" { fileinto "T"; } else { fileinto "F"; } execute "prog";', bytes(MESSAGE), { compile: { registry: defaultRegistry } });
    expect(fileintoMailboxes(out)).toEqual(['F']);
  });
});
