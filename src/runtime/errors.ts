/** Runtime errors of a script: the evaluation stops and the message falls back to implicit keep. */
import type { Span } from '../dsl/diagnostics.js';

export type RuntimeErrorCode =
  | 'too-many-actions'
  | 'too-many-redirects'
  | 'too-many-notifications'
  | 'too-many-steps'
  | 'too-many-variables'
  | 'action-conflict'
  | 'invalid-address'
  | 'invalid-mailbox'
  | 'invalid-flag'
  | 'invalid-notify-method'
  | 'invalid-header'
  | 'message-too-large'
  | 'regex-too-costly'
  | 'duplicate-conflict'
  | 'program-failed'
  | 'script-error'
  | 'host-error';

export class SieveRuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    readonly span?: Span,
  ) {
    super(message);
    this.name = 'SieveRuntimeError';
  }
}

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
