/**
 * RFC 5322 §3.3 date-time parsing for the date test (RFC 5260 §4), done the way
 * Dovecot's message_date_parse() does it, since Pigeonhole relies on it:
 *
 *   [day-name ","] day month-name ([yy]yy) hour ":" minute [":" second] [zone]
 *
 * - tokens are RFC 5322 atoms; whitespace and (nested) comments between them are skipped,
 *   so "21 : 45" and "18 Mar 2024 (x) 21:45" parse, "21:45:30+0000" does not;
 * - the day name is not checked (only that a 3-character first token is followed by ",");
 *   the month name is matched on its first three letters, case-insensitively ("March");
 * - two-digit years are 19yy from 70 on and 20yy below (RFC 5322 §4.3 says 50);
 *   four-digit years before 1900 are refused, as are three-digit years;
 * - the hour may have one digit, minutes and seconds must have two; ":" or "." separate;
 * - a date that does not exist (31 Feb, 24:00, minute 60) is refused, second 60 becomes 59;
 * - zones: "+hhmm"/"-hhmm" with any four digits (no range check: "+0099" is 99 minutes),
 *   UT, GMT, the US zones EST/EDT/CST/CDT/MST/MDT/PST/PDT (last letter an upper-case "T"),
 *   military letters with their real-world sign (RFC 5322 §4.3 would make them -0000);
 *   anything else, or no zone at all, is +0000. Text after the zone is ignored.
 */

export interface ParsedDate {
  /** Seconds since the epoch (UTC). */
  readonly time: number;
  /** The zone written in the date, in minutes east of UTC. */
  readonly zone: number;
}

/** ASCII atext (RFC 5322 §3.2.3), by character code. */
const ATEXT = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~") ATEXT[c.charCodeAt(0)] = 1;

/** RFC 5322 atext; 8-bit characters count as atext, as in Dovecot. (A table: this runs per character.) */
function isAtext(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  return code > 0x7f || ATEXT[code] === 1;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DIGITS = /^[0-9]+$/;

class Tokens {
  pos = 0;
  constructor(private readonly s: string) {}

  get next(): string | undefined {
    return this.s[this.pos];
  }

  /** Skip whitespace and comments; false on an unterminated comment. */
  skipLwsp(): boolean {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
        this.pos++;
        continue;
      }
      if (c !== '(') return true;
      let depth = 0;
      for (; this.pos < s.length; this.pos++) {
        const d = s[this.pos];
        if (d === '\\') this.pos++;
        else if (d === '(') depth++;
        else if (d === ')' && --depth === 0) break;
      }
      if (this.pos >= s.length) return false;
      this.pos++;
    }
    return true;
  }

  /** The next atom ('' when there is none), or undefined on a broken comment. */
  atom(): string | undefined {
    if (!isAtext(this.next)) return '';
    const start = this.pos;
    while (isAtext(this.next)) this.pos++;
    const value = this.s.slice(start, this.pos);
    return this.skipLwsp() ? value : undefined;
  }

  /** A separator between hour, minute and second. */
  timeSep(): boolean {
    if (this.next !== ':' && this.next !== '.') return false;
    this.pos++;
    return this.skipLwsp();
  }
}

/** Standard-time offsets in hours of the US zone letters (EST, CST, MST, PST). */
const US_ZONES: Readonly<Record<string, number>> = { E: -5, C: -6, M: -7, P: -8 };

/** Minutes east of UTC for a zone token, by Dovecot's rules (0 for anything unknown). */
export function zoneOffset(z: string): number {
  if (z.length === 5 && (z[0] === '+' || z[0] === '-')) {
    if (!DIGITS.test(z.slice(1))) return 0;
    const m = Number(z.slice(1, 3)) * 60 + Number(z.slice(3));
    return z[0] === '+' ? m : -m;
  }
  if (z.length === 1) {
    // Military zones: A..I = +1..+9, K..M = +10..+12, N..Y = -1..-12, Z = 0. Dovecot
    // tests the upper-cased letter but computes with the letter as written, so a
    // lower-case letter gives an odd offset ("m" is +44 hours); kept for fidelity.
    const up = z.toUpperCase();
    const c = z.charCodeAt(0);
    if (up < 'J') return (c - 65 + 1) * 60;
    if (up === 'J') return 0;
    if (up <= 'M') return (c - 65) * 60;
    if (up < 'Z') return (77 - c) * 60;
    return 0;
  }
  if (z.length === 3 && z[2] === 'T') {
    const base = US_ZONES[z[0]!.toUpperCase()];
    const kind = z[1]!.toUpperCase();
    if (base !== undefined && kind === 'D') return (base + 1) * 60;
    if (base !== undefined && kind === 'S') return base * 60;
  }
  return 0; // UT, GMT and unknown zones
}

