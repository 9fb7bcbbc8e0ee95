/**
 * Every Sieve example in the README and docs/*.md compiles as written: a reader copies them
 * into a file and runs `mailsift check`. (Two rules.md examples once lacked their
 * `require`.) The cookbook's are also run end to end by test/outbound/cookbook.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/dsl/compile.js';

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
