#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import v8 from 'node:v8';

// Defence in depth for :regex: where a pattern backtracks excessively, V8 switches to its
// linear-time engine instead of hanging the daemon (the compiler already refuses nested
// quantifiers; see docs/rules.md, regex).
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

const { main } = await import('../dist/cli/main.js');
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`mailsift: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 2; },
);
