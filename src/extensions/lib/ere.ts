/**
 * POSIX extended regular expressions (IEEE 1003.1 §9.4), as glibc's regcomp reads
 * them with REG_EXTENDED in the C locale (what Pigeonhole's :regex uses),
 * translated to a JavaScript RegExp source. Nothing of JS syntax leaks through:
 * `\d` is an escaped "d", `(?i)` and `a{` are errors, `a+?` is `(a+)?`.
 *
 * The pattern and the subject are byte strings (one char per UTF-8 octet, see
 * toByteString): like regcomp in the C locale, "." and bracket expressions match
 * single octets, and classes such as [:alpha:] are ASCII only. glibc details kept:
 * GNU escapes \w \W \s \S \b \B \< \> \` \'; back references \1..\9 to a closed
 * group; "{,n}"; ")" without "(" is literal; "*", "+", "?" and "{" with nothing to
 * repeat (also after an anchor) are errors. Case-insensitive matching works as
 * glibc's REG_ICASE does: pattern and subject are upper-cased (ASCII), except an
 * escaped character, so "\q" never matches then, and [:lower:]/[:upper:] mean
 * [:alpha:].
 *
 * Cost: JS regexes backtrack, so a repetition inside a repetition ("(a+)+",
 * "(a*b)*", "(x{2})*": star height above 1) can take exponential time. Those are
 * refused (`costly`), except plain stacked operators ("a**", "a+?"), which are
 * folded into one. Repetitions inside a bounded one ("([0-9]{1,3}\.){3}") are fine.
 */

export type EreResult =
  | { readonly ok: true; readonly source: string; readonly groups: number }
  | { readonly ok: false; readonly costly: boolean; readonly message: string };

const RE_DUP_MAX = 0x7fff;
const WORD = 'A-Za-z0-9_';

/** POSIX classes in the C locale, as JS class contents. */
const CLASSES: Readonly<Record<string, string>> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z',
  space: ' \\t\\n\\v\\f\\r', blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', print: ' -~',
  graph: '!-~', cntrl: '\\x00-\\x1f\\x7f', xdigit: '0-9A-Fa-f',
};

interface Node {
  readonly src: string;
  /** One JS atom: a quantifier can follow it without a group. */
  readonly atom: boolean;
  /** Holds a repetition that can match more than once (max ≥ 2). */
  readonly repeats: boolean;
  /** Holds a repetition without upper bound. */
  readonly unbounded: boolean;
  /** An assertion (^ $ \b ...): nothing may repeat it. */
  readonly anchor?: boolean;
}

interface Quant {
  readonly min: number;
  readonly max: number;
}

class EreError extends Error {
  constructor(message: string, readonly costly = false) {
    super(message);
  }
}

const hex = (c: number): string => `\\x${c.toString(16).padStart(2, '0')}`;
const literal = (c: string): string => (/[A-Za-z0-9]/.test(c) ? c : hex(c.charCodeAt(0)));
const upper = (c: string): string => (c >= 'a' && c <= 'z' ? c.toUpperCase() : c);
const leaf = (src: string, anchor = false): Node => ({ src, atom: true, repeats: false, unbounded: false, anchor });

