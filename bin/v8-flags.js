// The V8 flags of every mailsift process. bin/mailsift.js imports this before anything
// else loads; the rules bench worker (bench/rules-worker.ts) imports the same file, so the
// engine measured there is the engine users run. Flags set here at start-up take effect for
// code compiled afterwards, i.e. all of mailsift.
import v8 from 'node:v8';

export const V8_FLAGS = Object.freeze([
  // Defence in depth for :regex: where a pattern backtracks excessively, V8 switches to its
  // linear-time engine instead of hanging the daemon (the compiler already refuses nested
  // quantifiers; see docs/rules.md, regex).
  '--enable-experimental-regexp-engine-on-excessive-backtracks',
  // Less inlining in V8's optimising compiler (the default is 920 bytes of bytecode per
  // function). A run over a mailbox is short: before the first ~1,000 messages are done
  // the compiler has rebuilt a few hundred hot functions, each with its callees inlined,
  // on a background thread that competes for the CPU. With 200 it does ~30 % less work
  // (bench/rules: 0.43 s of background CPU instead of 0.65 s, ~15 % less CPU in all)
  // while a warm pass costs the same (measured; bench/README.md, section rules).
  '--max-inlined-bytecode-size-cumulative=200',
]);

for (const flag of V8_FLAGS) v8.setFlagsFromString(flag);
