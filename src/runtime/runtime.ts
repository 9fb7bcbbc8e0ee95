/**
 * The state of one evaluation: the message, the envelope, variables, flags and
 * the growing result. Extensions read and change it through this object only.
 */
import type { Action } from './actions.js';
import type { Comparator } from './comparators.js';
import { SieveRuntimeError, type RuntimeErrorCode } from './errors.js';
import type { Limits } from './limits.js';
import type { MatchType } from './match.js';
import type { EditableMessage, MessageView } from './message/types.js';
import { ResultBuilder } from './result.js';
import type { Str } from './strings.js';
import type { Span } from '../dsl/diagnostics.js';

export interface Envelope {
  /** MAIL FROM; '' for the null sender <>. */
  readonly from?: string;
  /** RCPT TO (the final recipient). */
  readonly to?: string;
  /** The authenticated submitter, when known. */
  readonly auth?: string;
}

/** A resolved match type with its comparator, as the compiler lowered it. */
export interface MatchSpec {
  readonly type: MatchType;
  readonly comparator: Comparator;
  readonly relation?: string;
}

export type TraceEvent =
  | { readonly kind: 'command'; readonly name: string; readonly line: number; readonly column: number }
  | {
      readonly kind: 'test';
      readonly name: string;
      readonly line: number;
      readonly column: number;
      readonly result: boolean;
      /** Values and keys of the last comparison the test made, decoded. */
      readonly compared?: { readonly values: readonly string[]; readonly keys: readonly string[]; readonly match: string; readonly comparator: string };
    }
  | { readonly kind: 'action'; readonly action: Action; readonly line: number }
  | { readonly kind: 'stop'; readonly line: number };

/** Inputs the host gives an evaluation. Everything the runtime knows of the world comes through here. */
export interface RunOptions {
  readonly envelope?: Envelope;
  /** "Now" for currentdate, vacation and duplicate; a dry run may fix it. */
  readonly now?: Date;
  /** Local zone for the date tests when no :zone is given, as "+hhmm". Default "+0000". */
  readonly zone?: string;
  readonly limits?: Partial<Limits>;
  readonly trace?: (event: TraceEvent) => void;
  /** Per-extension settings, keyed by extension name (e.g. spamtest, environment). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

function allConstant(keys: readonly Str[]): boolean {
  for (let i = 0; i < keys.length; i++) if (typeof keys[i] !== 'string') return false;
  return true;
}

export class Runtime {
  readonly result: ResultBuilder;
  readonly variables = new Map<string, string>();
  matchValues: string[] = [];
  /** The imap4flags internal variable (RFC 5232 §3); null when imap4flags is not in use. */
  flags: string[] | null = null;
  /** Extension-private state, keyed by the extension. */
  readonly state = new Map<string, unknown>();
  /** Where evaluation currently is, for runtime errors. */
  span: Span | undefined;
  /** Last comparison made, kept only while tracing. */
  lastCompared: { values: readonly string[]; keys: readonly string[]; match: string; comparator: string } | undefined;
  private steps = 0;
  private edited: EditableMessage | undefined;
  /** Sets the match variables; one closure per evaluation, and none without variables. */
  private readonly capture: ((groups: string[]) => void) | undefined;

  constructor(
    private baseMessage: MessageView,
    readonly envelope: Envelope,
    readonly options: RunOptions,
    readonly limits: Limits,
    readonly capabilities: ReadonlySet<string>,
  ) {
    this.result = new ResultBuilder(limits);
    this.capture = capabilities.has('variables')
      ? (groups) => {
          this.matchValues = groups;
        }
      : undefined;
  }

  /** The message as tests see it, with editheader changes. */
  get message(): MessageView {
    return this.edited ?? this.baseMessage;
  }

  /** The message for editheader to change (forked on first use). */
  editable(): EditableMessage {
    this.edited ??= this.baseMessage.fork();
    return this.edited;
  }

  get messageEdited(): boolean {
    return this.edited !== undefined;
  }

  get now(): Date {
    return this.options.now ?? new Date();
  }

  setting<T>(extension: string): T | undefined {
    return this.options.settings?.[extension] as T | undefined;
  }

  step(): void {
    if (++this.steps > this.limits.maxSteps) this.fail('too-many-steps', `more than ${this.limits.maxSteps} steps`);
  }

  fail(code: RuntimeErrorCode, message: string): never {
    throw new SieveRuntimeError(code, message, this.span);
  }

  /** Expand variable references (RFC 5229 §3); unknown variables expand to ''. */
  expand(s: Str): string {
    if (typeof s === 'string') return s;
    let out = '';
    for (const p of s.parts) {
      if (typeof p === 'string') out += p;
      else if (p.kind === 'var') out += this.variables.get(p.name) ?? '';
      else out += this.matchValues[p.index] ?? '';
    }
    return out;
  }

  expandList(list: readonly Str[]): string[] {
    return list.map((s) => this.expand(s));
  }

  /** Like expandList, but a list without variables is returned as it is (no copy): do not mutate. */
  strings(list: readonly Str[]): readonly string[] {
    return allConstant(list) ? (list as readonly string[]) : this.expandList(list);
  }

  /**
   * Run a match, setting ${0}..${9} on success when variables are in use (RFC 5229 §3.2).
   * `capture: false` for tests whose matches never set them (body, as in Pigeonhole).
   */
  match(spec: MatchSpec, values: readonly string[], keys: readonly Str[], options?: { readonly capture?: boolean }): boolean {
    // Constant keys are passed as the plan's own array: match types cache work per array (stableKeys).
    const expanded = this.strings(keys);
    if (this.options.trace) {
      this.lastCompared = { values, keys: expanded, match: spec.type.name, comparator: spec.comparator.name };
    }
    const capture = options?.capture === false ? undefined : this.capture;
    return spec.type.match(values, expanded, { comparator: spec.comparator, relation: spec.relation, capture, limits: this.limits, stableKeys: expanded === keys });
  }

  addAction(action: Action): void {
    this.result.add(action, this.span);
    if (this.options.trace && this.span) this.options.trace({ kind: 'action', action, line: this.span.line });
  }

  /** Flags for keep/fileinto without :flags: the internal variable's current value. */
  currentFlags(): string[] {
    return this.flags ? [...this.flags] : [];
  }
}
