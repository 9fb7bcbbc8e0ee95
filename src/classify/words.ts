/**
 * Body and header words for the tokenizer (tokenize.ts): whitespace-separated runs,
 * punctuation trimmed at both ends, 3 to MAX_WORD characters; longer runs become skip
 * tokens, CJK text character pairs. wordTokens works on text (lower-cased by the caller);
 * wordHashes is the same for hashes, in one pass: it hashes while it scans and can fold
 * A-Z itself. Both give the same tokens (tested on the shared corpus and by property tests).
 * Pure: no Node module.
 */
import { finish, mix1, mix2, SEED1, SEED2 } from './token-hash.js';
import { HashSink, type TokenSink } from './token-sink.js';

/** Longest word kept as itself; longer ones become skip tokens. */
const MAX_WORD = 20;

export function isAsciiAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** CJK scripts are written without spaces: they are cut into character pairs. */
function isCjk(c: number): boolean {
  return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af);
}

/** Whitespace-separated words of lower-cased text, with `prefix`. */
export function wordTokens(text: string, prefix: string, out: TokenSink): void {
  if (out instanceof HashSink) return wordHashes(text, prefix, out);
  let start = -1;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 32;
    const space = c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 0xa0;
    if (!space) {
      if (start < 0) start = i;
      continue;
    }
    if (start < 0) continue;
    word(text, start, i, prefix, out);
    start = -1;
    if (out.full) return;
  }
}

/**
 * wordTokens for hashes, in one pass: each word is hashed while it is scanned. A plain
 * word (a-z, 0-9 or non-ASCII at both ends, ASCII first, 3 to MAX_WORD long: nearly all of
 * them) is added as it is; anything else goes through word(), which trims and rehashes.
 */
export function wordHashes(text: string, prefix: string, out: HashSink, fold = false): void {
  let p1 = SEED1;
  let p2 = SEED2;
  for (let i = 0; i < prefix.length; i++) {
    p1 = mix1(p1, prefix.charCodeAt(i));
    p2 = mix2(p2, prefix.charCodeAt(i));
  }
  // Two loops: the outer one skips separators, the inner one hashes a word up to the next
  // one (a loop per word instead of a "in a word yet?" test per character). One table load
  // maps an ASCII character to itself (or A-Z to a-z when folding), or to -1 for a separator.
  const table = fold ? ASCII_FOLDED : ASCII_AS_IS;
  const set = out.set;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c0 = text.charCodeAt(i);
    if (c0 < 128 ? table[c0]! < 0 : c0 === 0xa0) {
      i++;
      continue;
    }
    const start = i;
    let h1 = p1;
    let h2 = p2;
    let ascii = true;
    for (; i < n; i++) {
      let c = text.charCodeAt(i);
      if (c < 128) {
        c = table[c]!;
        if (c < 0) break;
      } else if (c === 0xa0) {
        break;
      } else {
        ascii = false;
      }
      h1 = mix1(h1, c);
      h2 = mix2(h2, c);
    }
    const len = i - start;
    // Both ends a-z or 0-9 (after folding) by one table: an ASCII word's ends index it.
    if (ascii && len <= MAX_WORD && (WORD_END[table[text.charCodeAt(start)]!]! & WORD_END[table[text.charCodeAt(i - 1)]!]!) !== 0) {
      if (len >= 3) set.add(finish(h1, h2, prefix.length + len));
    } else if (ascii) {
      asciiWord(text, start, i, prefix, p1, p2, out, fold);
    } else {
      // Lower-casing one whitespace-separated run gives what lower-casing the whole text
      // gives it (even "İ" → "i̇" and the final sigma: whitespace bounds their context).
      // One call for both cases: a second call site, first reached late (a non-ASCII word
      // in a text that is not folded), threw away this function's optimised code.
      const w = fold ? text.slice(start, i).toLowerCase() : text;
      word(w, fold ? 0 : start, fold ? w.length : i, prefix, out);
    }
    if (set.full) return;
  }
}

/**
 * word() for an ASCII run whose ends need trimming (or that is too long), without a
 * lower-cased copy: the same trimming (ASCII letters and digits are the only \p{L}\p{N}
 * there), then the span hashed with A-Z folded when `fold`. `p1`/`p2` are the prefix's hash
 * state, which wordHashes computed once for all its words.
 */
