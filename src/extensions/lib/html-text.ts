/**
 * HTML to text the way Dovecot's mail_html2text() does it, which is what Pigeonhole's
 * `body :text` sees of text/html and application/xhtml+xml parts (RFC 5173 §5.2 leaves
 * the conversion to the implementation, so Pigeonhole's choice decides). It is a small
 * state machine, not an HTML parser:
 *
 * - text outside tags is copied as is (line breaks and runs of spaces included);
 * - every tag becomes one space, unless the text so far is empty or already ends with
 *   a space ("a <b>x</b> y" reads "a x  y": the space after </b> stays);
 * - <script> and <style> contents are dropped (their end counts as a tag), comments
 *   are dropped without a space, <![CDATA[...]]> contents are kept;
 * - entities: the HTML 4 names plus &apos;, case-sensitive; &#nnn; and &#xhhh;
 *   (lower-case x). An unknown entity is dropped through its ";"; an "&" without a ";"
 *   within the next 9 characters (or before a space) is dropped alone.
 *
 * The message layer's htmlToText (html-to-text package) formats for people; it would
 * not match the same words as Pigeonhole does, hence this file.
 */

/** name → code point. Latin-1 names run in order from U+00A0; the rest are listed. */
const ENTITIES = new Map<string, number>();
(() => {
  const latin1 =
    'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para ' +
    'middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute ' +
    'Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute ' +
    'THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ' +
    'ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';
  latin1.split(' ').forEach((name, i) => ENTITIES.set(name, 0xa0 + i));
  const greekUpper = 'Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho'.split(' ');
  greekUpper.forEach((name, i) => {
    ENTITIES.set(name, 0x391 + i);
    ENTITIES.set(name.toLowerCase(), 0x3b1 + i);
  });
  'Sigma Tau Upsilon Phi Chi Psi Omega'.split(' ').forEach((name, i) => {
    ENTITIES.set(name, 0x3a3 + i);
    ENTITIES.set(name.toLowerCase(), 0x3c3 + i);
  });
  const others =
    'quot 22 amp 26 apos 27 lt 3c gt 3e OElig 152 oelig 153 Scaron 160 scaron 161 Yuml 178 fnof 192 circ 2c6 tilde 2dc ' +
    'sigmaf 3c2 thetasym 3d1 upsih 3d2 piv 3d6 ensp 2002 emsp 2003 thinsp 2009 zwnj 200c zwj 200d lrm 200e rlm 200f ' +
    'ndash 2013 mdash 2014 lsquo 2018 rsquo 2019 sbquo 201a ldquo 201c rdquo 201d bdquo 201e dagger 2020 Dagger 2021 ' +
    'bull 2022 hellip 2026 permil 2030 prime 2032 Prime 2033 lsaquo 2039 rsaquo 203a oline 203e frasl 2044 euro 20ac ' +
    'image 2111 weierp 2118 real 211c trade 2122 alefsym 2135 larr 2190 uarr 2191 rarr 2192 darr 2193 harr 2194 crarr 21b5 ' +
    'lArr 21d0 uArr 21d1 rArr 21d2 dArr 21d3 hArr 21d4 forall 2200 part 2202 exist 2203 empty 2205 nabla 2207 isin 2208 ' +
    'notin 2209 ni 220b prod 220f sum 2211 minus 2212 lowast 2217 radic 221a prop 221d infin 221e ang 2220 and 2227 or 2228 ' +
    'cap 2229 cup 222a int 222b there4 2234 sim 223c cong 2245 asymp 2248 ne 2260 equiv 2261 le 2264 ge 2265 sub 2282 ' +
    'sup 2283 nsub 2284 sube 2286 supe 2287 oplus 2295 otimes 2297 perp 22a5 sdot 22c5 lceil 2308 rceil 2309 lfloor 230a ' +
    'rfloor 230b lang 2329 rang 232a loz 25ca spades 2660 clubs 2663 hearts 2665 diams 2666';
  const o = others.split(' ');
  for (let i = 0; i < o.length; i += 2) ENTITIES.set(o[i]!, parseInt(o[i + 1]!, 16));
})();

