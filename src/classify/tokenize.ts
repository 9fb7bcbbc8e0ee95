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
 * Words are cut by words.ts; tokens go to a TokenSink (token-sink.ts): text for tokenize,
 * 52-bit hashes (token-hash.ts) for tokenHashes, the same tokens in the same order.
 *
 * TOKENIZER_VERSION changes whenever the output for some message changes: a model
 * remembers the version it was trained with, and untraining needs the same tokens.
 */
import { htmlText } from '../extensions/lib/html-text.js';
import { fieldValue } from '../runtime/message/header-fields.js';
import type { MessageView, MimePart } from '../runtime/message/types.js';
import { HashSet, hashSpan } from './token-hash.js';
import { HashSink, StringSink, type TokenSink } from './token-sink.js';
import { tokenSource, type TokenSource } from './token-source.js';
import { isAsciiAlnum, wordHashes, wordTokens } from './words.js';

export const TOKENIZER_VERSION = 1;

export interface TokenizeOptions {
  /** Distinct tokens kept per message (the first ones found: headers first). Default 3000. */
  readonly maxTokens?: number;
}

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
  let start = 0;
  if (raw[0] === 0x46 && raw[1] === 0x72 && raw[2] === 0x6f && raw[3] === 0x6d && raw[4] === 0x20) start = raw.indexOf(0x0a) + 1;
  // A plain Uint8Array view, also of a Buffer (what readFileSync gives): the message view
  // and the tokenizer then meet one kind of byte array, and their subarray() calls are the
  // engine's own instead of Buffer's JavaScript override (bench/README.md, classify).
  return new Uint8Array(raw.buffer, raw.byteOffset + start, raw.length - start);
}

/** Tokens of a raw message (an mbox "From " line in front is ignored). */
export function tokenizeRaw(raw: Uint8Array, options: TokenizeOptions = {}): string[] {
  const source = tokenSource(stripMboxFrom(raw));
  return tokensOf(source.view, source.mime, options);
}

/** The distinct tokens of a message, headers first, at most maxTokens of them. */
export function tokenize(message: MessageView, options: TokenizeOptions = {}): string[] {
  return tokensOf(message, () => message.mime(), options);
}

function tokensOf(message: MessageView, mime: () => MimePart, options: TokenizeOptions): string[] {
  const out = new StringSink(options.maxTokens ?? DEFAULT_MAX_TOKENS);
  headerTokens(message, out);
  bodyTokens(mime(), out);
  return [...out.set];
}

/** One scratch table per size: tokenizing reuses it instead of allocating per message. */
const scratch = new Map<number, HashSet>();

/** The hashes (token-hash.ts) of tokenize(message), in the same order: what models store and look up. */
export function tokenHashes(message: MessageView, options: TokenizeOptions = {}): Float64Array {
  return hashesOf(message, () => message.mime(), options);
}

/** tokenHashes of a message read by tokenSource (token-source.ts): the same hashes. */
export function sourceTokenHashes(source: TokenSource, options: TokenizeOptions = {}): Float64Array {
  return hashesOf(source.view, source.mime, options);
}

function hashesOf(message: MessageView, mime: () => MimePart, options: TokenizeOptions): Float64Array {
  const max = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  let set = scratch.get(max);
  if (set === undefined) scratch.set(max, (set = new HashSet(max)));
  set.reset();
  const out = new HashSink(set);
  try {
    headerTokens(message, out);
    bodyTokens(mime(), out);
    return set.values();
  } finally {
    set.reset();
  }
}

/** Token hashes of a raw message (an mbox "From " line in front is ignored). */
export function tokenHashesRaw(raw: Uint8Array, options: TokenizeOptions = {}): Float64Array {
  return sourceTokenHashes(tokenSource(stripMboxFrom(raw)), options);
}

// ---------------------------------------------------------------------------------------------
// Headers

