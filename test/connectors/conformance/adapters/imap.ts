/**
 * IMAP in the conformance suite: the daemon watches a fresh mailbox of a real Dovecot (one per
 * case, so a sweep sees only that case's mail). `fileinto` files into a second Dovecot (the
 * account "archive"), which is stopped to make it fail. The keep leaves a message in the
 * watched mailbox. A message whose action failed is committed as an error after the worker's
 * retries and stays there; `mailsift sweep` (the real CLI) is how it is tried again.
 */
import { main } from '../../../../src/cli/main.js';
import { Mailboxes, waitFor } from '../../../daemon/helpers.js';
import { messageIdOf } from '../messages.js';
import type { ConformanceSource, Place, SourceEnv } from '../suite.js';
import { DaemonRun } from './daemon-run.js';
import { DovecotFedSource, type DovecotWorld } from './dovecot-fed.js';

let cases = 0;

export class ImapSource extends DovecotFedSource implements ConformanceSource {
  private readonly mailbox: string;
  private readonly srcBoxes: Mailboxes;

  constructor(world: DovecotWorld, env: SourceEnv) {
    const mailbox = `Conf-${process.pid}-${++cases}`;
    super(new DaemonRun('imap', env), world, () => mailbox, false);
    this.mailbox = mailbox;
    this.srcBoxes = new Mailboxes(world.src);
  }

  fileinto(folder: string, options: { copy?: boolean } = {}): string {
    return `fileinto${options.copy ? ' :copy' : ''} :create :account "archive" "${folder}";`;
  }

  async start(rules: string): Promise<void> {
    await this.world.src.createMailbox('alice', this.mailbox);
    await this.run.start({
      accounts: [
        { name: 'src', dovecot: this.world.src },
        { name: 'archive', dovecot: this.world.archive },
      ],
      watches: [{ account: 'src', mailboxes: [this.mailbox], rules, start: 'all' }],
    });
    await this.connected();
  }

  private connected(): Promise<unknown> {
    return waitFor('the IMAP account connected', () => this.run.logger.events.some((e) => /^src: (re)?connected/.test(e.text)), 20_000);
  }

  /** Stop, start, and a marker through: the catch-up pass after the start has run. */
  async restart(): Promise<void> {
    await this.run.restart();
    await this.connected();
    await this.marker();
  }

  at(place: Place): Promise<Buffer[]> {
    return place === 'keep' ? this.srcBoxes.raws(this.mailbox) : this.archiveBoxes.raws(place);
  }

  async waiting(): Promise<string[]> {
    return (await this.srcBoxes.raws(this.mailbox)).map((raw) => messageIdOf(raw) ?? '');
  }

  async processed(): Promise<string[]> {
    return this.run.processed('src');
  }

  /** `mailsift sweep` over the watched mailbox: the ledger skips what was done. */
  async retry(): Promise<void> {
    let output = '';
    const out = { stdout: (t: string) => void (output += t), stderr: (t: string) => void (output += t) };
    const code = await main(['sweep', '--config', this.run.setup.configFile, '--account', 'src', '--mailbox', this.mailbox], out);
    if (code !== 0) throw new Error(`mailsift sweep exited ${code}: ${output}`);
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    await this.srcBoxes.close();
  }
}
