/**
 * The mail tokenizer of the classifier: a message becomes a bounded set of distinct
 * tokens (features). Pure: it reads the message view (src/runtime/message) and imports
 * no Node module, so rules can classify inside the sans-IO runtime.
 *
 * What it emits (prefixes keep header words apart from body words, as SpamBayes does):
 *
 *   from:addr:alice@example.com  from:dom:example.com  from:name:alice   (also reply-to:, sender:)
 *   to:addr:… to:dom:… cc:…  to:count:3                                   recipients
 *   subject:word                                                          decoded Subject words
 *   list-id:<id>  x-mailer:<whole value>  x-mailer:word  (also user-agent:, organization:)
 *   received:host  received:dom  received:ip:a.b.c                       relays of the first Received fields
 *   msgid:host                                                            Message-ID host, digits folded
 *   hdr:<field name>                                                      which fields are present
 *   ct:text/html  charset:…  cte:base64  file:.ext                        every MIME part
 *   url:host  url:dom                                                     links in text and HTML
 *   html:<tag>                                                            a few telling HTML tags
 *   word  skip:x 20  cjk bigrams                                          body text, lower-cased
 *
 * The body is the text of every text part: transfer encoding undone, charset converted
 * (the message view does both), HTML reduced to text (lib/html-text.ts, the same reduction
 * the body extension uses; link hosts are taken from the markup first). Words are
 * whitespace-separated runs with the punctuation at both ends trimmed, 3 to MAX_WORD
 * characters; longer ones become "skip:<first char> <length rounded down to 10>"
 * (SpamBayes' trick: long runs are noise, but their presence is a clue).
 *
 * Bounds: text scanned per message (MAX_TEXT characters), Received fields looked at,
 * and the number of distinct tokens (maxTokens): a hostile message cannot make the
 * classifier slow. The token set, not counts, is what models learn (a word that
 * appears twice counts once), as in bogofilter and SpamBayes.
 *
 * TOKENIZER_VERSION changes whenever the output for some message changes: a model
 * remembers the version it was trained with, and untraining needs the same tokens.
 */
import { htmlText } from '../extensions/lib/html-text.js';
import { parseMessage } from '../runtime/message/parse.js';
import type { MessageView, MimePart } from '../runtime/message/types.js';
import { finish, HashSet, hashSpan, hashToken, mix1, mix2, SEED1, SEED2 } from './token-hash.js';

export const TOKENIZER_VERSION = 1;

export interface TokenizeOptions {
  /** Distinct tokens kept per message (the first ones found: headers first). Default 3000. */
  readonly maxTokens?: number;
}

/** Longest word kept as itself; longer ones become skip tokens. */
const MAX_WORD = 20;
/** Characters of body text looked at per message (all parts together). */
const MAX_TEXT = 200_000;
/** Received fields looked at: the nearest relays say the most, the oldest are forged most. */
const MAX_RECEIVED = 10;
/** Parts looked at per message. */
const MAX_PARTS = 64;
const DEFAULT_MAX_TOKENS = 3000;

/** HTML tags whose presence tells something (spam of 2002 loved fonts, tables, images and forms). */
const TELLING_TAGS = new Set(['img', 'font', 'table', 'form', 'script', 'iframe', 'center', 'map', 'area', 'input', 'style', 'a', 'b', 'p', 'br', 'div', 'span']);

/** A message file from an mbox archive may start with its "From " separator line: not part of the message. */
export function stripMboxFrom(raw: Uint8Array): Uint8Array {
  if (raw[0] !== 0x46 || raw[1] !== 0x72 || raw[2] !== 0x6f || raw[3] !== 0x6d || raw[4] !== 0x20) return raw;
  const nl = raw.indexOf(0x0a);
  return nl < 0 ? raw : raw.subarray(nl + 1);
}

/** Tokens of a raw message (an mbox "From " line in front is ignored). */
export function tokenizeRaw(raw: Uint8Array, options: TokenizeOptions = {}): string[] {
  return tokenize(parseMessage(stripMboxFrom(raw)), options);
}

