/**
 * ihave (RFC 5463): the ihave test and the error command. Expected results
 * measured with Pigeonhole 0.5.19's sieve-test.
 */
import { describe, expect, it } from 'vitest';
import { dryRun } from '../../src/runtime/dry-run.js';

const MESSAGE = new TextEncoder().encode('From: a@example.org\r\nTo: b@example.com\r\nSubject: s\r\n\r\nbody\r\n');
const run = (src: string) => dryRun(src, MESSAGE);

function actions(src: string): unknown[] {
  const out = run(src);
  expect(out.error).toBeUndefined();
  return out.actions.map((a) => (a.type === 'fileinto' ? a.mailbox : a.type));
}

describe('ihave', () => {
  it.each([
    ['a known capability enables it in the block', 'require "ihave";\nif ihave "fileinto" { fileinto "A"; }', ['A']],
    ['several', 'require "ihave";\nif ihave ["fileinto", "variables"] { set "x" "B"; fileinto "${x}"; }', ['B']],
    ['an unknown one: false, and the block is not checked', 'require "ihave";\nif ihave ["fileinto", "bogus"] { fileinto "B"; bogus_cmd "x"; } else { keep; }', ['keep']],
    ['not ihave', 'require "ihave";\nif not ihave "bogus" { discard; }', ['discard']],
    ['elsif', 'require "ihave";\nif ihave "bogus" { foo; } elsif ihave "fileinto" { fileinto "C"; }', ['C']],
    ['names are case-sensitive', 'require "ihave";\nif ihave "FILEINTO" { discard; }', ['keep']],
    ['variables are not expanded', 'require ["ihave", "variables"];\nset "x" "fileinto";\nif ihave "${x}" { discard; }', ['keep']],
    ['"ihave" itself', 'require "ihave";\nif ihave "ihave" { discard; }', ['discard']],
  ])('%s', (_name, src, expected) => {
    expect(actions(src)).toEqual(expected);
  });

  it('needs require "ihave"', () => {
    expect(run('if ihave "fileinto" { stop; }').error).toMatchObject({ phase: 'compile', code: 'undeclared-capability', line: 1 });
  });

  it.each([
    ['require "ihave";\nif ihave { stop; }', 'missing-argument'],
    ['require "ihave";\nif ihave 1 { stop; }', 'bad-argument'],
    ['require "ihave";\nif ihave "fileinto" "x" { stop; }', 'too-many-arguments'],
  ])('%s → %s', (src, code) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line: 2 });
  });
});

describe('error', () => {
  it('stops with a runtime error; the implicit keep applies', () => {
    const out = run('require ["ihave", "fileinto"];\nfileinto "A";\nerror "custom failure";\nfileinto "B";');
    expect(out.error).toMatchObject({ phase: 'runtime', code: 'script-error', message: 'custom failure', line: 3 });
    expect(out.actions).toEqual([{ type: 'keep', implicit: true, flags: [] }]);
  });

  it('expands variables in the message', () => {
    const out = run('require ["ihave", "variables"];\nset "who" "Bob";\nerror "no ${who}";');
    expect(out.error).toMatchObject({ code: 'script-error', message: 'no Bob' });
  });

  it('only when reached', () => {
    expect(actions('require "ihave";\nif false { error "x"; }')).toEqual(['keep']);
  });

  it.each([
    ['error "x";', 'undeclared-capability', 1],
    ['require "ihave";\nerror;', 'missing-argument', 2],
    ['require "ihave";\nerror ["a", "b"];', 'bad-argument', 2],
  ])('%s → %s', (src, code, line) => {
    expect(run(src).error).toMatchObject({ phase: 'compile', code, line });
  });
});
