/**
 * RFC 5322 §3.4 address-list parser, with the §4.4 obsolete forms (route addresses,
 * empty list elements, CFWS around dots). Pure and total: it never throws. Anything that
 * does not fit the grammar sets `invalid`, and addresses are still extracted on a best
 * effort basis (e.g. "<a@b> junk" still yields a@b).
 */
import type { MailAddress } from './types.js';
import { isSpecial, isWord, lexAddressList, type Token } from './address-lexer.js';
import { decodeWords } from './decode-words.js';
import { trimWsp } from './header-fields.js';

export interface ParsedAddressList {
  readonly addresses: MailAddress[];
  /** Something in the text is not part of a valid address list. */
  readonly invalid: boolean;
}

/** Parse an unfolded address-list field body (not RFC 2047 decoded). Never throws. */
export function parseAddressList(input: string): ParsedAddressList {
  const simple = parseSimple(input);
  if (simple !== undefined) return simple;
  try {
    const { tokens, broken } = lexAddressList(input);
    const p = new AddressParser(tokens);
    p.list();
    return { addresses: p.out, invalid: p.invalid || broken };
  } catch {
    return { addresses: [], invalid: true };
  }
}

// A fast path for the shapes that make up 95% of address fields (measured on the spam/ham
// corpus: From, To, Cc, Sender, Return-Path): "a@b", "<a@b>", "Some Name <a@b>",
// "\"Quoted Name\" <a@b>" and "a@b (comment)", each with optional blanks around. For these
// the parser below gives one mailbox, never invalid, with local part and domain as written;
// the name is its phrase: words joined by one space (a quoted string unquoted), RFC 2047
// decoded, trimmed. Atoms are what the lexer takes as atoms. Anything else takes the parser.
const ATOM = '[^ \\t\\r\\n()"\\[\\]\\\\<>@,;:.]+';
const ADDR = `(${ATOM}(?:\\.${ATOM})*)@(${ATOM}(?:\\.${ATOM})*)`;
const SIMPLE = new RegExp(
  '^[ \\t]*(?:' +
    `${ADDR}[ \\t]*(?:\\([^()\\\\]*\\)[ \\t]*)?` + // a@b, a@b (comment)
    '|(?:([^ \\t\\r\\n()"\\[\\]\\\\<>@,;:.][^\\r\\n()"\\[\\]\\\\<>@,;:]*)|"([^"\\\\]*)"[ \\t]*)?' + // Some Name, "Quoted"
    `<${ADDR}>[ \\t]*` + // <a@b>
    ')$',
);
const BLANKS = /[ \t]+/g;

function parseSimple(input: string): ParsedAddressList | undefined {
  const m = SIMPLE.exec(input);
  if (m === null) return undefined;
  const local = m[1] ?? m[5]!;
  const domain = m[2] ?? m[6]!;
  let name = '';
  if (m[3] !== undefined) {
    // Blanks before "<" end the phrase; a run of them inside is one space.
    let phrase = m[3].replace(BLANKS, ' ');
    if (phrase.endsWith(' ')) phrase = phrase.slice(0, -1);
    name = trimWsp(decodeWords(phrase));
  } else if (m[4] !== undefined) name = trimWsp(decodeWords(m[4]));
  return { addresses: [{ name, address: `${local}@${domain}`, localPart: local, domain }], invalid: false };
}

class AddressParser {
  pos = 0;
  invalid = false;
  readonly out: MailAddress[] = [];
  constructor(private readonly t: readonly Token[]) {}

  /** address-list = [address] *("," [address]) (obs-addr-list allows empty elements). */
  list(): void {
    const t = this.t;
    while (this.pos < t.length) {
      const tok = t[this.pos];
      if (isSpecial(tok, ',')) {
        this.pos++;
      } else if (isSpecial(tok, ';')) {
        this.invalid = true; // a group end without a group
        this.pos++;
      } else {
        const stop = this.scan(this.pos);
        if (isSpecial(t[stop], ':')) this.group(stop);
        else this.mailbox(undefined);
        this.skipJunk();
      }
    }
  }

  /** First index from `i` that holds one of < , ; : (or the end). */
  private scan(i: number): number {
    const t = this.t;
    while (i < t.length) {
      const v = t[i]!;
      if (v.kind === 'special' && (v.value === '<' || v.value === ',' || v.value === ';' || v.value === ':')) break;
      i++;
    }
    return i;
  }

  /** group = display-name ":" [group-list] ";" (§3.4); the name goes on each member. */
  private group(colon: number): void {
    if (!this.isPhrase(this.pos, colon) || colon === this.pos) this.invalid = true;
    const name = this.phrase(this.pos, colon);
    this.pos = colon + 1;
    const t = this.t;
    for (;;) {
      if (this.pos >= t.length) {
        this.invalid = true; // missing ";"
        return;
      }
      const tok = t[this.pos];
      if (isSpecial(tok, ';')) {
        this.pos++;
        return;
      }
      if (isSpecial(tok, ',')) this.pos++;
      else if (this.mailbox(name)) this.skipJunk();
    }
  }

