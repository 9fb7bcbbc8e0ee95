/**
 * What `mailsift check` prints for rules files a new user really hands it: a file saved with
 * a UTF-8 byte-order mark (an invisible "unexpected character" before), a one-line file of a
 * megabyte and a binary file (each printed whole, once per diagnostic, before), and control
 * characters that would act on the terminal. src/report/source-excerpt.ts,
 * src/report/format-diagnostics.ts, src/dsl/build-ast.ts (the byte-order mark).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/dsl/compile.js';
import { EXCERPT_WIDTH, sourceExcerpt } from '../../src/report/source-excerpt.js';
import { MAX_SHOWN } from '../../src/report/format-diagnostics.js';
import { runSieveTest, sieveTestInstalled } from '../differential/pigeonhole.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir('mailsift-diag-display-');

async function check(name: string, content: string | Buffer, ...flags: string[]): Promise<{ code: number; stdout: string; stderr: string; file: string }> {
  const file = join(dir, name);
  writeFileSync(file, content);
  return { ...(await runCli('check', ...flags, file)), file };
}

/** The printed source line and caret line of the first diagnostic in `text`. */
function firstExcerpt(text: string): { line: string; caret: string } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^\d+ \| /.test(l));
  return { line: lines[i]!.replace(/^\d+ \| /, ''), caret: lines[i + 1]!.replace(/^ +\| /, '') };
}

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('a byte-order mark at the start of a rules file', () => {
  const BOM = '\uFEFF';
  const script = 'require "fileinto";\nif header :contains "subject" "x" { fileinto "Junk"; }\n';

  it('is refused with its own code and a message that names it (Pigeonhole refuses it too)', async () => {
    const r = await check('bom.sieve', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(script)]));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${r.file}:1:1: error[byte-order-mark]: byte-order mark (U+FEFF) at the start of the file`);
    expect(r.stderr).toMatch(/: 1 error\n$/);
    // The mark itself is shown visibly, with the caret under it.
    expect(firstExcerpt(r.stderr)).toEqual({ line: '\uFFFDrequire "fileinto";', caret: '^' });
    const json = await check('bom.sieve', BOM + script, '--json');
    expect(JSON.parse(json.stdout).diagnostics).toEqual([expect.objectContaining({ code: 'byte-order-mark', line: 1, column: 1, length: 1 })]);
    expect((await check('no-bom.sieve', script)).code).toBe(0);
  });

  it('elsewhere in the file is an unexpected character, named by its code point', () => {
    const r = compile(`keep;\n${BOM}stop;\n`);
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'unexpected-character', line: 2, column: 1, message: 'unexpected character U+FEFF' })]);
  });

  it.skipIf(!sieveTestInstalled())('is refused by Pigeonhole\'s sieve-test as well (skipped where sieve-test is not installed)', () => {
    const message = 'From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\n\r\nhi\r\n';
    const run = runSieveTest({ script: Buffer.from(BOM + script), message: Buffer.from(message), envelopeFrom: 'a@example.org', envelopeTo: 'b@example.org', mailboxes: [] });
    expect(run.exitCode).toBe(89);
    expect(run.stderr).toContain('failed to compile sieve script');
    expect(runSieveTest({ script: Buffer.from(script), message: Buffer.from(message), envelopeFrom: 'a@example.org', envelopeTo: 'b@example.org', mailboxes: [] }).exitCode).toBe(0);
  });
});

describe('the source line under a diagnostic', () => {
  it('of a one-line file of almost a megabyte is a window around the column, the caret under the culprit', async () => {
    const at = 500_000;
    const line = `keep;${' '.repeat(at - 6)}@${' keep;'.repeat(80_000)}`; // 980,000 characters: under the 1 MiB script limit
    const r = await check('long.sieve', line);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`:1:${at}: error[unexpected-character]: unexpected character "@"`);
    expect(r.stderr.length).toBeLessThan(2_000);
    const shown = firstExcerpt(r.stderr);
    expect(shown.line.length).toBe(EXCERPT_WIDTH + 2);
    expect(shown.line.startsWith('…') && shown.line.endsWith('…')).toBe(true);
    expect(shown.caret.trim()).toBe('^');
    expect(shown.line[shown.caret.indexOf('^')]).toBe('@');
  });

  it('at either end of a long line is cut on one side only, the caret still on its column', () => {
    const line = 'x'.repeat(1000);
    const start = sourceExcerpt(line, 3, 2);
    expect(start.text).toBe('x'.repeat(EXCERPT_WIDTH) + '…');
    expect([start.caret, start.width]).toEqual([2, 2]);
    const end = sourceExcerpt(`${line}@`, 1001, 1);
    expect(end.text.startsWith('…')).toBe(true);
    expect(end.text.endsWith('@')).toBe(true);
    expect(end.text[end.caret]).toBe('@');
    // A caret at the end of the line (an error at the end of the script) points past the text.
    expect(sourceExcerpt('keep', 5, 1)).toEqual({ text: 'keep', caret: 4, width: 1 });
  });

  it('shows control characters as symbols, never as raw bytes (an escape sequence is not run)', async () => {
    const r = await check('control.sieve', 'keep;\n\u001b[31m stop; \u0007 # \u00a0\u202e\n');
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stderr).toContain('2 | ␛[31m stop; ␇ # ·�');
    expect(r.stderr).toContain('unexpected character U+001B');
    const first = firstExcerpt(r.stderr);
    expect(first.caret).toBe('^');
  });

  it('in a message that quotes the source is shown as symbols too (a quoted string, a header name)', async () => {
    const r = await check('quoted.sieve', 'require "\u001b[2Jx";\nif header :is "a\u001b]0;title\u0007" "b" { keep; }\n');
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stderr).toContain('error[unknown-capability]: unknown capability "␛[2Jx"');
    expect(r.stderr).toContain('warning[invalid-value]: "a␛]0;title␇" is not a valid header name');
  });

  it('of a binary file: no raw control bytes, the first diagnostics shown, the rest counted', async () => {
    // Deterministic "random" bytes (a linear congruential generator), 64 KB.
    const bytes = Buffer.alloc(65_536);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    const r = await check('binary.sieve', bytes);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(CONTROL);
    const shown = r.stderr.match(/^\S+:\d+:\d+: error\[/gm) ?? [];
    expect(shown).toHaveLength(MAX_SHOWN);
    const more = /: (\d+) more diagnostics not shown \(`mailsift check --json \S+` lists them all\)\n/.exec(r.stderr);
    expect(more).not.toBeNull();
    const total = Number(/: (\d+) errors\n$/.exec(r.stderr)![1]);
    expect(Number(more![1])).toBe(total - MAX_SHOWN);
    expect(r.stderr.length).toBeLessThan(20 * (EXCERPT_WIDTH * 3 + 400));
    for (const l of r.stderr.split('\n').filter((l) => /^\d+ \| /.test(l))) expect(l.length).toBeLessThanOrEqual(EXCERPT_WIDTH + 12);
    const json = await check('binary.sieve', bytes, '--json');
    expect(JSON.parse(json.stdout).diagnostics).toHaveLength(total);
  });
});
