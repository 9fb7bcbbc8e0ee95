/**
 * date: RFC 5260 §4-5. The date test (a date-part of a header field's date) and the
 * currentdate test (a date-part of "now", `rt.now`), both converted to a zone:
 * `:zone "+hhmm"`, `:originalzone` (date only: the zone written in the field), or by
 * default the local zone `rt.options.zone` ("+0000" when unset or invalid).
 * Dates are parsed as Dovecot does (lib/date-time.ts); a field that holds no date
 * makes the test false. For a Received-like field the date after the last ";" is used.
 *
 * Pigeonhole 0.5.19 behaviour followed: only the first field of the name is used;
 * an unknown date-part, an invalid :zone and an invalid header name are accepted at
 * compile time (Pigeonhole warns); at run time an unknown date-part makes the test
 * false whatever the match type (even :count), and an invalid zone means the local one.
 *
 * Deliberate difference: with the index extension, `:index`/`:last` select the field
 * as RFC 5260 §6 says; Pigeonhole 0.5.19 ignores them and always takes the first.
 * Status: complete.
 */
import { defineExtension, defineTest } from './define.js';
import { parseDateTime, parseZoneArg, type ParsedDate } from './lib/date-time.js';
import { lowerIndex, pickIndexed, type FieldIndex } from './lib/select.js';
// Not the message index: that would load html-to-text, which nothing here uses.
import { unfold } from '../runtime/message/header-fields.js';
import type { HeaderField } from '../runtime/message/types.js';
import type { MatchSpec, Runtime } from '../runtime/runtime.js';
import type { Str } from '../runtime/strings.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const DATE_PARTS = new Set(['year', 'month', 'day', 'date', 'julian', 'hour', 'minute', 'second', 'time', 'iso8601', 'std11', 'zone', 'weekday']);

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** "+hhmm"; hours may exceed 99 for odd zones ("+9999" is 100h39m), as printf does. */
function zoneText(offset: number, sep = ''): string {
  const abs = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${sep}${pad(abs % 60)}`;
}

/** Modified Julian Day by RFC 5260 Appendix A (with its erratum), integer arithmetic. */
function julian(year: number, month: number, day: number): number {
  let y = year;
  let m = month;
  if (m > 2) m -= 3;
  else {
    m += 9;
    y--;
  }
  const c = Math.trunc(y / 100);
  const ya = y - c * 100;
  const jd = Math.trunc((c * 146097) / 4) + Math.trunc((ya * 1461) / 4) + Math.trunc((m * 153 + 2) / 5) + day + 1721119;
  return jd - 2400001;
}

const ymd = (d: Date): string => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const hms = (d: Date): string => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** RFC 5260 §4.2 date-parts of a moment shown in a zone; undefined for an unknown part. Builds only the part asked for. */
export function datePart(part: string, time: number, zone: number): string | undefined {
  const d = new Date((time + zone * 60) * 1000);
  if (Number.isNaN(d.getTime())) return undefined;
  switch (part.toLowerCase()) {
    case 'year': return pad(d.getUTCFullYear(), 4);
    case 'month': return pad(d.getUTCMonth() + 1);
    case 'day': return pad(d.getUTCDate());
    case 'date': return ymd(d);
    case 'julian': return String(julian(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()));
    case 'hour': return pad(d.getUTCHours());
    case 'minute': return pad(d.getUTCMinutes());
    case 'second': return pad(d.getUTCSeconds());
    case 'time': return hms(d);
    // RFC 5260 §4.2: a zero offset is written "Z".
    case 'iso8601': return `${ymd(d)}T${hms(d)}${zone === 0 ? 'Z' : zoneText(zone, ':')}`;
    case 'std11': return `${WEEKDAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCFullYear(), 4)} ${hms(d)} ${zoneText(zone)}`;
    case 'zone': return zoneText(zone);
    case 'weekday': return String(d.getUTCDay());
    default: return undefined;
  }
}

/** No :zone/:originalzone, a :zone string, or :originalzone. */
type ZoneChoice = { readonly kind: 'local' } | { readonly kind: 'given'; readonly zone: Str } | { readonly kind: 'original' };

/** The last local zone setting and its offset: it is the same for every test of a run. */
let lastZone: { readonly setting: string; readonly offset: number } = { setting: '+0000', offset: 0 };

function localZone(rt: Runtime): number {
  const setting = rt.options.zone ?? '+0000';
  if (setting !== lastZone.setting) lastZone = { setting, offset: parseZoneArg(setting) ?? 0 };
  return lastZone.offset;
}

function wantedZone(choice: ZoneChoice, original: number, rt: Runtime): number {
  switch (choice.kind) {
    case 'local':
      return localZone(rt);
    case 'original':
      return original;
    case 'given':
      return parseZoneArg(rt.expand(choice.zone)) ?? localZone(rt);
  }
}

/** Parsed dates per field: a script tests the Date field several times (null: no date in it). */
const dateCache = new WeakMap<HeaderField, ParsedDate | null>();

function fieldDate(field: HeaderField): ParsedDate | undefined {
  let parsed = dateCache.get(field);
  if (parsed === undefined) {
    // Pigeonhole reads the field undecoded; a Received field's date follows its last ";".
    const value = unfold(field.raw);
    parsed = parseDateTime(value.slice(value.lastIndexOf(';') + 1)) ?? null;
    dateCache.set(field, parsed);
  }
  return parsed ?? undefined;
}

interface DateArgs {
  readonly header?: Str;
  readonly part: Str;
  readonly keys: readonly Str[];
  readonly match: MatchSpec;
  readonly zone: ZoneChoice;
  readonly index?: FieldIndex;
}

function evaluateDate(args: DateArgs, rt: Runtime): boolean {
  const part = rt.expand(args.part);
  // An unknown date-part makes the test false, whatever the match type (Pigeonhole).
  if (!DATE_PARTS.has(part.toLowerCase())) return false;
  let moment: { time: number; zone: number } | undefined;
  if (args.header === undefined) {
    moment = { time: Math.floor(rt.now.getTime() / 1000), zone: localZone(rt) };
  } else {
    const fields = rt.message.fieldsNamed(rt.expand(args.header));
    const field = args.index === undefined ? fields[0] : pickIndexed(fields, args.index)[0];
    if (field) moment = fieldDate(field);
  }
  const values: string[] = [];
  if (moment) {
    const v = datePart(part, moment.time, wantedZone(args.zone, moment.zone, rt));
    if (v !== undefined) values.push(v);
  }
  return rt.match(args.match, values, args.keys);
}

const dateTest = defineTest<DateArgs>({
  // date [<":zone" <time-zone: string>> / ":originalzone"] [COMPARATOR] [MATCH-TYPE]
  //      <header-name: string> <date-part: string> <key-list: string-list>
  signature: {
    positional: [{ name: 'header name', kind: 'string' }, { name: 'date part', kind: 'string' }, { name: 'keys', kind: 'string-list' }],
    tags: { zone: { arg: 'string', group: 'zone' }, originalzone: { group: 'zone' } },
    match: true,
  },
  lower(call, cx) {
    const index = lowerIndex(call, cx);
    if (index === false) return undefined;
    const zone = call.tag('zone');
    return {
      header: call.positional[0]!.str!,
      part: call.positional[1]!.str!,
      keys: call.positional[2]!.list!,
      match: call.match,
      zone: zone === undefined || zone === true ? (call.tag('originalzone') ? { kind: 'original' } : { kind: 'local' }) : { kind: 'given', zone: zone.str! },
      index,
    };
  },
  test: evaluateDate,
});

const currentdate = defineTest<DateArgs>({
  // currentdate [":zone" <time-zone: string>] [COMPARATOR] [MATCH-TYPE] <date-part: string> <key-list: string-list>
  signature: {
    positional: [{ name: 'date part', kind: 'string' }, { name: 'keys', kind: 'string-list' }],
    tags: { zone: { arg: 'string' } },
    match: true,
  },
  lower(call) {
    const zone = call.tag('zone');
    return {
      part: call.positional[0]!.str!,
      keys: call.positional[1]!.list!,
      match: call.match,
      zone: zone === undefined || zone === true ? { kind: 'local' } : { kind: 'given', zone: zone.str! },
    };
  },
  test: evaluateDate,
});

export const date = defineExtension({
  name: 'date',
  spec: 'RFC 5260',
  tests: { date: dateTest, currentdate },
});
