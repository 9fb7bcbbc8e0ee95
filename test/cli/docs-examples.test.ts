/**
 * Every Sieve example in the README and docs/*.md compiles as written: a reader copies them
 * into a file and runs `mailsift check`. (Two rules.md examples once lacked their
 * `require`.) The cookbook's are also run end to end by test/outbound/cookbook.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/dsl/compile.js';
import { runCli as run } from '../support/run-cli.js';

const ROOT = join(import.meta.dirname, '../..');
const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The ```sieve blocks of a Markdown page, with the line each starts on. */
function sieveBlocks(page: string): { line: number; source: string }[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const blocks: { line: number; source: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```sieve\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    blocks.push({ line: start + 1, source: lines.slice(start, end).join('\n') + '\n' });
    i = end;
  }
  return blocks;
}

const cases = pages.flatMap((page) => sieveBlocks(page).map((b) => ({ name: `${page}:${b.line}`, ...b })));

describe('Sieve examples of the docs', () => {
  it('there are examples to check', () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  it.each(cases)('$name compiles', ({ name, source }) => {
    const r = compile(source, { file: name });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});

describe('the commands rules.example and README show', () => {
  // `#   mailsift test --trace rules.example …` lines of its header comment, run from the checkout.
  const commented = readFileSync(join(ROOT, 'rules.example'), 'utf8')
    .split('\n')
    .map((l) => /^#\s+mailsift (.+)$/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined);

  it('rules.example names some commands', () => {
    expect(commented.length).toBeGreaterThanOrEqual(3);
  });

  it.each(commented)('mailsift %s runs cleanly', async (command) => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const r = await run(...command.split(/\s+/));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
  });

  it("README's example output is what npm start prints for that message", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = /Example output:\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const r = await run('test', 'rules.example', 'examples/mailbox');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(example!);
    } finally {
      process.chdir(cwd);
    }
  });
});