// headerTokens is a list of small functions: V8 recompiles a function whenever a branch it
// has not seen yet is taken (a message with an empty Subject, say), and one big function
// with its callees inlined cost ~30 ms of compiler time per recompile (bench: ~60 ms a run).
function headerTokens(m: MessageView, out: TokenSink): void {
  for (const field of SENDER_FIELDS) addressTokens(m, field, out);
  let recipients = 0;
  for (const field of RECIPIENT_FIELDS) recipients += addressTokens(m, field, out);
  out.add('to:count:' + bucketCount(recipients));
  subjectTokens(m, out);
  listIdTokens(m, out);
  for (const name of ['x-mailer', 'user-agent', 'organization']) mailerTokens(m, name, out);
  receivedTokens(m, out);
  threadTokens(m, out);
  messageIdTokens(m, out);
}

function subjectTokens(m: MessageView, out: TokenSink): void {
  for (const s of m.header('subject')) {
    if (s === '') out.add('subject:empty');
    wordTokens(s.toLowerCase(), 'subject:', out);
    // Runs of punctuation ("!!!", "$$$") in a subject are clues of their own.
    for (const p of s.matchAll(/[!$?*%]{2,}/g)) out.add('subject:punct:' + p[0].slice(0, 4));
  }
}

function listIdTokens(m: MessageView, out: TokenSink): void {
  for (const v of m.header('list-id')) {
    const id = /<([^>]*)>/.exec(v)?.[1] ?? v;
    out.add('list-id:' + id.trim().toLowerCase().slice(0, 80));
  }
}

function mailerTokens(m: MessageView, name: string, out: TokenSink): void {
  for (const v of m.header(name)) {
    const value = v.toLowerCase().replace(/\s+/g, ' ').slice(0, 60);
    out.add(name + ':' + value.replace(/\d+/g, '#'));
    wordTokens(value, name + ':', out);
  }
}

const THREAD_ID = /<([^<>\s]{1,100})>/g;
const THREAD_FIELDS = ['message-id', 'in-reply-to', 'references'];

/**
 * A reply shares a token with the message it answers (its Message-ID is in References):
 * thread:<id> for the first 20 <ids> of these fields. Each value is scanned on its own:
 * an id cannot span two values (joined by a space, which an id excludes).
 */
function threadTokens(m: MessageView, out: TokenSink): void {
  let k = 0;
  for (const name of THREAD_FIELDS) {
    for (const v of m.header(name)) {
      THREAD_ID.lastIndex = 0;
      for (let id = THREAD_ID.exec(v); id !== null; id = THREAD_ID.exec(v)) {
        if (++k > 20) return;
        out.add('thread:' + id[1]!.toLowerCase());
      }
    }
  }
}

function messageIdTokens(m: MessageView, out: TokenSink): void {
  for (const v of m.header('message-id')) {
    const host = /@([^>\s]+)>?/.exec(v)?.[1];
    out.add('msgid:' + (host === undefined ? 'nohost' : host.toLowerCase().replace(/\d+/g, '#').slice(0, 60)));
  }
}

/** An address field and its token prefixes, made once: a prefix built per address was a new string for every cache lookup. */
interface AddressPrefixes {
  readonly name: string;
  readonly invalid: string;
  readonly addr: string;
  readonly dom: string;
}

function addressPrefixes(name: string): AddressPrefixes {
  return { name, invalid: name + ':invalid', addr: name + ':addr:', dom: name + ':dom:' };
}

const SENDER_FIELDS = ['from', 'reply-to', 'sender'].map(addressPrefixes);
const RECIPIENT_FIELDS = ['to', 'cc'].map(addressPrefixes);

