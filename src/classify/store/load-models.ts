/**
 * Hosts (the CLI, the daemon) load models from their directories into snapshots and hand
 * them to the runtime as settings.classify (src/extensions/classify.ts). A model is named
 * after its directory; the first one given is the default.
 */
import type { ClassifySettings } from '../../extensions/classify.js';
import { spamtestFromModel } from '../../extensions/classify.js';
import type { ScoreTestSettings } from '../../extensions/spamtest.js';
import { MailsiftError } from '../../errors.js';
import type { ModelSnapshot } from '../model-snapshot.js';
import { ModelStore } from './model-store.js';

/** A read-only snapshot of the model in `dir`. Throws MODEL_UNAVAILABLE / MODEL_INVALID. */
export function loadSnapshot(dir: string, name?: string): ModelSnapshot {
  const store = ModelStore.open(dir, { readonly: true });
  try {
    return store.snapshot(name ?? store.name);
  } finally {
    store.close();
  }
}

/**
 * Settings for RunOptions.settings: `classify` with every model, and `spamtest` backed by
 * the default model's "spam" bucket when it has one (so RFC 5235 scripts use the model).
 */
export function classifierSettings(dirs: readonly string[]): { classify: ClassifySettings; spamtest?: ScoreTestSettings } {
  const models = new Map<string, ModelSnapshot>();
  for (const dir of dirs) {
    const snapshot = loadSnapshot(dir);
    if (models.has(snapshot.name)) {
      throw new MailsiftError('MODEL_INVALID', `two models named "${snapshot.name}" (models are named after their directory): ${dir}`);
    }
    models.set(snapshot.name, snapshot);
  }
  const first = models.values().next().value as ModelSnapshot | undefined;
  const classify: ClassifySettings = { models, default: first?.name };
  return first?.buckets.includes('spam') ? { classify, spamtest: spamtestFromModel(first.name, 'spam') } : { classify };
}
