/** The conformance suite (suite.ts) on the SMTP intake: the daemon's listener, nodemailer as the client, a Maildir target. */
import { SmtpIntakeSource } from './adapters/smtp-intake.js';
import { conformance } from './suite.js';

conformance('SMTP intake', (env) => new SmtpIntakeSource(env));
