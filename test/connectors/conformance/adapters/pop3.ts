/**
 * POP3 in the conformance suite: the daemon polls a real Dovecot pop3d every second, with
 * `delete = "after-delivery"` and `deliver_to` an IMAP account on a second Dovecot (a fresh
 * mailbox per case is the keep). `fileinto` without `:account` files into the deliver_to
 * account; stopping that Dovecot makes it fail. A message whose delivery failed stays on the
 * POP3 server and is tried again at the next poll.
 */
import { Pop3Client } from '../../../../src/connectors/pop3/client.js';
import type { DovecotInstance } from '../../../support/dovecot.js';
import { Mailboxes } from '../../../daemon/helpers.js';
import { messageIdOf, testMessage, type TestMessage } from '../messages.js';
import type { ConformanceSource, Place } from '../suite.js';
import { DaemonRun } from './daemon-run.js';

export interface Pop3World {
  /** The POP3 server (alice's maildrop). */
  readonly src: DovecotInstance;
  /** The IMAP server of the deliver_to account. */
  readonly archive: DovecotInstance;
}

let cases = 0;

export class Pop3Source implements ConformanceSource {
  readonly traits = { acts: true, addsFinalCrlf: true };
  private readonly run = new DaemonRun('pop3');
  private readonly keepBox = `Conf-keep-${process.pid}-${++cases}`;
  private readonly archiveBoxes: Mailboxes;
  private pending: string[] = [];

  constructor(private readonly world: Pop3World) {
    this.archiveBoxes = new Mailboxes(world.archive);
  }

  fileinto(folder: string, options: { copy?: boolean } = {}): string {
    return `fileinto${options.copy ? ' :copy' : ''} :create "${folder}";`;
  }

  private async client(): Promise<Pop3Client> {
    return Pop3Client.connect({ name: 'conformance', host: '127.0.0.1', port: this.world.src.pop3Port, tls: 'none', user: 'alice', password: 'alice-secret', timeoutMs: 10_000 });
  }

  async start(rules: string): Promise<void> {
    // An empty maildrop: what an earlier case left must not run under these rules.
    const c = await this.client();
    for (const l of await c.uidl()) await c.dele(l.number);
    await c.quit();
    const password = this.run.secret('pop.password', 'alice-secret');
    const rulesFile = this.run.setup.file('pop.sieve', rules);
    await this.run.start({
      accounts: [{ name: 'archive', dovecot: this.world.archive }],
      watches: [],
      extra: `[accounts.pop]
type = "pop3"
host = "127.0.0.1"
port = ${this.world.src.pop3Port}
tls = "none"
user = "alice"
password_file = ${JSON.stringify(password)}
schedule = "* * * * * *"
delete = "after-delivery"
deliver_to = { account = "archive", mailbox = "${this.keepBox}" }

[[watch]]
account = "pop"
rules = ${JSON.stringify(rulesFile)}
start = "all"
`,
    });
  }

  async add(messages: readonly TestMessage[]): Promise<void> {
    for (const m of messages) {
      await this.world.src.append('alice', 'INBOX', m.raw);
      this.pending.push(m.subject);
    }
  }

  async settle(): Promise<void> {
    await this.run.handled(this.pending);
    this.pending = [];
  }

  /** Stop, start, and one more message through: once it is handled, a whole poll after the start has run. */
  async restart(): Promise<void> {
    await this.run.restart();
    await this.add([testMessage('crlf-8bit', 'marker')]);
    await this.settle();
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

  breakTarget(): Promise<void> {
    return this.world.archive.stop();
  }

  repairTarget(): Promise<void> {
    return this.world.archive.restart();
  }

  /** The next polls: a message added now is handled after every older one still on the server. */
  async retry(): Promise<void> {
    await this.add([testMessage('crlf-8bit', 'marker')]);
    await this.settle();
  }

  async dispose(): Promise<void> {
    await this.run.dispose();
    await this.archiveBoxes.close();
  }
}
