/**
 * environment: RFC 5183. The `environment` test over the items of §4.1:
 *
 *   environment [COMPARATOR] [MATCH-TYPE] <name: string> <keys: string-list>
 *
 * Built in: location "MS" and phase "post" (RFC 5183 §4.1: the daemon and dry runs
 * filter mail that is already in the message store, as sieve-test and sieve-filter
 * do; the SMTP intake passes "MTA" and "during"), name "mailsift", version (mailsift's). domain, host, remote-host
 * and remote-ip come from the host, which passes them, and any item of its own,
 * as `settings.environment` (a Record<string, string>); host values win over the
 * built-in ones. An item that is unknown or unset makes the test false whatever
 * the match type (even :count "eq" "0"), and item names are case-sensitive: both
 * as in Pigeonhole 0.5.19. Status: complete.
 *
 * Differences from Pigeonhole: its name is "Pigeonhole Sieve" and its version
 * 0.5.19; a script asking for those names the engine it runs on, so mailsift
 * tells the truth.
 */
import { defineExtension, defineTest } from './define.js';
import type { MatchSpec, Runtime } from '../runtime/runtime.js';
import type { Str } from '../runtime/strings.js';

/** mailsift's version, as reported by the "version" item (keep in step with package.json). */
export const MAILSIFT_VERSION = '0.1.0';

const BUILT_IN: Readonly<Record<string, string>> = {
  location: 'MS',
  name: 'mailsift',
  phase: 'post',
  version: MAILSIFT_VERSION,
};

/** The value of one item, or undefined when it is unknown or unset. */
export function environmentItem(rt: Runtime, name: string): string | undefined {
  const fromHost = rt.setting<Readonly<Record<string, string>>>('environment');
  if (fromHost && Object.hasOwn(fromHost, name) && typeof fromHost[name] === 'string') return fromHost[name];
  return Object.hasOwn(BUILT_IN, name) ? BUILT_IN[name] : undefined;
}

interface EnvironmentArgs {
  readonly name: Str;
  readonly keys: readonly Str[];
  readonly match: MatchSpec;
}

const environmentTest = defineTest<EnvironmentArgs>({
  signature: { positional: [{ name: 'name', kind: 'string' }, { name: 'keys', kind: 'string-list' }], match: true },
  lower: (call) => ({ name: call.positional[0]!.str!, keys: call.positional[1]!.list!, match: call.match }),
  test(args, rt) {
    const value = environmentItem(rt, rt.expand(args.name));
    return value !== undefined && rt.match(args.match, [value], args.keys);
  },
});

export const environment = defineExtension({
  name: 'environment',
  spec: 'RFC 5183',
  tests: { environment: environmentTest },
});