  /** mailbox = name-addr / addr-spec. False when it only skipped a nested group's name. */
  private mailbox(group: string | undefined): boolean {
    const t = this.t;
    const start = this.pos;
    const stop = this.scan(start);
    if (isSpecial(t[stop], '<')) {
      this.invalid ||= !this.isPhrase(start, stop); // (runs in the usual case: see skipJunk)
      const name = this.phrase(start, stop);
      let a = stop + 1;
      // obs-route (§4.4): "<@a.example,@b.example:user@c.example>" holds commas; otherwise
      // a missing ">" ends at the next list separator rather than swallowing the list.
      const route = isSpecial(t[a], '@');
      let close = a;
      while (close < t.length && !isSpecial(t[close], '>')) {
        if (!route && (isSpecial(t[close], ',') || isSpecial(t[close], ';'))) break;
        close++;
      }
      this.invalid ||= !isSpecial(t[close], '>'); // (an assignment that runs in the usual case: see skipJunk)
      if (route) {
        let c = a;
        while (c < close && !isSpecial(t[c], ':')) c++;
        if (c < close) a = c + 1;
        else this.invalid = true;
      }
      this.pos = isSpecial(t[close], '>') ? close + 1 : close;
      if (a < close) this.emit(a, close, name, group); // "<>" is the null address: no mailbox
      return true;
    } else {
      if (isSpecial(t[stop], ':')) {
        // A group inside a group: drop its name, its members join the outer group.
        this.invalid = true;
        this.pos = stop + 1;
        return false;
      }
      this.pos = stop;
      if (stop > start) this.emit(start, stop, '', group);
      return true;
    }
  }

  /** Skip to the next "," or ";" (which the caller handles); anything skipped is junk. */
  private skipJunk(): void {
    const t = this.t;
    // Written so that its operations run when there is no junk too (the usual case): V8
    // throws away a caller's optimised code at the first run of an operation it never saw.
    let p = this.pos - 1;
    do p++;
    while (p < t.length && !isSpecial(t[p], ',') && !isSpecial(t[p], ';'));
    this.invalid ||= p > this.pos;
    this.pos = p;
  }

  /** addr-spec = local-part "@" domain, split at the last "@"; salvaged when malformed. */
  private emit(a: number, b: number, name: string, group: string | undefined): void {
    const t = this.t;
    let at = b - 1;
    while (at >= a && !isSpecial(t[at], '@')) at--;
    let la = a;
    let db = b;
    if (at < a) {
      // No domain: only a lone word counts ("<root>"), and it is not RFC 5322 valid.
      this.invalid = true;
      if (b - a !== 1 || !isWord(t[a])) return;
    } else if (!this.isLocal(a, at) || !this.isDomain(at + 1, b)) {
      // Salvage the address around the last "@": the words glued to it on either side.
      this.invalid = true;
      la = at;
      const glued = (x: Token | undefined): boolean => isWord(x) || isSpecial(x, '.') || isSpecial(x, '@');
      while (la > a && glued(t[la - 1]) && (la === at || !t[la]!.gap)) la--;
      db = at + 1;
      while (db < b && isDomainToken(t[db]!) && (db === at + 1 || !t[db]!.gap)) db++;
      if (la === at) return;
    }
    const local = join(t, la, at < a ? b : at);
    const out: { -readonly [K in keyof MailAddress]: MailAddress[K] } = {
      name,
      address: local,
      localPart: local,
      domain: '',
    };
    if (at >= a) {
      const lit = db === at + 2 && t[at + 1]!.kind === 'literal';
      // A domain literal keeps its text as written (quoted-pairs included), without the brackets,
      // so that `address` always ends with `[domain]` (or `domain` when the literal is unterminated).
      const litText = lit ? t[at + 1]!.text : '';
      out.domain = lit ? litText.slice(1, litText.endsWith(']') && litText.length > 1 ? -1 : undefined) : join(t, at + 1, db);
      out.address = local + '@' + join(t, at + 1, db);
    }
    if (group !== undefined) out.group = group;
    this.out.push(out);
  }

  /**
   * local-part = word *("." word). Lenient on ".." and a trailing "." (Japanese mobile
   * carriers hand out such addresses), but two words need a dot between them.
   */
  private isLocal(a: number, b: number): boolean {
    if (a >= b || !isWord(this.t[a])) return false;
    for (let i = a + 1; i < b; i++) {
      const word = isWord(this.t[i]);
      if (!word && !isSpecial(this.t[i], '.')) return false;
      if (word && isWord(this.t[i - 1])) return false;
    }
    return true;
  }

  /** domain = dot-atom / domain-literal (§3.4.1): atoms strictly separated by dots. */
  private isDomain(a: number, b: number): boolean {
    const t = this.t;
    // One token that is a literal; both tests run for every domain (see skipJunk).
    const literal = t[a]?.kind === 'literal';
    if (b - a === 1 && literal) return true;
    if (a >= b || (b - a) % 2 === 0) return false;
    for (let i = a; i < b; i++) {
      if ((i - a) % 2 === 0 ? t[i]!.kind !== 'atom' : !isSpecial(t[i], '.')) return false;
    }
    return true;
  }

  /** phrase = 1*word / obs-phrase (words and dots). An empty range is a valid "no name". */
  private isPhrase(a: number, b: number): boolean {
    for (let i = a; i < b; i++) if (!isWord(this.t[i]) && !isSpecial(this.t[i], '.')) return false;
    return a === b || isWord(this.t[a]);
  }

  /** Display text of a phrase: words joined by one space where whitespace was, RFC 2047 decoded. */
  private phrase(a: number, b: number): string {
    let s = '';
    for (let i = a; i < b; i++) {
      const tok = this.t[i]!;
      if (s !== '' && tok.gap) s += ' ';
      s += tok.kind === 'quoted' ? tok.value : tok.text;
    }
    return trimWsp(decodeWords(s));
  }
}

function isDomainToken(tok: Token): boolean {
  return tok.kind === 'atom' || tok.kind === 'literal' || (tok.kind === 'special' && tok.value === '.');
}

/** Tokens as written, without the CFWS between them. */
function join(t: readonly Token[], a: number, b: number): string {
  let s = '';
  for (let i = a; i < b; i++) s += t[i]!.text;
  return s;
}
