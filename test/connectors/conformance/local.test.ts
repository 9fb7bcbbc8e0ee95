/** The conformance suite (suite.ts) on the local sources, read by `mailsift test` (a dry run). */
import { conformance } from './suite.js';
import { localSource } from './adapters/local.js';

conformance('local Maildir', () => localSource('maildir'));
conformance('local mbox', () => localSource('mbox'));
conformance('local .eml directory', () => localSource('eml-dir'));
