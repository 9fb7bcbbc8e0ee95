/**
 * duplicate: RFC 7352.
 *
 *   duplicate [:handle s] [:header name | :uniqueid value] [:seconds n] [:last]
 *
 * Has this message (by its Message-ID, a header's value or an explicit id) been
 * seen before? The runtime cannot know: the test asks the host (a `duplicate`
 * HostQuery) and records the id in rt.state under DUPLICATE_STATE; the host stores
 * it only if the whole script succeeds (RFC 7352 §3: "only if the message is
 * delivered"). As in Pigeonhole 0.5.19:
 * - the default id is the first "<...@...>" of the first Message-ID field, without
 *   whitespace; no such id (or no header for :header) makes the test false, unrecorded;
 * - :header and :uniqueid exclude each other; a malformed :header name is no error
 *   (the test is just false);
 * - period default 12 h, cut to the maximum of 2 days (host settings);
 * - without :last an id already seen is not recorded again (its first expiry stays);
 *   with :last it is always recorded, which restarts the period (§3.3);
 * - the same check (id, handle, :last) twice in one run is a runtime error: 0.5.19
 *   fails there (newer Pigeonhole answers the first result again).
 * Status: complete.
 */
import { defineExtension, defineTest, tagArgument } from './define.js';
import { DUPLICATE_STATE, type DuplicateMark } from '../runtime/evaluate.js';
import type { HostRequest } from '../runtime/host.js';
import { messageIdOf } from '../runtime/message/message-id.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Str } from '../runtime/strings.js';

/** Host settings under `settings.duplicate`, in seconds (Pigeonhole's sieve_duplicate_*_period). */
export interface DuplicateSettings {
  /** Period when :seconds is not given. Default 12 hours. */
  readonly defaultPeriod?: number;
  /** Longer :seconds are cut to this; 0 means no maximum. Default 2 days. */
  readonly maxPeriod?: number;
}

/** Checks made in this run, to refuse a repeated one as Pigeonhole 0.5.19 does. */
const CHECKED_STATE = 'duplicate/checked';

interface DuplicateArgs {
  readonly handle?: Str;
  readonly header?: Str;
  readonly uniqueid?: Str;
  readonly seconds?: number;
  readonly last: boolean;
}

function uniqueValue(args: DuplicateArgs, rt: Runtime): string | undefined {
  if (args.uniqueid !== undefined) return rt.expand(args.uniqueid);
  if (args.header !== undefined) return rt.message.header(rt.expand(args.header))[0];
  const first = rt.message.header('message-id')[0];
  return first === undefined ? undefined : messageIdOf(first);
}

function period(rt: Runtime, seconds: number | undefined): number {
  const s = rt.setting<DuplicateSettings>('duplicate') ?? {};
  const max = s.maxPeriod ?? 2 * 86_400;
  const p = seconds ?? s.defaultPeriod ?? 12 * 3_600;
  return max > 0 && p > max ? max : p;
}

const duplicateTest = defineTest<DuplicateArgs>({
  signature: {
    positional: [],
    tags: {
      handle: { arg: 'string' },
      header: { arg: 'string', group: 'id' },
      uniqueid: { arg: 'string', group: 'id' },
      seconds: { arg: 'number' },
      last: {},
    },
  },
  lower: (call) => ({
    handle: tagArgument(call.tag('handle'))?.str,
    header: tagArgument(call.tag('header'))?.str,
    uniqueid: tagArgument(call.tag('uniqueid'))?.str,
    seconds: tagArgument(call.tag('seconds'))?.num,
    last: call.tag('last') !== undefined,
  }),
  asksHost: true,
  test(args, rt): boolean | HostRequest<boolean> {
    const id = uniqueValue(args, rt);
    if (id === undefined) return false;
    const handle = args.handle === undefined ? undefined : rt.expand(args.handle);
    // No :handle and :handle "" are different checks (Pigeonhole hashes "default" vs "h-").
    const key = JSON.stringify([handle ?? null, args.last, id]);
    let checked = rt.state.get(CHECKED_STATE) as Set<string> | undefined;
    if (!checked) rt.state.set(CHECKED_STATE, (checked = new Set()));
    if (checked.has(key)) {
      return rt.fail('duplicate-conflict', `the same duplicate test (id "${id}"${handle === undefined ? '' : `, handle "${handle}"`}) ran twice`);
    }
    checked.add(key);
    const seconds = period(rt, args.seconds);
    return {
      query: { kind: 'duplicate', id, handle: handle ?? '', seconds, last: args.last },
      resume(answer: unknown): boolean {
        const seen = answer === true;
        if (!seen || args.last) {
          let marks = rt.state.get(DUPLICATE_STATE) as DuplicateMark[] | undefined;
          if (!marks) rt.state.set(DUPLICATE_STATE, (marks = []));
          marks.push({ id, handle: handle ?? '', seconds });
        }
        return seen;
      },
    };
  },
});

export const duplicate = defineExtension({
  name: 'duplicate',
  spec: 'RFC 7352',
  tests: { duplicate: duplicateTest },
});
