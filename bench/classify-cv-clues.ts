/**
 * Clue-level pieces of the fourth round of classify-cv (classify-cv-ideas.ts): the clues a
 * two-bucket model picks for a message, with each clue's token family, and the variants
 * that change which clues count (hapax filter, Bayesian noise reduction). At the 0.5
 * decision Fisher's combination is the sign of Σ ln(f / (1 − f)) over the chosen clues
 * (docs/classify.md, "Third round"), so a verdict here is that sign.
 */
import type { ModelSnapshot } from '../src/classify/model-snapshot.js';
import { tokenProbability } from '../src/classify/robinson-fisher.js';
import type { Sample } from './classify-cv-data.js';

/** Token families (by the tokenizer's prefixes); the first HEADER_FAMILIES are header tokens. */
export const FAMILIES = ['sender', 'recipients', 'subject', 'received', 'msgid/thread', 'list-id', 'mailer', 'mime', 'url', 'html', 'body'] as const;
export const HEADER_FAMILIES = 7;
const FAMILY_OF: readonly [RegExp, number][] = [
  [/^(from|reply-to|sender):/, 0],
  [/^(to|cc):/, 1],
  [/^subject:/, 2],
  [/^received:/, 3],
  [/^(msgid|thread):/, 4],
  [/^list-id:/, 5],
  [/^(x-mailer|user-agent|organization):/, 6],
  [/^(ct|charset|cte|file):/, 7],
  [/^url:/, 8],
  [/^html:/, 9],
];

/** The family of every token of a message, in the order of its hashes (tokenizeRaw has the same order). */
export function familiesOf(s: Sample): Uint8Array {
  const names = s.names();
  if (names.length !== s.hashes.length) throw new Error(`token text and hashes differ in length: ${s.path}`);
  return Uint8Array.from(names, (t) => FAMILY_OF.find(([re]) => re.test(t))?.[1] ?? 10);
}

export interface Clue {
  /** Index of the token in the message. */
  readonly at: number;
  readonly f: number;
  /** ln(f / (1 − f)), f clamped as fisherCombine clamps it. */
  readonly lo: number;
  /** Training messages that held the token (both buckets). */
  readonly n: number;
}

/** Which of a message's tokens may be clues (before the strongest are chosen). */
export type ClueFilter = (c: Clue, fam: Uint8Array) => boolean;

/** Robinson's f of every token of the message (NaN for tokens the model never saw). */
function tokenFs(model: ModelSnapshot, hashes: Float64Array): { fs: Float64Array; ns: Int32Array } {
  const o = model.options;
  const ia = model.buckets.indexOf(model.positive!);
  const ib = 1 - ia;
  const na = model.messages[ia]!;
  const nb = model.messages[ib]!;
  const fs = new Float64Array(hashes.length);
  const ns = new Int32Array(hashes.length);
  for (let i = 0; i < hashes.length; i++) {
    const r = model.row(hashes[i]!);
    if (r < 0) {
      fs[i] = NaN;
      continue;
    }
    const ca = model.count(r, ia);
    const cb = model.count(r, ib);
    fs[i] = tokenProbability(ca, cb, na, nb, o.robS, o.robX, o.negativeWeight);
    ns[i] = ca + cb;
  }
  return { fs, ns };
}

/** The chosen clues: |f − 0.5| ≥ minDev, passing `filter`, at most maxClues, strongest first, ties by hash (as classifyTwo). */
export function chooseClues(model: ModelSnapshot, s: Sample, fam: Uint8Array, filter?: ClueFilter, drop?: Uint8Array): Clue[] {
  const { fs, ns } = tokenFs(model, s.hashes);
  const o = model.options;
  const out: Clue[] = [];
  for (let i = 0; i < fs.length; i++) {
    const f = fs[i]!;
    if (Number.isNaN(f) || Math.abs(f - 0.5) < o.minDev || drop?.[i]) continue;
    const g = Math.min(1 - 1e-12, Math.max(1e-12, f));
    const c = { at: i, f, lo: Math.log(g) - Math.log(1 - g), n: ns[i]! };
    if (filter === undefined || filter(c, fam)) out.push(c);
  }
  out.sort((u, v) => Math.abs(v.f - 0.5) - Math.abs(u.f - 0.5) || s.hashes[u.at]! - s.hashes[v.at]!);
  return out.slice(0, o.maxClues);
}

/** Σ ln(f / (1 − f)) of the clues per family. */
export function familySums(clues: readonly Clue[], fam: Uint8Array): Float64Array {
  const out = new Float64Array(FAMILIES.length);
  for (const c of clues) out[fam[c.at]!]! += c.lo;
  return out;
}

/**
 * Hapax filter: a token is a clue only if at least `min` training messages held it
 * (`bodyOnly`: the rule applies to body-side families only; `spamOnly`: only to tokens
 * leaning spam, f > 0.5, so rare ham-side clues still count).
 */
export function hapaxFilter(min: number, bodyOnly: boolean, spamOnly = false): ClueFilter {
  return (c, fam) => c.n >= min || (bodyOnly && fam[c.at]! < HEADER_FAMILIES) || (spamOnly && c.f < 0.5);
}

/**
 * Bayesian noise reduction (Zdziarski, "Bayesian Noise Reduction: Contextual Symmetry
 * Logic Utilizing Pattern Consistency Analysis", 2004; dspam's BNR): the message's tokens
 * in order (here: the order of first occurrence, as tokenHashesRaw keeps them; a repeated
 * word is not repeated) are put in bands of f; a window of 3 slides over them, and the
 * middle token is dropped when both neighbours are in the same decided band and it is in
 * the opposite one. `edge`: f ≥ edge is the spam band, f ≤ 1 − edge the ham band. Tokens
 * the model never saw are left out of the sequence. Returns the dropped token indexes.
 */
export function noiseReduction(model: ModelSnapshot, s: Sample, edge: number): Uint8Array {
  const { fs } = tokenFs(model, s.hashes);
  const seq: number[] = [];
  for (let i = 0; i < fs.length; i++) if (!Number.isNaN(fs[i]!)) seq.push(i);
  const band = (i: number): number => (fs[i]! >= edge ? 1 : fs[i]! <= 1 - edge ? -1 : 0);
  const drop = new Uint8Array(fs.length);
  for (let k = 1; k + 1 < seq.length; k++) {
    const l = band(seq[k - 1]!);
    const r = band(seq[k + 1]!);
    if (l !== 0 && l === r && band(seq[k]!) === -l) drop[seq[k]!] = 1;
  }
  return drop;
}
