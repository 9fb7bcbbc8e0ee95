/**
 * POP3 in the conformance suite: the daemon polls a real Dovecot pop3d every second, with
 * `delete = "after-delivery"` and `deliver_to` an IMAP account on a second Dovecot (a fresh
 * mailbox per case is the keep). `fileinto` without `:account` files into the deliver_to
 * account; stopping that Dovecot makes it fail. A message whose delivery failed stays on the
 * POP3 server and is tried again at the next poll. POP3 ends every message with CRLF.
 */
import { Pop3Client } from '../../../../src/connectors/pop3/client.js';
import { pop3Toml } from '../../../pop3/helpers.js';
import { messageIdOf } from '../messages.js';
import type { ConformanceSource, Place, SourceEnv } from '../suite.js';
import { DaemonRun } from './daemon-run.js';
import { DovecotFedSource, type DovecotWorld } from './dovecot-fed.js';

let cases = 0;

export class Pop3Source extends DovecotFedSource implements ConformanceSource {
  private readonly keepBox = `Conf-keep-${process.pid}-${++cases}`;

  constructor(world: DovecotWorld, env: SourceEnv) {
    super(new DaemonRun('pop3', env), world, () => 'INBOX', true);
  }

  fileinto(folder: string, options: { copy?: boolean } = {}): string {
    return `fileinto${options.copy ? ' :copy' : ''} :create "${folder}";`;
  }

  private client(): Promise<Pop3Client> {
    return Pop3Client.connect({ name: 'conformance', host: '127.0.0.1', port: this.world.src.pop3Port, tls: 'none', user: 'alice', password: 'alice-secret', timeoutMs: 10_000 });
  }

  async start(rules: string): Promise<void> {
    // An empty maildrop: what an earlier case left must not run under these rules.
    const c = await this.client();
    for (const l of await c.uidl()) await c.dele(l.number);
    await c.quit();
    const passwordFile = this.run.secret('pop.password', 'alice-secret');
    const rulesFile = this.run.setup.file('pop.sieve', rules);
    const deliverTo = `{ account = "archive", mailbox = "${this.keepBox}" }`;
    await this.run.start({ accounts: [{ name: 'archive', dovecot: this.world.archive }], watches: [], extra: pop3Toml('pop', this.world.src, { passwordFile, rulesFile, schedule: '* * * * * *', deliverTo }) });
  }

  /** Stop, start, and a marker through: a whole poll after the start has run. */
  async restart(): Promise<void> {
    await this.run.restart();
    await this.marker();
  }

  at(place: Place): Promise<Buffer[]> {
    return this.archiveBoxes.raws(place === 'keep' ? this.keepBox : place);
  }

  /** Message-IDs still on the POP3 server (a fresh session: a session sees the maildrop as it was at login). */
  async waiting(): Promise<string[]> {
    const c = await this.client();
    try {
      const ids: string[] = [];
      for (const l of await c.uidl()) ids.push(messageIdOf(Buffer.from(await c.retr(l.number))) ?? '');
      return ids;
    } finally {
      await c.quit();
    }
  }

  async processed(): Promise<string[]> {
    return this.run.processed('pop');
  }

  /** The next polls: a marker added now is handled after every older message still on the server. */
  retry(): Promise<void> {
    return this.marker();
  }
}
