/**
 * Re-records Pigeonhole's canonical results into pigeonhole-results.json.
 *   npx tsx test/differential/record.ts            all cases (drops results of deleted cases)
 *   npx tsx test/differential/record.ts vacation   only cases whose name contains "vacation"
 * Prints each case's status and action types so a reviewer can eyeball the change.
 */
import { writeFileSync } from 'node:fs';
import { loadCases, loadSnapshot, SNAPSHOT_PATH, type Snapshot } from './cases.js';
import { pigeonholeVersion, runPigeonhole, sieveTestInstalled, SIEVE_TEST } from './pigeonhole.js';

if (!sieveTestInstalled()) {
  console.error(`${SIEVE_TEST} is not installed: apt-get install dovecot-sieve`);
  process.exit(2);
}
const filter = process.argv[2];
const old = loadSnapshot();
const all = loadCases();
const next: Snapshot = { pigeonhole: pigeonholeVersion(), cases: {} };
let changed = 0;
const started = Date.now();
for (const c of all) {
  if (c.mailsiftOnly) continue;
  if (filter && !c.name.includes(filter)) {
    if (old.cases[c.name]) next.cases[c.name] = old.cases[c.name]!;
    continue;
  }
  const r = runPigeonhole(c);
  next.cases[c.name] = r;
  const same = JSON.stringify(old.cases[c.name]) === JSON.stringify(r);
  if (!same) changed++;
  const summary = r.status === 'ok' ? r.actions.map((a) => a.type + ('implicit' in a && a.implicit ? '(implicit)' : '')).join(' ') : `error/${r.phase}`;
  console.log(`${same ? ' ' : '*'} ${c.name.padEnd(44)} ${summary}${r.diagnostics.length ? `  [${r.diagnostics.join(' | ')}]` : ''}`);
}
writeFileSync(SNAPSHOT_PATH, JSON.stringify(next, null, 2) + '\n');
console.log(`${Object.keys(next.cases).length} cases recorded (${changed} changed) in ${Date.now() - started} ms → ${SNAPSHOT_PATH}`);
