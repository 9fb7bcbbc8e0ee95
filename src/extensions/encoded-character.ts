/**
 * encoded-character: RFC 5228 §2.4.2.4. `${hex:41 42}` and `${unicode:1F600}` in
 * string literals, decoded at compile time. Malformed sequences stay literal, as
 * the RFC says; a code point that is not a Unicode scalar value is an error.
 * Status: complete.
 */
import { defineExtension } from './define.js';

const ENCODED = /\$\{(hex|unicode)\s*:\s*([0-9a-fA-F\s]*)\}/gi;

function decodeHex(hex: string[]): string | undefined {
  const bytes = Uint8Array.from(hex.map((h) => parseInt(h, 16)));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function decodeEncodedCharacters(value: string, report: (message: string) => void): string {
  if (!value.includes('${')) return value;
  return value.replace(ENCODED, (whole, kind: string, body: string) => {
    const items = body.trim().split(/\s+/).filter(Boolean);
    if (!items.length) return whole;
    if (kind.toLowerCase() === 'hex') {
      if (items.some((h) => h.length > 2)) return whole;
      return decodeHex(items) ?? whole;
    }
    let out = '';
    for (const u of items) {
      const cp = parseInt(u, 16);
      if (u.length > 8 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        report(`\${unicode:${u}} is not a valid Unicode character`);
        return whole;
      }
      out += String.fromCodePoint(cp);
    }
    return out;
  });
}

export const encodedCharacter = defineExtension({
  name: 'encoded-character',
  spec: 'RFC 5228 §2.4.2.4',
  transformString: decodeEncodedCharacters,
});
