/**
 * Shared types of the differential suite: one case, the canonical action list
 * (mailsift's own dry-run JSON, also produced from Pigeonhole's report) and results.
 */

/** One action in mailsift's canonical dry-run JSON (see README.md). */
export type Action =
  | { type: 'keep'; implicit: boolean; flags: string[] }
  | { type: 'fileinto'; mailbox: string; flags: string[]; copy: boolean; create: boolean }
  | { type: 'redirect'; address: string; copy: boolean }
  | { type: 'discard' }
  | { type: 'reject'; reason: string }
  | { type: 'ereject'; reason: string }
  | {
      type: 'vacation';
      reason: string;
      subject?: string;
      from?: string;
      seconds: number;
      handle?: string;
      mime?: boolean;
    }
  | {
      type: 'notify';
      method: string;
      message?: string;
      importance?: number;
      from?: string;
      options?: string[];
    };

export type Phase = 'compile' | 'runtime';

/** What either engine says about one case, before normalisation. */
export interface EngineResult {
  status: 'ok' | 'error';
  actions: Action[];
  /** Set when status is 'error'. */
  phase?: Phase;
}

/** Pigeonhole's side: the canonical result plus the diagnostics it printed (warnings, errors). */
export interface PigeonholeResult extends EngineResult {
  /** stderr lines without the tool prefix and without the "final result" line. */
  diagnostics: string[];
}

/** case.json */
export interface CaseConfig {
  envelopeFrom: string;
  envelopeTo: string;
  /** Folders that exist besides INBOX (mailbox / mailboxexists cases). */
  mailboxes?: string[];
  /** 'actions': compare normalised action lists; 'status': compare only status+phase. */
  compare: 'actions' | 'status';
  /** Path of a shared message, relative to the case directory (else message.eml). */
  message?: string;
  /**
   * Why mailsift knowingly differs from Pigeonhole (pointing to docs/rules.md). With
   * `expected` the mailsift side is checked against that normalised result instead of
   * Pigeonhole's; without it the difference is reported but not failed.
   */
  intended?: string;
  /** A case Pigeonhole cannot run (e.g. ereject): only mailsift runs, against `expected`. */
  mailsiftOnly?: boolean;
  /** Normalised expectation for the mailsift side (mailsiftOnly / intended cases). */
  expected?: unknown;
  /**
   * vnd.dovecot.execute cases: program name → /bin/sh script body. Both engines run them from a
   * fresh directory (Pigeonhole's sieve_execute_bin_dir, mailsift's `[pipe] dir`).
   */
  programs?: Record<string, string>;
}

export interface DiffCase extends Omit<CaseConfig, 'message'> {
  /** Directory name under cases/, e.g. "core-01-keep". */
  name: string;
  dir: string;
  /** Script bytes exactly as in rules.sieve. */
  script: Buffer;
  /** Message bytes exactly as in the .eml file. */
  message: Buffer;
  mailboxes: string[];
}
