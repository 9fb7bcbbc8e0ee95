/** The conformance suite (suite.ts) on POP3: the daemon on a real Dovecot pop3d, delivering to a second Dovecot's IMAP. */
import { afterAll, beforeAll } from 'vitest';
import { startDovecot, type DovecotInstance } from '../../support/dovecot.js';
import { Pop3Source } from './adapters/pop3.js';
import { conformance } from './suite.js';

let src: DovecotInstance;
let archive: DovecotInstance;

beforeAll(async () => {
  [src, archive] = await Promise.all([startDovecot({ name: 'conformance-pop3' }), startDovecot({ name: 'conformance-pop3-archive', notify: false })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([src?.dispose(), archive?.dispose()]);
});

conformance('POP3', (env) => new Pop3Source({ src, archive }, env));