function asciiWord(text: string, start: number, end: number, prefix: string, p1: number, p2: number, out: HashSink, fold: boolean): void {
  // An ASCII run without separators: the tables below are indexed by its characters.
  const table = fold ? ASCII_FOLDED : ASCII_AS_IS;
  if ((WORD_END[table[text.charCodeAt(start)]!]! & WORD_END[table[text.charCodeAt(end - 1)]!]!) === 0) {
    while (start < end && KEEP_FIRST[text.charCodeAt(start)]! === 0) start++;
    while (end > start && KEEP_LAST[text.charCodeAt(end - 1)]! === 0) end--;
  }
  const len = end - start;
  if (len < 3) return;
  if (len > MAX_WORD) {
    out.add(`${prefix}skip:${String.fromCharCode(table[text.charCodeAt(start)]!)} ${Math.floor(len / 10) * 10}`);
    return;
  }
  let h1 = p1;
  let h2 = p2;
  for (let i = start; i < end; i++) {
    const c = table[text.charCodeAt(i)]!;
    h1 = mix1(h1, c);
    h2 = mix2(h2, c);
  }
  out.set.add(finish(h1, h2, prefix.length + len));
}

/** wordHashes' map of ASCII characters: -1 for the separators of wordTokens, else the character (A-Z folded to a-z in ASCII_FOLDED). */
const ASCII_AS_IS = new Int16Array(128).map((_, c) => c);
for (const c of [32, 10, 13, 9, 12]) ASCII_AS_IS[c] = -1;
const ASCII_FOLDED = ASCII_AS_IS.map((c) => (c >= 65 && c <= 90 ? c + 32 : c));
/** 1 for the characters isWordChar accepts among ASCII (a-z, 0-9), indexed by a table entry above (-1 reads undefined: never, a word has no separator). */
const WORD_END = new Uint8Array(128).map((_, c) => (isWordChar(c) ? 1 : 0));
/** word()'s trimming among ASCII: what may start a word (letters, digits, "$") and end it (also "%" and "!"). */
const KEEP_FIRST = new Uint8Array(128).map((_, c) => (isAsciiAlnum(c) || c === 0x24 ? 1 : 0));
const KEEP_LAST = KEEP_FIRST.map((keep, c) => (keep === 1 || c === 0x25 || c === 0x21 ? 1 : 0));

/**
 * One word, text[start, end): punctuation trimmed at both ends (letters, digits and "$"
 * stay at the start; also "%" and "!" at the end: "free!!!", "100%"), then kept when 3 to
 * MAX_WORD characters long. Scanned in place: the common word never becomes a string.
 */
function word(text: string, start: number, end: number, prefix: string, out: TokenSink): void {
  const first = text.charCodeAt(start);
  if (!isWordChar(first) || !isWordChar(text.charCodeAt(end - 1))) {
    while (start < end) {
      const cp = text.codePointAt(start)!;
      if (isLetterOrDigit(cp) || cp === 0x24) break;
      start += cp > 0xffff ? 2 : 1;
    }
    while (end > start) {
      const low = text.charCodeAt(end - 1);
      const astral = low >= 0xdc00 && low <= 0xdfff && end - 2 >= start && (text.charCodeAt(end - 2) & 0xfc00) === 0xd800;
      const cp = astral ? text.codePointAt(end - 2)! : low;
      if (isLetterOrDigit(cp) || cp === 0x24 || cp === 0x25 || cp === 0x21) break;
      end -= astral ? 2 : 1;
    }
  }
  const len = end - start;
  if (len < 3) return;
  if (len > MAX_WORD) {
    if (hasCjk(text, start, end)) return cjkTokens(text.slice(start, end), prefix, out);
    // Long runs: URLs and addresses were mined already; keep only that there was one.
    out.add(`${prefix}skip:${text[start]} ${Math.floor(len / 10) * 10}`);
    return;
  }
  if (first > 0x7f && hasCjk(text, start, end)) return cjkTokens(text.slice(start, end), prefix, out);
  out.addSpan(prefix, text, start, end);
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 0x7f;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/** \p{L} or \p{N} per BMP character, computed once each: 0 unknown, 1 yes, 2 no. */
const letterOrDigitBmp = new Uint8Array(0x10000);

function isLetterOrDigit(cp: number): boolean {
  if (cp < 0x80) return (cp >= 97 && cp <= 122) || (cp >= 65 && cp <= 90) || (cp >= 48 && cp <= 57);
  if (cp > 0xffff) return LETTER_OR_DIGIT.test(String.fromCodePoint(cp));
  let known = letterOrDigitBmp[cp]!;
  if (known === 0) letterOrDigitBmp[cp] = known = LETTER_OR_DIGIT.test(String.fromCharCode(cp)) ? 1 : 2;
  return known === 1;
}

function hasCjk(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (isCjk(text.charCodeAt(i))) return true;
  return false;
}

function cjkTokens(w: string, prefix: string, out: TokenSink): void {
  const chars = [...w];
  for (let i = 0; i + 1 < chars.length && i < 200; i++) out.add(prefix + chars[i]! + chars[i + 1]!);
}
