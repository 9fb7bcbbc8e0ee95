#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
// V8 flags first, so that they apply to all of mailsift's code (bin/v8-flags.js says why each).
import './v8-flags.js';

const { main } = await import('../dist/cli/main.js');
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`mailsift: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 2; },
);
