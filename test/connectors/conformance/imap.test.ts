/** The conformance suite (suite.ts) on IMAP: the daemon on a real Dovecot, filing into a second one. */
import { afterAll, beforeAll } from 'vitest';
import { startDovecot, type DovecotInstance } from '../../support/dovecot.js';
import { ImapSource } from './adapters/imap.js';
import { conformance } from './suite.js';

let src: DovecotInstance;
let archive: DovecotInstance;

beforeAll(async () => {
  [src, archive] = await Promise.all([startDovecot({ name: 'conformance-imap', notify: true }), startDovecot({ name: 'conformance-imap-archive', notify: false })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([src?.dispose(), archive?.dispose()]);
});

conformance('IMAP', (env) => new ImapSource({ src, archive }, env));
