/**
 * Token experiments of the cross-validation tool (classify-cv.ts): extra tokens computed
 * beside the tokenizer, so an idea is measured before it goes into src/classify/tokenize.ts.
 * Each is one of SpamBayes' header/MIME/URL clues (spambayes/tokenizer.py) or a weighting.
 */
import type { MimePart } from '../src/runtime/message/types.js';
import type { ExtraTokens, Sample } from './classify-cv-data.js';

const LIST_FIELDS = /^list-(unsubscribe|subscribe|help|post|owner|archive)$/;

/** hdr:list-unsubscribe … for the List-* fields present, and precedence:<value> (bulk, list, junk). */
export const listFieldTokens: ExtraTokens = (s) => {
  const out: string[] = [];
  const view = s.source().view;
  for (const f of view.fields()) if (LIST_FIELDS.test(f.lname)) out.push('hdr:' + f.lname);
  for (const v of view.header('precedence')) out.push('precedence:' + v.trim().toLowerCase().slice(0, 20));
  if (!out.some((t) => t === 'hdr:list-unsubscribe')) out.push('hdr:no-list-unsubscribe');
  return out;
};

/** hdrcount:N: the number of header fields, in powers of two (SpamBayes counts header lines). */
export const headerCountTokens: ExtraTokens = (s) => {
  const n = s.source().view.fields().length;
  return ['hdrcount:' + (n === 0 ? 0 : 2 ** Math.floor(Math.log2(n)))];
};