/**
 * Where tokens go: a set of strings (tokenize: tests, --explain) or a set of hashes
 * (tokenHashes: training and classification). Both see the same tokens in the same
 * order, so hashToken(tokenize(m)[i]) === tokenHashes(m)[i].
 */
interface TokenSink {
  readonly full: boolean;
  add(token: string): void;
  /** The token prefix + text.slice(start, end). */
  addSpan(prefix: string, text: string, start: number, end: number): void;
}

class StringSink implements TokenSink {
  readonly set = new Set<string>();
  constructor(readonly max: number) {}
  get full(): boolean {
    return this.set.size >= this.max;
  }
  add(token: string): void {
    if (this.set.size < this.max) this.set.add(token);
  }
  addSpan(prefix: string, text: string, start: number, end: number): void {
    if (this.set.size < this.max) this.set.add(prefix + text.slice(start, end));
  }
}

class HashSink implements TokenSink {
  constructor(readonly set: HashSet) {}
  get full(): boolean {
    return this.set.full;
  }
  add(token: string): void {
    if (!this.set.full) this.set.add(hashToken(token));
  }
  addSpan(prefix: string, text: string, start: number, end: number): void {
    if (!this.set.full) this.set.add(hashSpan(prefix, text, start, end));
  }
}

/** The distinct tokens of a message, headers first, at most maxTokens of them. */
export function tokenize(message: MessageView, options: TokenizeOptions = {}): string[] {
  const out = new StringSink(options.maxTokens ?? DEFAULT_MAX_TOKENS);
  headerTokens(message, out);
  bodyTokens(message, out);
  return [...out.set];
}

/** One scratch table per size: tokenizing reuses it instead of allocating per message. */
const scratch = new Map<number, HashSet>();

/** The hashes (token-hash.ts) of tokenize(message), in the same order: what models store and look up. */
export function tokenHashes(message: MessageView, options: TokenizeOptions = {}): Float64Array {
  const max = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  let set = scratch.get(max);
  if (set === undefined) scratch.set(max, (set = new HashSet(max)));
  set.reset();
  const out = new HashSink(set);
  try {
    headerTokens(message, out);
    bodyTokens(message, out);
    return set.values();
  } finally {
    set.reset();
  }
}

/** Token hashes of a raw message (an mbox "From " line in front is ignored). */
export function tokenHashesRaw(raw: Uint8Array, options: TokenizeOptions = {}): Float64Array {
  return tokenHashes(parseMessage(stripMboxFrom(raw)), options);
}

// ---------------------------------------------------------------------------------------------
// Headers

function headerTokens(m: MessageView, out: TokenSink): void {
  for (const name of ['from', 'reply-to', 'sender']) addressTokens(m, name, name === 'from' ? 'from' : name, out);
  let recipients = 0;
  for (const name of ['to', 'cc']) recipients += addressTokens(m, name, name, out);
  out.add('to:count:' + bucketCount(recipients));
  for (const s of m.header('subject')) {
    if (s === '') out.add('subject:empty');
    wordTokens(s.toLowerCase(), 'subject:', out);
    // Runs of punctuation ("!!!", "$$$") in a subject are clues of their own.
    for (const p of s.matchAll(/[!$?*%]{2,}/g)) out.add('subject:punct:' + p[0].slice(0, 4));
  }
  for (const v of m.header('list-id')) {
    const id = /<([^>]*)>/.exec(v)?.[1] ?? v;
    out.add('list-id:' + id.trim().toLowerCase().slice(0, 80));
  }
  for (const name of ['x-mailer', 'user-agent', 'organization']) {
    for (const v of m.header(name)) {
      const value = v.toLowerCase().replace(/\s+/g, ' ').slice(0, 60);
      out.add(name + ':' + value.replace(/\d+/g, '#'));
      wordTokens(value, name + ':', out);
    }
  }
  receivedTokens(m, out);
  // A reply shares a token with the message it answers (its Message-ID is in References).
  const ids = [...m.header('message-id'), ...m.header('in-reply-to'), ...m.header('references')].join(' ');
  let k = 0;
  for (const id of ids.matchAll(/<([^<>\s]{1,100})>/g)) {
    if (++k > 20) break;
    out.add('thread:' + id[1]!.toLowerCase());
  }
  for (const v of m.header('message-id')) {
    const host = /@([^>\s]+)>?/.exec(v)?.[1];
    out.add('msgid:' + (host === undefined ? 'nohost' : host.toLowerCase().replace(/\d+/g, '#').slice(0, 60)));
  }
}

