/**
 * The core is pure (STYLE.md habit 1): the compiler, the runtime and the extension
 * definitions import no Node module and no I/O package. This test is the lint rule.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PURE_DIRS = ['src/dsl', 'src/runtime', 'src/extensions'];
const FORBIDDEN_PACKAGES = ['imapflow', 'nodemailer', 'twilio', 'smtp-server', 'better-sqlite3', 'mailparser', 'croner', 'cron', 'pino', 'commander'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2]!);
}

describe('pure core', () => {
  const pure = PURE_DIRS.flatMap(files);

  it('finds the core files', () => {
    expect(pure.length).toBeGreaterThan(20);
  });

  it.each(pure)('%s imports no node:* module or I/O package', (file) => {
    const bad = imports(readFileSync(file, 'utf8')).filter(
      (spec) => spec.startsWith('node:') || FORBIDDEN_PACKAGES.includes(spec) || /^(fs|path|net|tls|child_process|os|http|https)$/.test(spec),
    );
    expect(bad).toEqual([]);
  });

  it.each(pure)('%s does not touch process or the file system', (file) => {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(text).not.toMatch(/\bprocess\.(env|exit|stdout|stderr|argv|cwd)\b|\brequire\(/);
  });
});
