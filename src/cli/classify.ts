/**
 * `mailsift classify --model DIR [--json] [--explain] SOURCE...`: the verdict of a model
 * on each message of .eml files, mbox files, Maildirs or directories. Nothing is changed.
 *
 * --json prints one object per line:
 *   {"message":path,"bucket":"spam","scores":{"spam":0.99,"ham":0.01},"unsure":false}
 * `bucket` is always the most probable bucket; `unsure` says the decision is in the
 * model's unsure band. --explain adds the tokens that weighed most ("clues") with their
 * weights (docs/classify.md says what a weight means for two and for more buckets).
 */
import type { Classification } from '../classify/model-snapshot.js';
import { loadSnapshot } from '../classify/store/load-models.js';
import { tokenHashesRaw, tokenizeRaw } from '../classify/tokenize.js';
import { readSource } from '../connectors/local/source.js';
import type { Output } from './io.js';

export interface ClassifyCliOptions {
  readonly model: string;
  readonly json?: boolean;
  readonly explain?: boolean;
  /** How many clues --explain lists. Default 15. */
  readonly clues?: number;
}

/** Scores are printed with 4 decimals: enough to see the band, short enough to read. */
function round(p: number): number {
  return Math.round(p * 10000) / 10000;
}

export async function classifyCommand(sources: readonly string[], options: ClassifyCliOptions, out: Output): Promise<number> {
  const model = loadSnapshot(options.model);
  const explain = options.explain ? (options.clues ?? 15) : undefined;
  const tally = new Map<string, number>();
  let unsure = 0;
  let n = 0;
  for (const path of sources) {
    for await (const msg of readSource(path)) {
      // Token text only when clues are shown; hashes are all the model needs.
      const result = model.classify(explain ? tokenizeRaw(msg.raw) : tokenHashesRaw(msg.raw), { explain });
      n++;
      tally.set(result.bucket, (tally.get(result.bucket) ?? 0) + 1);
      if (result.unsure) unsure++;
      out.stdout(options.json ? JSON.stringify(jsonLine(msg.id, result)) + '\n' : humanLines(msg.id, result));
    }
  }
  if (!options.json) {
    const summary = [...tally].sort((a, b) => b[1] - a[1]).map(([b, k]) => `${k} ${b}`).join(', ');
    out.stdout(`${n} message${n === 1 ? '' : 's'}: ${summary || 'none'}${unsure ? ` (${unsure} unsure)` : ''}\n`);
  }
  return 0;
}

function jsonLine(id: string, r: Classification): Record<string, unknown> {
  const scores = Object.fromEntries(Object.entries(r.scores).map(([b, p]) => [b, round(p)]));
  const line: Record<string, unknown> = { message: id, bucket: r.bucket, scores, unsure: r.unsure };
  if (r.clues) line['clues'] = r.clues.map((c) => ({ token: c.token, weight: round(c.weight) }));
  return line;
}

function humanLines(id: string, r: Classification): string {
  const scores = Object.entries(r.scores)
    .sort((a, b) => b[1] - a[1])
    .map(([b, p]) => `${b} ${round(p).toFixed(4)}`)
    .join(', ');
  const lines = [`${id}: ${r.bucket}${r.unsure ? ' (unsure)' : ''}  [${scores}]`];
  for (const c of r.clues ?? []) lines.push(`    ${round(c.weight).toFixed(4).padStart(8)}  ${c.token}`);
  return lines.join('\n') + '\n';
}
