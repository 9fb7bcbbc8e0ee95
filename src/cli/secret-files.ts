/**
 * `mailsift config`'s look at the secret files the configuration names (`password_file`,
 * `auth_token_file`): a wrong path is the commonest mistake, and without this look it only
 * shows when the secret is first needed (an IMAP login, or the first SMS, hours later).
 *
 * Only files are looked at. A `*_command` is not run (it may prompt: pass, gpg-agent), and a
 * `*_env` variable is not checked (the daemon's environment, under systemd, is not this
 * shell's). The file's content is read into memory only to check it is not empty, never
 * printed. Each problem is a warning with the code and text the daemon would log.
 */
import type { Config, SecretRef } from '../config/types.js';
import { resolveSecret } from '../config/secrets.js';
import { MailsiftError } from '../errors.js';

interface SecretUse {
  readonly what: string;
  readonly file: string;
}

/** Every file secret of the configuration, labelled as the code that reads it labels it. */
function secretFiles(config: Pick<Config, 'accounts' | 'outgoing' | 'sms'>): SecretUse[] {
  const uses: SecretUse[] = [];
  const add = (ref: SecretRef | undefined, what: string): void => {
    if (ref?.kind === 'file') uses.push({ what, file: ref.file });
  };
  for (const a of Object.values(config.accounts)) {
    if (a.type === 'imap' || a.type === 'pop3') add(a.password, `password of account "${a.name}"`);
    if (a.type === 'smtp-intake') for (const u of a.users ?? []) add(u.password, `${a.name} user ${u.user}`);
    if (a.type !== 'maildir' && a.type !== 'mbox' && a.smtp?.user !== undefined) add(a.smtp.password, `[accounts.${a.name}.smtp] password of ${a.smtp.user}`);
  }
  if (config.outgoing?.user !== undefined) add(config.outgoing.password, `[outgoing] password of ${config.outgoing.user}`);
  if (config.sms) add(config.sms.authToken, '[sms] auth token');
  return uses;
}

/**
 * One line per secret file that cannot be used (`mailsift: warning: [SECRET_UNREADABLE] [sms]
 * auth token: cannot read …: no such file or directory`), and the permission advice the
 * daemon would give. Empty when every file is readable and not empty.
 */
export async function checkSecretFiles(config: Pick<Config, 'accounts' | 'outgoing' | 'sms'>): Promise<string[]> {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const use of secretFiles(config)) {
    const key = `${use.what}\u001f${use.file}`;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      await resolveSecret({ file: use.file }, use.what, { onWarning: (m) => lines.push(`mailsift: warning: ${m}`) });
    } catch (err) {
      if (!(err instanceof MailsiftError)) throw err;
      lines.push(`mailsift: warning: [${err.code}] ${err.message}`);
    }
  }
  return lines;
}