/** The character of an entity name (without & and ;), or '' when it names none. */
function entityText(name: string): string {
  let cp = ENTITIES.get(name);
  if (cp === undefined && name.startsWith('#')) {
    const hex = name[1] === 'x';
    const digits = name.slice(hex ? 2 : 1);
    if ((hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) cp = parseInt(digits, hex ? 16 : 10);
  }
  // &#0; gives a NUL, as in Dovecot; surrogates and code points beyond U+10FFFF are dropped.
  if (cp === undefined || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '';
  return String.fromCodePoint(cp);
}

// Sticky scanners, used with test() and lastIndex (no match arrays): the rest of a text
// run, and a tag body up to its ">": outside quotes any character but a quote or ">",
// inside "..." or '...' anything, a backslash taking the next character along. Each
// alternative starts with a different character, so there is one way to match and no
// runaway backtracking; an unterminated quote means no end, as Dovecot's parser sees it.
const TEXT_RUN = /[^&<]+/y;
const TAG_BODY = /(?:[^"'>]|"(?:[^"\\]|\\[\s\S])*"|'(?:[^'\\]|\\[\s\S])*')*>/y;

/** HTML whitespace as Dovecot sees it: space, tab, CR, LF. */
function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/** Does `tag` (the text after "<") start with `name` followed by whitespace or ">"? */
function opens(html: string, at: number, name: string): boolean {
  const next = html.charCodeAt(at + name.length); // NaN past the end
  return (next === 62 || isWs(next)) && html.slice(at, at + name.length).toLowerCase() === name;
}

/**
 * The text being built. Text is appended in runs (slices), never a character at a time,
 * and whether it ends in a space is tracked here: asking the string (endsWith) would
 * flatten the growing rope on every tag, which made long HTML parts quadratic.
 */
class TextOut {
  text = '';
  private endsInSpace = false;

  append(s: string): void {
    if (s.length === 0) return;
    this.text += s;
    this.endsInSpace = s.charCodeAt(s.length - 1) === 32;
  }

  /** A tag: one space, unless the text is empty or already ends with one. */
  space(): void {
    if (this.text.length > 0 && !this.endsInSpace) {
      this.text += ' ';
      this.endsInSpace = true;
    }
  }
}

export function htmlText(html: string): string {
  const out = new TextOut();
  let i = 0;
  const n = html.length;
  while (i < n) {
    const c = html.charCodeAt(i);
    if (c === 38) {
      // "&": an entity name is at most 9 characters and ends with ";".
      let j = i + 1;
      while (j < n && j - i - 1 < 10 && html.charCodeAt(j) !== 59 && !isWs(html.charCodeAt(j))) j++;
      if (j >= n) break; // unterminated at the end: Dovecot waits for more input that never comes
      if (html.charCodeAt(j) !== 59 || j - i - 1 >= 10) {
        i++; // broken entity: the "&" alone is dropped
        continue;
      }
      out.append(entityText(html.slice(i + 1, j)));
      i = j + 1;
      continue;
    }
    if (c !== 60) {
      // Text up to the next "&" or "<" is copied as is.
      TEXT_RUN.lastIndex = i;
      TEXT_RUN.test(html);
      out.append(html.slice(i, TEXT_RUN.lastIndex));
      i = TEXT_RUN.lastIndex;
      continue;
    }
    const t = i + 1;
    const first = html.charCodeAt(t);
    if (first === 33 && html.startsWith('!--', t)) {
      const end = html.indexOf('--', t + 3);
      const close = end < 0 ? -1 : closeComment(html, end);
      if (close < 0) break;
      i = close;
    } else if ((first === 115 || first === 83) && (opens(html, t, 'script') || opens(html, t, 'style'))) {
      // ("s" or "S": both names start with it.)
      const endTag = opens(html, t, 'script') ? '</script>' : '</style>';
      const end = html.toLowerCase().indexOf(endTag, t);
      if (end < 0) break;
      out.space();
      i = end + endTag.length;
    } else if (first === 33 && html.slice(t, t + 8).toUpperCase() === '![CDATA[') {
      const end = html.indexOf(']]>', t + 8);
      if (end < 0) {
        out.append(html.slice(t + 8));
        break;
      }
      out.append(html.slice(t + 8, end));
      i = end + 3;
    } else {
      const end = tagEnd(html, t);
      if (end < 0) break;
      out.space();
      i = end + 1;
    }
  }
  return out.text;
}

/** After "--" inside a comment: the comment ends at the next ">" if only whitespace precedes it. */
function closeComment(html: string, dashes: number): number {
  let k = dashes + 2;
  for (;;) {
    while (k < html.length && isWs(html.charCodeAt(k))) k++;
    if (k >= html.length) return -1;
    if (html.charCodeAt(k) === 62) return k + 1;
    // Any other character reopens the comment (Dovecot consumes it).
    const next = html.indexOf('--', k + 1);
    if (next < 0) return -1;
    k = next + 2;
  }
}

/** The ">" ending a tag, skipping quoted attribute values (with backslash escapes); -1 when there is none. */
function tagEnd(html: string, from: number): number {
  TAG_BODY.lastIndex = from;
  return TAG_BODY.test(html) ? TAG_BODY.lastIndex - 1 : -1;
}