/**
 * The usual shape, "[Thu,] 22 Aug 2002 18:26[:25] +0700|EDT [(comment)]" with blanks between
 * the parts, read in one step: for it the tokenizer below finds exactly these atoms (each
 * group ends where an atom ends, and the comment is closed), so only the checks and the
 * arithmetic remain. Anything else (comments inside, no zone, text after it) goes the long way.
 */
const USUAL =
  /^[ \t]*(?:[A-Za-z]{3}[ \t]*,[ \t]*)?(\d{1,2})[ \t]+([A-Za-z]{3,})[ \t]+(\d{4}|\d{2})[ \t]+(\d{1,2})[ \t]*[:.][ \t]*(\d{2})(?:[ \t]*[:.][ \t]*(\d{2}))?[ \t]+([+-]\d{4}|[A-Za-z]{1,5})[ \t]*(?:\([^()\\]*\)[ \t]*)?$/;

/** Parse a date-time; undefined when it is not one. */
export function parseDateTime(text: string): ParsedDate | undefined {
  const m = USUAL.exec(text);
  if (m !== null) {
    const month = monthIndex(m[2]!);
    const year = fullYear(m[3]!);
    if (month < 0 || year === undefined) return undefined;
    return utcDate(year, month, Number(m[1]), Number(m[4]), Number(m[5]), m[6] === undefined ? 0 : Math.min(Number(m[6]), 59), zoneOffset(m[7]!));
  }
  const t = new Tokens(text);
  if (!t.skipLwsp()) return undefined;
  let tok = t.atom();
  if (!tok) return undefined;
  if (tok.length === 3) {
    // A day name: it must be followed by ",".
    if (t.next !== ',') return undefined;
    t.pos++;
    if (!t.skipLwsp() || !(tok = t.atom())) return undefined;
  }
  if (tok.length > 2 || !DIGITS.test(tok)) return undefined;
  const day = Number(tok);
  const monthTok = t.atom();
  const month = monthTok && monthTok.length >= 3 ? monthIndex(monthTok) : -1;
  if (month < 0) return undefined;
  const yearTok = t.atom();
  if (!yearTok || (yearTok.length !== 2 && yearTok.length !== 4) || !DIGITS.test(yearTok)) return undefined;
  const year = fullYear(yearTok);
  if (year === undefined) return undefined;
  const hourTok = t.atom();
  if (!hourTok || hourTok.length > 2 || !DIGITS.test(hourTok) || !t.timeSep()) return undefined;
  const minTok = t.atom();
  if (minTok === undefined || minTok.length !== 2 || !DIGITS.test(minTok)) return undefined;
  let second = 0;
  if (t.next === ':' || t.next === '.') {
    const secTok = t.timeSep() ? t.atom() : undefined;
    if (!secTok || secTok.length !== 2 || !DIGITS.test(secTok)) return undefined;
    second = Math.min(Number(secTok), 59);
  }
  const zoneTok = t.atom();
  if (zoneTok === undefined) return undefined;
  const zone = zoneTok === '' ? 0 : zoneOffset(zoneTok);
  return utcDate(year, month, day, Number(hourTok), Number(minTok), second, zone);
}

/** The month of a month name by its first three letters (any case), or -1. */
function monthIndex(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase());
}

/** A 2- or 4-digit year: 19yy from 70 on, 20yy below; undefined before 1900. */
function fullYear(digits: string): number | undefined {
  const year = Number(digits);
  if (digits.length === 2) return year + (year < 70 ? 2000 : 1900);
  return year < 1900 ? undefined : year;
}

function utcDate(year: number, month: number, day: number, hour: number, minute: number, second: number, zone: number): ParsedDate | undefined {
  const ms = Date.UTC(year, month, day, hour, minute, second);
  const d = new Date(ms);
  // Dovecot's utc_mktime() refuses dates that do not exist instead of normalising them.
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month || d.getUTCHours() !== hour || d.getUTCMinutes() !== minute) return undefined;
  return { time: ms / 1000 - zone * 60, zone };
}

/** A :zone argument or a configured local zone: exactly "+hhmm" or "-hhmm" (any digits). */
export function parseZoneArg(zone: string): number | undefined {
  return /^[+-][0-9]{4}$/.test(zone) ? zoneOffset(zone) : undefined;
}