export function translateEre(pattern: string, icase: boolean): EreResult {
  let i = 0;
  let groups = 0;
  const closed = new Map<number, Node>();
  const peek = (): string | undefined => pattern[i];
  const noPreceding = (): never => {
    throw new EreError('invalid preceding regular expression');
  };

  function alternation(depth: number): Node {
    // As glibc: a back reference sees only the groups closed before this
    // alternation or in its own branch, not those of a sibling branch.
    const initial = new Map(closed);
    const branches = [branch(depth)];
    while (peek() === '|') {
      i++;
      const accumulated = new Map(closed);
      closed.clear();
      for (const [k, v] of initial) closed.set(k, v);
      branches.push(branch(depth));
      for (const [k, v] of accumulated) closed.set(k, v);
    }
    if (branches.length === 1) return branches[0]!;
    return {
      src: branches.map((b) => b.src).join('|'),
      atom: false,
      repeats: branches.some((b) => b.repeats),
      unbounded: branches.some((b) => b.unbounded),
    };
  }

  function branch(depth: number): Node {
    const pieces: Node[] = [];
    for (let c = peek(); c !== undefined && c !== '|' && !(c === ')' && depth > 0); c = peek()) pieces.push(piece(depth));
    if (pieces.length === 1) return pieces[0]!;
    return {
      src: pieces.map((p) => p.src).join(''), // pieces never hold a top-level "|"
      atom: false,
      repeats: pieces.some((p) => p.repeats),
      unbounded: pieces.some((p) => p.unbounded),
    };
  }

  function piece(depth: number): Node {
    let node = atom(depth);
    let q: Quant | undefined;
    for (let next = quantifier(); next; next = quantifier()) {
      if (node.anchor) noPreceding();
      if (q && isSimple(q) && isSimple(next)) q = { min: Math.min(q.min, next.min), max: q.max === 1 && next.max === 1 ? 1 : Infinity };
      else {
        if (q) node = repeat(node, q);
        q = next;
      }
    }
    return q ? repeat(node, q) : node;
  }

  function quantifier(): Quant | undefined {
    const c = peek();
    if (c === '*' || c === '+' || c === '?') {
      i++;
      return { min: c === '+' ? 1 : 0, max: c === '?' ? 1 : Infinity };
    }
    if (c !== '{') return undefined;
    i++;
    const bound = (): number | undefined => {
      const m = /^[0-9]+/.exec(pattern.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      const n = Number(m[0]);
      if (n > RE_DUP_MAX) throw new EreError('regular expression too big');
      return n;
    };
    const min = bound();
    let max = min;
    if (peek() === ',') {
      i++;
      max = bound() ?? Infinity;
    }
    if (peek() === undefined) throw new EreError('unmatched \\{');
    if (peek() !== '}' || (min === undefined && max === undefined)) throw new EreError('invalid content of \\{\\}');
    i++;
    const q = { min: min ?? 0, max: max! };
    if (q.max < q.min) throw new EreError('invalid content of \\{\\}');
    return q;
  }

  function atom(depth: number): Node {
    const c = pattern[i++]!;
    switch (c) {
      case '*':
      case '+':
      case '?':
      case '{':
        return noPreceding();
      case '(': {
        const index = ++groups;
        const inner = alternation(depth + 1);
        if (peek() !== ')') throw new EreError('unmatched ( or \\(');
        i++;
        const node = { src: `(${inner.src})`, atom: true, repeats: inner.repeats, unbounded: inner.unbounded };
        closed.set(index, node);
        return node;
      }
      case '[':
        return leaf(bracket());
      case '.':
        return leaf('[\\s\\S]');
      case '^':
        return leaf('^', true);
      case '$':
        return leaf('$', true);
      case '\\':
        return escape();
      default:
        return leaf(literal(icase ? upper(c) : c));
    }
  }

  function escape(): Node {
    const c = pattern[i++];
    if (c === undefined) throw new EreError('trailing backslash');
    if (c >= '1' && c <= '9') {
      const group = closed.get(Number(c));
      if (!group) throw new EreError('invalid back reference');
      return { src: `(?:\\${c})`, atom: true, repeats: group.repeats, unbounded: group.unbounded };
    }
    switch (c) {
      case 'w':
        return leaf(`[${WORD}]`);
      case 'W':
        return leaf(`[^${WORD}]`);
      case 's':
        return leaf(`[${CLASSES.space}]`);
      case 'S':
        return leaf(`[^${CLASSES.space}]`);
      case 'b':
        return leaf('\\b', true);
      case 'B':
        return leaf('\\B', true);
      case '<':
        return leaf(`\\b(?=[${WORD}])`, true);
      case '>':
        return leaf(`\\b(?<=[${WORD}])`, true);
      case '`':
        return leaf('^', true);
      case "'":
        return leaf('$', true);
      default:
        // REG_ICASE upper-cases the subject but not an escaped character.
        return leaf(icase && c >= 'a' && c <= 'z' ? '[]' : literal(c));
    }
  }

  /** A bracket expression after its "[", as a JS character class. */
  function bracket(): string {
    const unmatched = (): never => {
      throw new EreError('unmatched [, [^, [:, [., or [=');
    };
    let negate = false;
    if (peek() === '^') {
      negate = true;
      i++;
    }
    const first = i;
    const items: string[] = [];
    /** One element: a character code, or a class's JS contents. */
    const element = (): number | { cls: string } => {
      const c = peek() ?? unmatched();
      const kind = pattern[i + 1];
      if (c === '[' && (kind === ':' || kind === '=' || kind === '.')) {
        const end = pattern.indexOf(`${kind}]`, i + 2);
        if (end < 0) unmatched();
        const name = pattern.slice(i + 2, end);
        i = end + 2;
        if (kind === ':') {
          const cls = CLASSES[icase && (name === 'upper' || name === 'lower') ? 'alpha' : name];
          if (cls === undefined) throw new EreError('invalid character class name');
          return { cls };
        }
        if (name.length !== 1) throw new EreError('invalid collation character');
        return (icase ? upper(name) : name).charCodeAt(0);
      }
      i++;
      return (icase ? upper(c) : c).charCodeAt(0);
    };
    do {
      const isFirst = i === first;
      const dash = peek() === '-';
      const start = element();
      if (peek() === '-' && pattern[i + 1] !== ']' && pattern[i + 1] !== undefined) {
        i++;
        const end = element();
        if (typeof start !== 'number' || typeof end !== 'number' || end < start) throw new EreError('invalid range end');
        items.push(`${hex(start)}-${hex(end)}`);
      } else if (typeof start === 'number') {
        // A "-" is literal first or last; elsewhere (after a range) glibc refuses it.
        if (dash && !isFirst && peek() !== ']') throw new EreError('invalid range end');
        items.push(hex(start));
      } else {
        items.push(start.cls);
      }
    } while (peek() !== ']');
    i++;
    return `[${negate ? '^' : ''}${items.join('')}]`;
  }

  function repeat(node: Node, q: Quant): Node {
    const repeating = q.max >= 2;
    const unbounded = q.max === Infinity;
    if ((unbounded && node.repeats) || (repeating && node.unbounded)) {
      throw new EreError('a repetition inside a repetition (star height above 1) can take exponential time; rewrite it without nesting', true);
    }
    const op =
      q.min === 0 && q.max === Infinity ? '*' : q.min === 1 && q.max === Infinity ? '+' : q.min === 0 && q.max === 1 ? '?' :
      q.max === Infinity ? `{${q.min},}` : q.min === q.max ? `{${q.min}}` : `{${q.min},${q.max}}`;
    return { src: `${node.atom ? node.src : `(?:${node.src})`}${op}`, atom: false, repeats: node.repeats || repeating, unbounded: node.unbounded || unbounded };
  }

  try {
    const root = alternation(0);
    return { ok: true, source: root.src, groups };
  } catch (err) {
    if (!(err instanceof EreError)) throw err;
    return { ok: false, costly: err.costly, message: err.message };
  }
}

function isSimple(q: Quant): boolean {
  return q.min <= 1 && (q.max === 1 || q.max === Infinity);
}
