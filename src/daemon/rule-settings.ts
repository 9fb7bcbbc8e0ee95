/**
 * The settings every rule evaluation of the daemon gets (RunOptions.settings): the
 * environment items only the host knows, and the classifier models of
 * `[models.*]` for `classify` and a model-backed `spamtest`. Snapshots are loaded
 * when the configuration is applied and again after the daemon retrains a model.
 */
import { classifierSettings } from '../classify/store/load-models.js';
import type { Config } from '../config/types.js';
import { hostEnvironment } from '../host/environment.js';
import type { DaemonLogger } from './log.js';

export class RuleSettings {
  private dirs: string[] = [];
  private models: Record<string, unknown> = {};

  constructor(private readonly logger: DaemonLogger) {}

  configure(config: Config): void {
    this.dirs = Object.values(config.models).map((m) => m.path);
    this.refresh();
  }

  /** Reload the model snapshots (after a retrain). A model that cannot be read is left out, with one log line. */
  refresh(): void {
    if (!this.dirs.length) {
      this.models = {};
      return;
    }
    try {
      this.models = classifierSettings(this.dirs);
    } catch (err) {
      this.models = {};
      this.logger.event('error', `classifier models not loaded, classify tests will fail and keep the message: ${(err as Error).message}`, {});
    }
  }

  /** Settings for one evaluation; `environment` adds or overrides host items (the SMTP intake's MTA/during). */
  get(environment: Readonly<Record<string, string>> = {}): Readonly<Record<string, unknown>> {
    return { environment: hostEnvironment(environment), ...this.models };
  }
}