/** Tokens of one address field; returns how many addresses it held. */
function addressTokens(m: MessageView, name: string, prefix: string, out: TokenSink): number {
  let n = 0;
  for (const field of m.addresses(name)) {
    if (field.invalid && field.addresses.length === 0) out.add(prefix + ':invalid');
    for (const a of field.addresses) {
      n++;
      if (n > 20) continue;
      const addr = a.address.toLowerCase();
      out.add(prefix + ':addr:' + addr.slice(0, 80));
      if (a.domain !== '') addSuffixes(prefix + ':dom:', a.domain.toLowerCase(), out);
      if (prefix === 'from') {
        if (a.name === '') out.add('from:noname');
        else wordTokens(a.name.toLowerCase(), 'from:name:', out);
      }
    }
  }
  return n;
}

/** prefix + each of domainSuffixes(host). */
function addSuffixes(prefix: string, host: string, out: TokenSink): void {
  const entry = domainSuffixes(host);
  if (out instanceof HashSink) {
    // The same hosts recur with the same prefixes (relays, senders): their hashes are cached too.
    let hashes = entry.hashes.get(prefix);
    if (hashes === undefined) entry.hashes.set(prefix, (hashes = Float64Array.from(entry.names, (d) => hashSpan(prefix, d, 0, d.length))));
    for (let i = 0; i < hashes.length; i++) out.set.add(hashes[i]!);
  } else {
    for (const d of entry.names) out.addSpan(prefix, d, 0, d.length);
  }
}

interface Suffixes {
  readonly names: readonly string[];
  /** prefix → the hashes of prefix + each name. */
  readonly hashes: Map<string, Float64Array>;
}

/** 0, 1, 2, 3-5, 6-10, 11+ : the number of recipients matters, its exact value does not. */
function bucketCount(n: number): string {
  return n <= 2 ? String(n) : n <= 5 ? '3-5' : n <= 10 ? '6-10' : '11+';
}

/** Hosts recur from message to message (relays, senders, link targets): remember their suffixes. */
const suffixCache = new Map<string, Suffixes>();
const SUFFIX_CACHE_MAX = 20_000;

/** "a.b.example.co.uk" → the host itself and its parents down to two labels. */
function domainSuffixes(host: string): Suffixes {
  let hit = suffixCache.get(host);
  if (hit === undefined) {
    // A host is often a slice of a whole decoded body or header (a regex capture): cached
    // as it is, it would keep that text alive for the rest of the run. Copies are cached.
    const own = ownCopy(host);
    hit = { names: computeSuffixes(own).map(ownCopy), hashes: new Map() };
    if (suffixCache.size >= SUFFIX_CACHE_MAX) suffixCache.clear();
    suffixCache.set(own, hit);
  }
  return hit;
}

/** A string that shares no storage with a longer one (V8 slices strings of 13 characters or more). */
function ownCopy(s: string): string {
  return s.length < 13 ? s : [...s].join('');
}

function computeSuffixes(host: string): string[] {
  const h = host.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (/^[\d.]+$/.test(h)) {
    const parts = h.split('.');
    return parts.length === 4 ? [h, parts.slice(0, 3).join('.')] : [h];
  }
  const labels = h.split('.');
  const out: string[] = [];
  for (let i = 0; i <= labels.length - 2 && out.length < 4; i++) out.push(labels.slice(i).join('.'));
  if (out.length === 0) out.push(h);
  return out;
}

