/**
 * `npm run bench [-- SECTION...]`: runs the benchmark sections in order and prints one
 * table per section plus whether its goals are met. A section is a file bench/<name>.ts
 * exporting `run(): Promise<SectionResult>`; adding one is a file plus a line below.
 *
 * Exit code: 0 when every section ran (goals met or not: they are printed), 1 when a
 * section could not run (missing corpus or reference tool), 2 on a crash. With --strict,
 * an unmet goal also exits 1.
 */
import { BenchUnavailable, type SectionResult } from './section.js';

interface SectionEntry {
  readonly name: string;
  readonly what: string;
  readonly load: () => Promise<{ run(): Promise<SectionResult> }>;
}

const SECTIONS: readonly SectionEntry[] = [
  { name: 'rules', what: '40-rule script dry run over a Maildir vs Pigeonhole sieve-filter', load: () => import('./rules.js') },
  { name: 'classify', what: 'Bayes classifier: spam/ham vs bogofilter, 10 newsgroups vs crm114; quality and msg/s', load: () => import('./classify.js') },
  { name: 'imap', what: 'watching 97 mailboxes / 100k messages: nothing-new cost, APPEND→moved latency, RSS per account vs imapfilter', load: () => import('./imap.js') },
  { name: 'smtp', what: 'SMTP intake: 40-rule script, fsync\'d Maildir, 8 loopback clients, msg/s vs Dovecot LMTP + Sieve', load: () => import('./smtp.js') },
];

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function formatTable(result: SectionResult): string {
  const header = ['tool', 'messages', 'seconds', 'msg/s', 'peak RSS MB'];
  const lines = result.rows.map((r) => [
    r.tool,
    String(r.messages),
    r.seconds.toFixed(3),
    r.perSecond.toFixed(0),
    r.peakRssMB === null ? 'n/a' : r.peakRssMB.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: readonly string[]): string => cells.map((c, i) => pad(c, widths[i]!, i > 0)).join('  ');
  return [row(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(row)].join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const strict = args.includes('--strict');
  const wanted = args.filter((a) => !a.startsWith('--'));
  const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
  if (unknown.length > 0) {
    console.error(`unknown bench section(s): ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
    return 2;
  }
  let status = 0;
  for (const section of SECTIONS) {
    if (wanted.length > 0 && !wanted.includes(section.name)) continue;
    console.log(`\n== ${section.name}: ${section.what}`);
    let result: SectionResult;
    try {
      result = await (await section.load()).run();
    } catch (err) {
      if (err instanceof BenchUnavailable) {
        console.error(`bench ${section.name}: ${err.message}`);
        status = Math.max(status, 1);
        continue;
      }
      throw err;
    }
    console.log(formatTable(result));
    for (const note of result.notes) console.log(note);
    for (const goal of result.goals) {
      console.log(`goal ${goal.met ? 'MET    ' : 'NOT MET'}  ${goal.name}: ${goal.detail}`);
      if (!goal.met && strict) status = Math.max(status, 1);
    }
  }
  return status;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  },
);