const URL_PATH = /\bhttps?:\/\/[^\s/"'<>]+(\/[^\s"'<>)\]]*)/gi;

/** url:path:<piece> for the pieces of link paths (SpamBayes' url: tokens split on / . ? = & -). */
export const urlPathTokens: ExtraTokens = (s) => {
  const out: string[] = [];
  for (const text of partTexts(s.source().mime())) {
    URL_PATH.lastIndex = 0;
    let n = 0;
    for (let m = URL_PATH.exec(text); m !== null && n < 100; m = URL_PATH.exec(text), n++) {
      for (const piece of m[1]!.toLowerCase().split(/[/.?=&_#%-]+/)) if (piece.length >= 2 && piece.length <= 20) out.push('url:path:' + piece.replace(/\d/g, '#'));
    }
  }
  return out;
};

/** mime:<structure>: the part tree as text ("multipart/alternative(text/plain,text/html)"), and mime:parts:N. */
export const mimeStructureTokens: ExtraTokens = (s) => {
  const root = s.source().mime();
  let parts = 0;
  const shape = (p: MimePart, depth: number): string => {
    parts++;
    if (p.children.length === 0 || depth > 3) return p.contentType;
    return p.contentType + '(' + p.children.slice(0, 6).map((c) => shape(c, depth + 1)).join(',') + ')';
  };
  const tree = shape(root, 0).slice(0, 120);
  return ['mime:' + tree, 'mime:parts:' + Math.min(parts, 8)];
};

/** html:imgs:N: how many <img> tags (0, 1, 2-3, 4-7, 8+); SpamBayes counts images of image spam. */
export const imageCountTokens: ExtraTokens = (s) => {
  let n = 0;
  for (const p of leaves(s.source().mime())) if (p.contentType === 'text/html') n += (p.decodedText().match(/<img\b/gi) ?? []).length;
  const b = n === 0 ? '0' : n === 1 ? '1' : n <= 3 ? '2-3' : n <= 7 ? '4-7' : '8+';
  return ['html:imgs:' + b];
};

const REPUTATION = /^(from:addr:|from:dom:|reply-to:addr:|sender:addr:|list-id:)/;

/** The sender and list tokens again under k−1 other names: each then counts as k clues. */
export function reputationCopies(k: number): ExtraTokens {
  return (s) => {
    const out: string[] = [];
    for (const t of s.names()) if (REPUTATION.test(t)) for (let i = 2; i <= k; i++) out.push(`rep${i}:${t}`);
    return out;
  };
}

/** Several extras together. */
export function both(...fns: ExtraTokens[]): ExtraTokens {
  return (s: Sample) => fns.flatMap((f) => f(s));
}

function leaves(p: MimePart): MimePart[] {
  return p.children.length === 0 ? [p] : p.children.flatMap(leaves);
}

function partTexts(root: MimePart): string[] {
  return leaves(root)
    .filter((p) => p.contentType.startsWith('text/'))
    .map((p) => p.decodedText().slice(0, 200_000));
}

/** The registered-ish domain of a host: its last two labels (three under a two-letter ccTLD with a short second label: co.uk). */
function baseDomain(host: string): string {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  const n = labels.length;
  if (n >= 3 && labels[n - 1]!.length === 2 && labels[n - 2]!.length <= 3) return labels.slice(n - 3).join('.');
  return labels.slice(Math.max(0, n - 2)).join('.');
}

const LINK_HOST = /\b(?:https?:\/\/|www\.)([^\s/"'<>)\]?#:]+)/gi;

/**
 * Consistency of the sender with the message: do the links go to the From address's
 * domain (a newsletter links home; a 2002 spam forges its From and links elsewhere), is
 * the Message-ID made there, does Return-Path share it? from:links:home / away / none …
 */
export const senderConsistencyTokens: ExtraTokens = (s) => {
  const view = s.source().view;
  const from = view.addresses('from')[0]?.addresses[0]?.domain;
  if (!from) return ['from:consistency:nodomain'];
  const home = baseDomain(from);
  const out: string[] = [];
  let links = 0;
  let homeLinks = 0;
  for (const text of partTexts(s.source().mime())) {
    LINK_HOST.lastIndex = 0;
    for (let m = LINK_HOST.exec(text); m !== null && links < 200; m = LINK_HOST.exec(text)) {
      links++;
      if (baseDomain(m[1]!.replace(/^[^@]*@/, '')) === home) homeLinks++;
    }
  }
  out.push('from:links:' + (links === 0 ? 'none' : homeLinks === 0 ? 'away' : homeLinks === links ? 'home' : 'some-home'));
  const msgid = /@([^>\s]+)>?/.exec(view.header('message-id')[0] ?? '')?.[1];
  out.push('from:msgid:' + (msgid === undefined ? 'none' : baseDomain(msgid) === home ? 'home' : 'away'));
  const rp = /@([^>\s]+)>?/.exec(view.header('return-path')[0] ?? '')?.[1];
  out.push('from:return-path:' + (rp === undefined ? 'none' : baseDomain(rp) === home ? 'home' : 'away'));
  return out;
};

/** A value's shape: runs of digits → 9, of hex-ish letters+digits → x, of letters → a (keeps punctuation): mailer software fingerprints. */
function shape(v: string): string {
  return v
    .slice(0, 60)
    .replace(/[0-9]+/g, '9')
    .replace(/[a-z]+/gi, 'a')
    .replace(/(?:a9|9a)+a?9?/g, 'x');
}

/** msgid:shape:<local part's shape>: bulk mailers and spamware each make Message-IDs their own way. */
export const messageIdShapeTokens: ExtraTokens = (s) => {
  const id = /<([^@>]*)@/.exec(s.source().view.header('message-id')[0] ?? '')?.[1];
  return ['msgid:shape:' + (id === undefined ? 'none' : shape(id))];
};

/** boundary:<shape> of the top MIME boundary (----=_NextPart_000_… is Outlook's, others are bulk mailers'). */
export const boundaryShapeTokens: ExtraTokens = (s) => {
  const b = s.source().mime().params['boundary'];
  return b === undefined ? [] : ['boundary:' + shape(b)];
};

/** date:<shape> of the Date field (timezone style, weekday or not) and date:none. */
export const dateShapeTokens: ExtraTokens = (s) => {
  const d = s.source().view.header('date')[0];
  return ['date:' + (d === undefined ? 'none' : shape(d.trim()))];
};

/** received:count:N — how many relays (0, 1, 2, 3-4, 5-8, 9+). */
export const receivedCountTokens: ExtraTokens = (s) => {
  const n = s.source().view.fieldsNamed('received').length;
  return ['received:count:' + (n <= 2 ? String(n) : n <= 4 ? '3-4' : n <= 8 ? '5-8' : '9+')];
};
