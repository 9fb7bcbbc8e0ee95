/** The conformance suite (suite.ts) on POP3: the daemon on a real Dovecot pop3d, delivering to a second Dovecot's IMAP. */
import { useDovecot } from '../../support/dovecot-fixture.js';
import { Pop3Source } from './adapters/pop3.js';
import { conformance } from './suite.js';

const src = useDovecot({ name: 'conformance-pop3' });
const archive = useDovecot({ name: 'conformance-pop3-archive', notify: false });

conformance('POP3', (env) => new Pop3Source({ src, archive }, env));
