/**
 * `mailsift model stats --model DIR [--json]`: what a classifier model holds: its buckets
 * with their message and distinct-token counts, the total, the tokenizer version it was
 * trained with, and its decision constants (the unsure band).
 */
import { ModelStore } from '../classify/store/model-store.js';
import type { Output } from './io.js';

export async function modelStatsCommand(options: { readonly model: string; readonly json?: boolean }, out: Output): Promise<number> {
  const store = ModelStore.open(options.model, { readonly: true });
  try {
    const stats = store.stats();
    if (options.json) {
      out.stdout(JSON.stringify(stats) + '\n');
      return 0;
    }
    const width = Math.max(6, ...stats.buckets.map((b) => b.name.length));
    const lines = [
      `model ${stats.name} (${stats.file})`,
      `${'bucket'.padEnd(width)}  ${'messages'.padStart(9)}  ${'tokens'.padStart(9)}`,
      ...stats.buckets.map((b) => `${b.name.padEnd(width)}  ${String(b.messages).padStart(9)}  ${String(b.tokens).padStart(9)}`),
      `${'total'.padEnd(width)}  ${String(stats.messages).padStart(9)}  ${String(stats.tokens).padStart(9)}`,
    ];
    const o = stats.options;
    lines.push(
      stats.buckets.length === 2
        ? `two buckets: chi-square (Robinson–Fisher), unsure band [${o.hamCutoff}, ${o.spamCutoff}) of the positive bucket`
        : `${stats.buckets.length} buckets: complement naive Bayes, unsure below ${o.minProbability}`,
      `tokenizer version ${stats.tokenizer}`,
    );
    out.stdout(lines.join('\n') + '\n');
    return 0;
  } finally {
    store.close();
  }
}
