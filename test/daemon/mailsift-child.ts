/** The `mailsift` command for child-process tests: src/cli/main.ts through tsx, no build needed. */
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mailsift: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
