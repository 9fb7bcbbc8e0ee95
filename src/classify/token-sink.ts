/**
 * Where the tokenizer's tokens go: a set of strings (tokenize: tests, --explain) or a set
 * of hashes (tokenHashes: training and classification). Both see the same tokens in the
 * same order, so hashToken(tokenize(m)[i]) === tokenHashes(m)[i]. Pure: no Node module.
 */
import { hashSpan, hashToken, type HashSet } from './token-hash.js';

export interface TokenSink {
  readonly full: boolean;
  add(token: string): void;
  /** The token prefix + text.slice(start, end). */
  addSpan(prefix: string, text: string, start: number, end: number): void;
}

export class StringSink implements TokenSink {
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

export class HashSink implements TokenSink {
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

