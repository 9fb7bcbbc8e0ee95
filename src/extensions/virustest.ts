/**
 * virustest: RFC 5235 §3.3.
 *
 *   virustest [COMPARATOR] [MATCH-TYPE] <value>
 *
 * Compares the virus verdict: "0" not tested, "1" clean, "2" to "4" increasing
 * suspicion (e.g. a virus was removed), "5" infected. Read as Pigeonhole 0.5.19
 * reads sieve_virustest_* (see spamtest.ts, which shares the code); the default
 * is the reference setup: a text X-Virus-Scan header where "clean" is 1 and
 * "infected" is 5 (exact, case-sensitive; any other text gives "0"). With a
 * numeric setup the value is trunc(ratio * 4 + 1.001). A scanner can supply the
 * ratio instead: `settings.virustest.probability`. Status: complete.
 */
import { defineExtension, defineTest } from './define.js';
import { scoreRatio, scoreString, type ScoreTestSettings } from './spamtest.js';
import type { MatchSpec } from '../runtime/runtime.js';
import type { Str } from '../runtime/strings.js';

export type VirustestSettings = ScoreTestSettings;

export const VIRUSTEST_DEFAULTS: ScoreTestSettings = {
  header: 'X-Virus-Scan',
  type: 'text',
  textValues: { 1: 'clean', 5: 'infected' },
};

const virustestTest = defineTest<{ value: Str; match: MatchSpec }>({
  signature: { positional: [{ name: 'value', kind: 'string' }], match: true },
  lower: (call) => ({ value: call.positional[0]!.str!, match: call.match }),
  test(args, rt) {
    const verdict = scoreString(scoreRatio(rt, 'virustest', VIRUSTEST_DEFAULTS), 5, false);
    return rt.match(args.match, [verdict], [args.value]);
  },
});

export const virustest = defineExtension({
  name: 'virustest',
  spec: 'RFC 5235 §3.3',
  tests: { virustest: virustestTest },
});
