/**
 * vacation: RFC 5230 (and :seconds from RFC 6131, see vacation-seconds.ts).
 *
 *   vacation [:days n | :seconds n] [:subject s] [:from s] [:addresses list]
 *            [:mime] [:handle s] <reason>
 *
 * The action is listed whenever the command runs; whether a reply really goes out
 * (RFC 5230 §4.5 and RFC 3834: not to lists, bulk mail, the null sender, the user
 * himself, or a sender answered within the period) is decided at delivery.
 *
 * Pigeonhole 0.5.19 behaviour we keep:
 * - period default 7 days; shorter periods are raised to the minimum of 1 day
 *   (`:days 0`, `:seconds 10` → 86400); no maximum (sieve_vacation_max_period = 0);
 *   all three are host settings (`settings.vacation`);
 * - a constant :from that is no address is a compile error; from a variable it is
 *   ignored (Pigeonhole logs an error and sends with the default sender);
 * - :addresses entries that are no address are ignored, never an error;
 * - the default :handle is reason + subject + from + mime as written in the script,
 *   exactly Pigeonhole's "r<default-subject><default-from><NO-MIME>" form (§4.2);
 * - a second vacation in one run is a runtime error (result.ts).
 * Status: complete.
 */
import { defineCommand, defineExtension, tagArgument, type Bound } from './define.js';
import { parseSieveAddress } from './notify-methods/address.js';
import type { Runtime } from '../runtime/runtime.js';
import { isConstant, type Str } from '../runtime/strings.js';

const DAY = 86_400;

/** Host settings under `settings.vacation`, all in seconds (Pigeonhole's sieve_vacation_*_period). */
export interface VacationSettings {
  /** Default period when neither :days nor :seconds is given. Default 7 days. */
  readonly defaultPeriod?: number;
  /** Shorter periods are raised to this. Default 1 day; 0 allows RFC 6131's `:seconds 0`. */
  readonly minPeriod?: number;
  /** Longer periods are cut to this; 0 means no maximum (the default). */
  readonly maxPeriod?: number;
}

interface VacationArgs {
  readonly reason: Str;
  readonly subject?: Str;
  readonly from?: Str;
  readonly addresses: readonly Str[];
  readonly mime: boolean;
  readonly handle: Str;
  readonly days?: number;
  readonly seconds?: number;
}

/** A string argument as written in the script (variables unexpanded), for the default handle. */
function written(b: Bound): string {
  return b.literals?.[0]?.value ?? '';
}

/** The period in seconds after Pigeonhole's clamping. */
export function vacationPeriod(rt: Runtime, args: { days?: number; seconds?: number }): number {
  const s = rt.setting<VacationSettings>('vacation') ?? {};
  const min = s.minPeriod ?? DAY;
  const max = s.maxPeriod ?? 0;
  let seconds = args.seconds ?? (args.days !== undefined ? args.days * DAY : s.defaultPeriod ?? 7 * DAY);
  if (seconds < min) seconds = min;
  if (max > 0 && seconds > max) seconds = max;
  return seconds;
}

const vacationCommand = defineCommand<VacationArgs>({
  signature: {
    positional: [{ name: 'reason', kind: 'string' }],
    tags: {
      days: { arg: 'number', group: 'period' },
      subject: { arg: 'string' },
      from: { arg: 'string' },
      addresses: { arg: 'string-list' },
      mime: {},
      handle: { arg: 'string' },
    },
  },
  lower(call, cx) {
    const reason = call.positional[0]!;
    const subject = tagArgument(call.tag('subject'));
    const from = tagArgument(call.tag('from'));
    if (from && isConstant(from.str!)) {
      const a = parseSieveAddress(from.str);
      if ('error' in a) {
        cx.error('invalid-value', from.span, `:from "${from.str}" is not a valid address: ${a.error}`);
        return undefined;
      }
    }
    const mime = call.tag('mime') !== undefined;
    const explicit = tagArgument(call.tag('handle'));
    // RFC 5230 §4.2: without :handle, replies with different texts are tracked apart.
    const handle = explicit?.str ??
      written(reason) + (subject ? written(subject) : '<default-subject>') + (from ? written(from) : '<default-from>') + (mime ? '<MIME>' : '<NO-MIME>');
    const days = tagArgument(call.tag('days'))?.num;
    const seconds = tagArgument(call.tag('seconds'))?.num;
    return {
      reason: reason.str!,
      subject: subject?.str,
      from: from?.str,
      addresses: tagArgument(call.tag('addresses'))?.list ?? [],
      mime,
      handle,
      ...(days === undefined ? {} : { days }),
      ...(seconds === undefined ? {} : { seconds }),
    };
  },
  run(args, rt) {
    const subject = args.subject === undefined ? undefined : rt.expand(args.subject);
    let from = args.from === undefined ? undefined : rt.expand(args.from);
    if (from !== undefined && 'error' in parseSieveAddress(from)) from = undefined;
    const addresses: string[] = [];
    for (const text of rt.expandList(args.addresses)) {
      const a = parseSieveAddress(text);
      if (!('error' in a)) addresses.push(a.address);
    }
    rt.addAction({
      type: 'vacation',
      reason: rt.expand(args.reason),
      ...(subject === undefined ? {} : { subject }),
      ...(from === undefined ? {} : { from }),
      addresses,
      mime: args.mime,
      handle: rt.expand(args.handle),
      ...(args.days === undefined ? {} : { days: args.days }),
      seconds: vacationPeriod(rt, args),
    });
  },
});

export const vacation = defineExtension({
  name: 'vacation',
  spec: 'RFC 5230',
  commands: { vacation: vacationCommand },
});
