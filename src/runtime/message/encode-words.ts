/**
 * RFC 2047 encoding of header values added by editheader (RFC 5293 §4: a value with
 * non-ASCII characters must be encoded). Only the runs of words that contain non-ASCII
 * are encoded, so that "Jörg <j@example.org>" stays a parseable address field.
 */
import { encodeBase64, utf8Encode } from './bytes.js';

/** RFC 2047 §2: an encoded-word is at most 75 characters. */
const MAX_WORD = 75;
const Q_PREFIX = '=?UTF-8?Q?';
const B_PREFIX = '=?UTF-8?B?';
/** Payload room: 75 minus "=?UTF-8?X?" and "?=". */
const ROOM = MAX_WORD - Q_PREFIX.length - 2;

/** Characters RFC 2047 §5 (3) allows unencoded in Q text, even inside a phrase. */
const Q_SAFE = /^[A-Za-z0-9!*+\-/]$/;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Make `value` safe as a header field body: line breaks become spaces (no header
 * injection), and runs of words with non-ASCII characters become UTF-8 encoded-words,
 * folded onto continuation lines when there is more than one.
 */
export function encodeHeaderValue(value: string): string {
  const clean = value.replace(/\r\n|[\r\n]/g, ' ');
  if (!NON_ASCII.test(clean)) return clean;
  const parts = clean.split(/([ \t]+)/);
  let out = '';
  let i = 0;
  while (i < parts.length) {
    const word = parts[i]!;
    if (i % 2 === 1 || !NON_ASCII.test(word)) {
      out += word;
      i++;
      continue;
    }
    // Extend the run while the next word also needs encoding; the whitespace between
    // such words goes inside the encoded text, since §6.2 drops it between words.
    let run = word;
    let j = i + 2;
    while (j < parts.length && NON_ASCII.test(parts[j]!)) {
      run += parts[j - 1]! + parts[j]!;
      j += 2;
    }
    out += encodeRun(run);
    i = j - 1;
  }
  return out;
}

/**
 * Encode one run as Q words (readable for mostly-Latin text) unless B is much shorter,
 * splitting at character boundaries (§5: words must hold whole characters).
 */
function encodeRun(text: string): string {
  const chars = Array.from(text);
  const q = chars.map(qChar);
  const qLen = q.reduce((n, s) => n + s.length, 0);
  const bLen = Math.ceil(utf8Encode(text).length / 3) * 4;
  const words = qLen * 2 <= bLen * 3 ? splitQ(q) : splitB(chars);
  return words.join('\r\n ');
}

function qChar(ch: string): string {
  if (ch === ' ') return '_';
  if (Q_SAFE.test(ch)) return ch;
  let s = '';
  for (const b of utf8Encode(ch)) s += '=' + b.toString(16).toUpperCase().padStart(2, '0');
  return s;
}

function splitQ(encoded: readonly string[]): string[] {
  const words: string[] = [];
  let cur = '';
  for (const e of encoded) {
    if (cur.length + e.length > ROOM && cur !== '') {
      words.push(Q_PREFIX + cur + '?=');
      cur = '';
    }
    cur += e;
  }
  words.push(Q_PREFIX + cur + '?=');
  return words;
}

function splitB(chars: readonly string[]): string[] {
  // 45 octets encode to 60 base64 characters, within the room of one word.
  const maxBytes = Math.floor(ROOM / 4) * 3;
  const words: string[] = [];
  let cur: number[] = [];
  for (const ch of chars) {
    const bytes = utf8Encode(ch);
    if (cur.length + bytes.length > maxBytes && cur.length > 0) {
      words.push(B_PREFIX + encodeBase64(Uint8Array.from(cur)) + '?=');
      cur = [];
    }
    cur.push(...bytes);
  }
  words.push(B_PREFIX + encodeBase64(Uint8Array.from(cur)) + '?=');
  return words;
}