/** Tokens of one address field; returns how many addresses it held. */
function addressTokens(m: MessageView, f: AddressPrefixes, out: TokenSink): number {
  let n = 0;
  for (const field of m.addresses(f.name)) {
    if (field.invalid && field.addresses.length === 0) out.add(f.invalid);
    for (const a of field.addresses) {
      n++;
      if (n > 20) continue;
      const addr = a.address.toLowerCase();
      out.addSpan(f.addr, addr, 0, Math.min(addr.length, 80));
      if (a.domain !== '') addSuffixes(f.dom, a.domain.toLowerCase(), out);
      if (f.name === 'from') {
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

/**
 * A string that shares no storage with a longer one (V8 slices strings of 13 characters or
 * more). The concatenation is flattened into a new string of s.length + 1 characters, and
 * the slice of it keeps only that alive (~10× faster than joining an array of characters).
 */
function ownCopy(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * domainSuffixes for a host not cached yet: brackets around it and one trailing dot
 * dropped; a dotted number gives itself and, with four parts, its first three; a name its
 * parents from the left, at most 4. Scanned by hand: the regexes, split and joins it
 * replaced made ~10 strings per new host.
 */
function computeSuffixes(host: string): string[] {
  // "[", "]" and "." counted off as 0 or 1, not by "end--" in an if: a decrement first run
  // by a late host ("[10.0.0.1]", "example.com.") threw away this function's optimised code.
  const start = host.length > 0 && host.charCodeAt(0) === 0x5b ? 1 : 0;
  let end = host.length;
  end -= end > start && host.charCodeAt(end - 1) === 0x5d ? 1 : 0;
  end -= end > start && host.charCodeAt(end - 1) === 0x2e ? 1 : 0;
  const h = host.slice(start, end); // the host itself when nothing is cut
  let dots = 0;
  let numeric = h.length > 0;
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    if (c === 0x2e) dots++;
    else if (c < 48 || c > 57) numeric = false;
  }
  const out = [h];
  if (numeric) {
    // The address and its /24 (its first three parts), when it has four parts.
    if (dots === 3) out.push(h.slice(0, h.lastIndexOf('.')));
    return out;
  }
  const n = Math.min(dots, 4);
  for (let k = 1, i = h.indexOf('.'); k < n; k++, i = h.indexOf('.', i + 1)) out.push(h.slice(i + 1));
  return out;
}

const RECEIVED_HOST = /\b(?:from|by)\s+([a-z0-9][a-z0-9.-]*[a-z0-9])/gi;
const RECEIVED_NAMES = /\(([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\s*\[/gi;

function receivedTokens(m: MessageView, out: TokenSink): void {
  // Only the first MAX_RECEIVED values are decoded (header() would decode all of them: a
  // message relayed through a list can carry twenty or more).
  const received = m.fieldsNamed('received');
  for (let i = 0; i < received.length && i < MAX_RECEIVED; i++) {
    const v = fieldValue(received[i]!).slice(0, 500);
    receivedHosts(v, RECEIVED_HOST, out);
    receivedHosts(v, RECEIVED_NAMES, out);
    ipv4Tokens(v, out);
  }
}

/** Dotted IPv4 addresses: \b and \d are ASCII here (no u flag), as in the hand scan this replaced. */
const IPV4 = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g;

/**
 * received:ip:a.b.c for each IPv4 address (its /24) in `v`. test() finds the addresses
 * without a match array (exec allocated one per address, more than the rest of the header
 * tokens; a hand-written scan cost ~3x the regex engine's time); the /24 is read back from
 * the end: the last three dots, then the first part's digits (a match starts at \b, so no
 * digit precedes it).
 */
function ipv4Tokens(v: string, out: TokenSink): void {
  IPV4.lastIndex = 0;
  while (IPV4.test(v)) {
    const third = v.lastIndexOf('.', IPV4.lastIndex - 1);
    let start = v.lastIndexOf('.', v.lastIndexOf('.', third - 1) - 1);
    while (start > 0 && isDigit(v.charCodeAt(start - 1))) start--;
    out.addSpan('received:ip:', v, start, third);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
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

function bodyTokens(root: MimePart, out: TokenSink): void {
  const state: BodyState = { budget: MAX_TEXT, parts: 0 };
  visitPart(root, out, state, 0);
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

/** A tag name's character (a-z any case, 0-9) as a number 1-36: names become numbers, not strings. */
function tagCharCode(c: number): number {
  return TAG_CHAR[c & 0x7f]!;
}

/** tagCharCode by table: no branch that only digits (<h1>) take, which made V8 recompile the scan. */
const TAG_CHAR = new Uint8Array(128);
for (let c = 48; c <= 57; c++) TAG_CHAR[c] = c - 48 + 27;
for (let c = 97; c <= 122; c++) TAG_CHAR[c] = TAG_CHAR[c - 32] = c - 96;

/** The token of each telling tag by its name's number. */
const TAG_TOKENS = new Map([...TELLING_TAGS].map((tag) => [[...tag].reduce((code, ch) => code * 64 + tagCharCode(ch.charCodeAt(0)), 0), 'html:' + tag]));
