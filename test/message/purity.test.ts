import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMessage } from '../../src/runtime/message/parse.js';
import { utf8 } from './helpers.js';

const dir = fileURLToPath(new URL('../../src/runtime/message/', import.meta.url));

describe('the message view is pure', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('has source files', () => {
    expect(files).toContain('parse.ts');
  });

  it.each(files)('%s imports no node: modules and does not use Buffer', (file) => {
    const src = readFileSync(dir + file, 'utf8');
    const specifiers = [...src.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
    for (const s of specifiers) {
      expect(s.startsWith('node:') || ['fs', 'path', 'buffer', 'stream', 'os', 'crypto'].includes(s)).toBe(false);
      if (s.startsWith('.')) expect(s.endsWith('.js')).toBe(true);
    }
    expect(/\bBuffer\s*\./.test(src)).toBe(false);
  });
});