const RECEIVED_HOST = /\b(?:from|by)\s+([a-z0-9][a-z0-9.-]*[a-z0-9])/gi;
const RECEIVED_NAMES = /\(([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\s*\[/gi;

function receivedTokens(m: MessageView, out: TokenSink): void {
  const received = m.header('received');
  for (let i = 0; i < received.length && i < MAX_RECEIVED; i++) {
    const v = received[i]!.slice(0, 500);
    receivedHosts(v, RECEIVED_HOST, out);
    receivedHosts(v, RECEIVED_NAMES, out);
    ipv4Tokens(v, out);
  }
}

/**
 * received:ip:a.b.c for each IPv4 address (its /24) in `v`: what the global regex
 * /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}\b/ finds (\b and \d ASCII), scanned by hand:
 * Received fields are full of digits, and a regex match per address allocated more than
 * the rest of the header tokens.
 */
function ipv4Tokens(v: string, out: TokenSink): void {
  const n = v.length;
  let i = 0;
  while (i < n) {
    const c = v.charCodeAt(i);
    if (!isDigit(c) || (i > 0 && isAsciiWordChar(v.charCodeAt(i - 1)))) {
      i++;
      continue;
    }
    // Four runs of 1-3 digits joined by dots; the last one followed by no word character.
    let p = i;
    let octets = 0;
    let third = -1;
    for (;;) {
      const runStart = p;
      while (p < n && isDigit(v.charCodeAt(p))) p++;
      const len = p - runStart;
      if (len < 1 || len > 3) break;
      if (++octets === 3) third = p;
      if (octets === 4) {
        if (p < n && isAsciiWordChar(v.charCodeAt(p))) break;
        out.addSpan('received:ip:', v, i, third);
        break;
      }
      if (v.charCodeAt(p) !== 46) break;
      p++;
    }
    // After an address the scan goes on from its end; otherwise from the next character
    // (a run of digits can only start a match at its first digit: \b).
    i = octets === 4 && !(p < n && isAsciiWordChar(v.charCodeAt(p))) ? p : i + 1;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** \w without the u flag: A-Z, a-z, 0-9 and "_". */
function isAsciiWordChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 95;
}

function receivedHosts(v: string, re: RegExp, out: TokenSink): void {
  re.lastIndex = 0;
  for (let mm = re.exec(v); mm !== null; mm = re.exec(v)) {
    const host = mm[1]!.toLowerCase();
    if (host.includes('.')) addSuffixes('received:', host, out);
  }
}

// ---------------------------------------------------------------------------------------------
// Body

interface BodyState {
  budget: number;
  parts: number;
}

function bodyTokens(m: MessageView, out: TokenSink): void {
  const state: BodyState = { budget: MAX_TEXT, parts: 0 };
  visitPart(m.mime(), out, state, 0);
}

function visitPart(part: MimePart, out: TokenSink, state: BodyState, depth: number): void {
  if (++state.parts > MAX_PARTS || out.full) return;
  const type = part.contentType;
  out.add('ct:' + type);
  const charset = part.params['charset'];
  if (charset !== undefined) out.add('charset:' + charset.toLowerCase().slice(0, 30));
  if (part.transferEncoding) out.add('cte:' + part.transferEncoding.slice(0, 20));
  const filename = part.dispositionParams['filename'] ?? part.params['name'];
  if (filename !== undefined) {
    const ext = /\.([a-z0-9]{1,8})$/i.exec(filename)?.[1];
    out.add('file:' + (ext === undefined ? '(none)' : '.' + ext.toLowerCase()));
  }
  if (part.children.length > 0) {
    if (part.preamble.trim() !== '' && depth === 0) textTokens(part.preamble, out, state);
    for (const child of part.children) visitPart(child, out, state, depth + 1);
    return;
  }
  if (type.startsWith('multipart/')) {
    // A multipart without usable boundaries: its body is all preamble.
    textTokens(part.preamble, out, state);
    return;
  }
  if (type === 'text/html' || type === 'application/xhtml+xml') {
    const html = bounded(part.decodedText(), state);
    urlTokens(html, out);
    htmlTagTokens(html, out);
    textTokens(htmlText(html), out, state, false);
  } else if (type.startsWith('text/')) {
    textTokens(part.decodedText(), out, state);
  }
}

function bounded(text: string, state: BodyState): string {
  const t = text.length > state.budget ? text.slice(0, state.budget) : text;
  state.budget -= t.length;
  return t;
}

function textTokens(text: string, out: TokenSink, state: BodyState, urls = true): void {
  if (state.budget <= 0 && urls) return;
  const t = urls ? bounded(text, state) : text.slice(0, MAX_TEXT);
  if (urls) urlTokens(t, out);
  // Hashing folds case as it scans (no lower-cased copy of the whole text).
  if (out instanceof HashSink) wordHashes(t, '', out, true);
  else wordTokens(t.toLowerCase(), '', out);
}

const URL = /\b(?:https?:\/\/|www\.)([^\s/"'<>)\]?#:]+)/gi;

function urlTokens(text: string, out: TokenSink): void {
  URL.lastIndex = 0;
  let n = 0;
  for (let m = URL.exec(text); m !== null; m = URL.exec(text)) {
    if (++n > 100 || out.full) break;
    let host = m[1]!.toLowerCase();
    if (m[0][0] === 'w' || m[0][0] === 'W') host = 'www.' + host;
    host = host.replace(/^[^@]*@/, '').replace(/\.+$/, '');
    if (host === '') continue;
    addSuffixes('url:', host, out);
  }
}

/** The longest name in TELLING_TAGS. */
const LONGEST_TAG = 6;

/**
 * html:<tag> for each telling tag: "<" and a name (a letter, then letters or digits, at
 * most 10, ending at a non-word character: /<([a-z][a-z0-9]{0,9})\b/i). Scanned with
 * indexOf: a regex match per tag allocated more than the rest of the tokenizer.
 */
function htmlTagTokens(html: string, out: TokenSink): void {
  for (let i = html.indexOf('<'); i >= 0; i = html.indexOf('<', i + 1)) {
    const c = html.charCodeAt(i + 1) | 0x20;
    if (c < 97 || c > 122) continue;
    let j = i + 2;
    while (j < html.length && isAsciiAlnum(html.charCodeAt(j))) j++;
    const len = j - i - 1;
    if (len > LONGEST_TAG || html.charCodeAt(j) === 95) continue; // longer than 10, or "_" after it: no \b
    let code = 0;
    for (let k = i + 1; k < j; k++) code = code * 64 + tagCharCode(html.charCodeAt(k));
    const token = TAG_TOKENS.get(code);
    if (token !== undefined) out.add(token);
  }
}

/** A tag name's character as a number 1-36 (a-z any case, 0-9): names become numbers, not strings. */
function tagCharCode(c: number): number {
  return c <= 57 ? c - 48 + 27 : (c | 0x20) - 96;
}

/** The token of each telling tag by its name's number. */
const TAG_TOKENS = new Map([...TELLING_TAGS].map((tag) => [[...tag].reduce((code, ch) => code * 64 + tagCharCode(ch.charCodeAt(0)), 0), 'html:' + tag]));

function isAsciiAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** CJK scripts are written without spaces: they are cut into character pairs. */
function isCjk(c: number): boolean {
  return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af);
}

/** Whitespace-separated words of lower-cased text, with `prefix`. */
function wordTokens(text: string, prefix: string, out: TokenSink): void {
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
function wordHashes(text: string, prefix: string, out: HashSink, fold = false): void {
  let p1 = SEED1;
  let p2 = SEED2;
  for (let i = 0; i < prefix.length; i++) {
    p1 = mix1(p1, prefix.charCodeAt(i));
    p2 = mix2(p2, prefix.charCodeAt(i));
  }
  let start = -1;
  let h1 = p1;
  let h2 = p2;
  let ascii = true;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    let c = i < n ? text.charCodeAt(i) : 32;
    // One table load classifies ASCII: 1 a separator, 2 an upper-case letter.
    const kind = c < 128 ? ASCII_KIND[c]! : c === 0xa0 ? 1 : 3;
    if (kind !== 1) {
      if (start < 0) {
        start = i;
        h1 = p1;
        h2 = p2;
        ascii = true;
      }
      if (kind === 3) ascii = false;
      else if (kind === 2 && fold) c += 32;
      h1 = mix1(h1, c);
      h2 = mix2(h2, c);
      continue;
    }
    if (start < 0) continue;
    const len = i - start;
    const first = lowerAscii(text.charCodeAt(start), fold);
    if (ascii && isWordChar(first) && isWordChar(lowerAscii(text.charCodeAt(i - 1), fold)) && len <= MAX_WORD) {
      if (len >= 3) out.set.add(finish(h1, h2, prefix.length + len));
    } else if (ascii) {
      asciiWord(text, start, i, prefix, out, fold);
    } else if (fold) {
      // Lower-casing one whitespace-separated run gives what lower-casing the whole text
      // gives it (even "İ" → "i̇" and the final sigma: whitespace bounds their context).
      const w = text.slice(start, i).toLowerCase();
      word(w, 0, w.length, prefix, out);
    } else {
      word(text, start, i, prefix, out);
    }
    start = -1;
    if (out.full) return;
  }
}

/**
 * word() for an ASCII run whose ends need trimming (or that is too long), without a
 * lower-cased copy: the same trimming (ASCII letters and digits are the only \p{L}\p{N}
 * there), then the span hashed with A-Z folded when `fold`.
 */
function asciiWord(text: string, start: number, end: number, prefix: string, out: HashSink, fold: boolean): void {
  const first = lowerAscii(text.charCodeAt(start), fold);
  if (!isWordChar(first) || !isWordChar(lowerAscii(text.charCodeAt(end - 1), fold))) {
    while (start < end && !isAsciiAlnum(text.charCodeAt(start)) && text.charCodeAt(start) !== 0x24) start++;
    while (end > start) {
      const c = text.charCodeAt(end - 1);
      if (isAsciiAlnum(c) || c === 0x24 || c === 0x25 || c === 0x21) break;
      end--;
    }
  }
  const len = end - start;
  if (len < 3) return;
  if (len > MAX_WORD) {
    out.add(`${prefix}skip:${String.fromCharCode(lowerAscii(text.charCodeAt(start), fold))} ${Math.floor(len / 10) * 10}`);
    return;
  }
  let h1 = SEED1;
  let h2 = SEED2;
  for (let i = 0; i < prefix.length; i++) {
    h1 = mix1(h1, prefix.charCodeAt(i));
    h2 = mix2(h2, prefix.charCodeAt(i));
  }
  for (let i = start; i < end; i++) {
    const c = lowerAscii(text.charCodeAt(i), fold);
    h1 = mix1(h1, c);
    h2 = mix2(h2, c);
  }
  out.set.add(finish(h1, h2, prefix.length + len));
}

/** wordHashes' classes of ASCII characters: 1 the separators of wordTokens, 2 A-Z, 0 the rest. */
const ASCII_KIND = new Uint8Array(128);
for (const c of [32, 10, 13, 9, 12]) ASCII_KIND[c] = 1;
for (let c = 65; c <= 90; c++) ASCII_KIND[c] = 2;

function lowerAscii(c: number, fold: boolean): number {
  return fold && c >= 65 && c <= 90 ? c + 32 : c;
}

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
