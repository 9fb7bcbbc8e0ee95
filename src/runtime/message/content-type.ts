/**
 * Content-Type (RFC 2045 §5.1) and Content-Disposition (RFC 2183) values with their
 * parameters, including RFC 2231 continuations ("name*0*=", "name*1=") and charset /
 * language tagged values ("utf-8'en'%C3%A9"). Lenient and total: never throws.
 */
import { utf8Encode } from './bytes.js';
import { decodeCharset } from './charset.js';
import { decodeWords } from './decode-words.js';

export interface ParamValue {
  /** The value before the first ";", lower-cased, comments and whitespace removed. */
  readonly value: string;
  /** Parameters with lower-case names. A null-prototype object: no inherited keys. */
  readonly params: Record<string, string>;
}

interface Segment {
  readonly text: string;
  /** RFC 2231 §4: the segment is percent-encoded (its name ended in "*"). */
  readonly encoded: boolean;
}

/** Parse "value; name=token; name=\"quoted\"; name*0*=..." from an unfolded field body. */
export function parseParamValue(input: string): ParamValue {
  const s = stripComments(input);
  const semi = s.indexOf(';');
  const value = (semi < 0 ? s : s.slice(0, semi)).replace(/[ \t\r\n]+/g, '').toLowerCase();
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  if (semi < 0) return { value, params };
  const plain = new Map<string, string>();
  const split = new Map<string, Segment[]>();
  let i = semi + 1;
  while (i < s.length) {
    const eq = s.indexOf('=', i);
    const nextSemi = s.indexOf(';', i);
    if (eq < 0) break;
    if (nextSemi >= 0 && nextSemi < eq) {
      i = nextSemi + 1; // "; junk;" - no "=" in this parameter
      continue;
    }
    const name = s.slice(i, eq).trim().toLowerCase();
    // Both loops are written so that each operation runs in the common case too (spaces
    // after "=" and backslashes in quoted values are rare): V8 throws away optimised code
    // at the first run of an operation it never saw, and compiles the function again.
    let j = eq;
    do j++;
    while (s[j] === ' ' || s[j] === '\t');
    let val: string;
    if (s[j] === '"') {
      val = '';
      for (j++; j < s.length && s[j] !== '"'; j++) {
        j += j + 1 < s.length && s[j] === '\\' ? 1 : 0;
        val += s[j];
      }
      const after = s.indexOf(';', j);
      i = after < 0 ? s.length : after + 1;
    } else {
      // Unquoted: up to the next ";" (lenient: senders leave spaces in file names unquoted).
      const after = s.indexOf(';', j);
      val = (after < 0 ? s.slice(j) : s.slice(j, after)).trim();
      i = after < 0 ? s.length : after + 1;
    }
    addParam(name, val, plain, split);
  }
  for (const [name, v] of plain) params[name] = v;
  for (const [name, segs] of split) {
    // RFC 2231 takes precedence over a plain parameter of the same name (§4.1 senders send both).
    params[name] = joinSegments(segs);
  }
  return { value, params };
}

function addParam(name: string, val: string, plain: Map<string, string>, split: Map<string, Segment[]>): void {
  if (name === '' || /[\s"]/.test(name)) return;
  // RFC 2231 §3: name*N (continuation, 0-based) and §4: a trailing "*" marks an encoded value.
  const m = /^([^*]+)\*(\d{1,3})?(\*)?$/.exec(name);
  if (m === null) {
    if (!plain.has(name)) plain.set(name, /=\?/.test(val) ? decodeWords(val) : val);
    return;
  }
  const base = m[1]!;
  const index = m[2] === undefined ? 0 : Number(m[2]);
  // "name*" is one encoded value; "name*N*" an encoded segment; "name*N" a plain one.
  const encoded = m[2] === undefined || m[3] === '*';
  let segs = split.get(base);
  if (segs === undefined) split.set(base, (segs = []));
  if (segs[index] === undefined) segs[index] = { text: val, encoded };
}

/** Concatenate RFC 2231 segments in order (stopping at a gap, §3) and decode the charset. */
function joinSegments(segs: readonly (Segment | undefined)[]): string {
  const first = segs[0];
  if (first === undefined) return '';
  let charset = '';
  const bytes: number[] = [];
  for (let n = 0; n < segs.length; n++) {
    const seg = segs[n];
    if (seg === undefined) break;
    let text = seg.text;
    if (seg.encoded && n === 0) {
      // §4: charset'language'value; the quotes are mandatory but senders forget them.
      const q1 = text.indexOf("'");
      const q2 = q1 < 0 ? -1 : text.indexOf("'", q1 + 1);
      if (q2 >= 0) {
        charset = text.slice(0, q1);
        text = text.slice(q2 + 1);
      }
    }
    if (seg.encoded) pushPercentDecoded(text, bytes);
    else for (const b of utf8Encode(text)) bytes.push(b);
  }
  return decodeCharset(Uint8Array.from(bytes), charset || 'utf-8');
}

function pushPercentDecoded(text: string, out: number[]): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      for (const b of utf8Encode(text[i]!)) out.push(b);
    }
  }
}

/** Remove RFC 5322 comments outside quoted strings: "text/plain (note); charset=x". */
function stripComments(s: string): string {
  if (s.indexOf('(') < 0) return s;
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += c + (s[i + 1] ?? '');
      i++;
    } else if (quoted) {
      out += c;
      if (c === '"') quoted = false;
    } else if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) {
      out += c;
      if (c === '"') quoted = true;
    }
  }
  return out;
}
