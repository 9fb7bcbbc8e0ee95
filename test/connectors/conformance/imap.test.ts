/** The conformance suite (suite.ts) on IMAP: the daemon on a real Dovecot, filing into a second one. */
import { useDovecot } from '../../support/dovecot-fixture.js';
import { ImapSource } from './adapters/imap.js';
import { conformance } from './suite.js';

const src = useDovecot({ name: 'conformance-imap', notify: true });
const archive = useDovecot({ name: 'conformance-imap-archive', notify: false });

conformance('IMAP', (env) => new ImapSource({ src, archive }, env));
