/**
 * What the IMAP and POP3 adapters share: mail is put into a Dovecot mailbox of alice (the
 * watched mailbox, or the POP3 maildrop), the daemon handles it, and `fileinto` goes to a
 * second Dovecot ("archive"), stopped to make the target fail and started again to repair it.
 */
import type { DovecotInstance } from '../../../support/dovecot.js';
import { Mailboxes } from '../../../daemon/helpers.js';
import { testMessage, type TestMessage } from '../messages.js';
import type { DaemonRun } from './daemon-run.js';

export interface DovecotWorld {
  /** Where mail comes from (IMAP or POP3 of user alice). */
  readonly src: DovecotInstance;
  /** The fileinto target's server. */
  readonly archive: DovecotInstance;
}

export abstract class DovecotFedSource {
  readonly traits: { acts: true; addsFinalCrlf: boolean };
  protected readonly archiveBoxes: Mailboxes;
  private pending: string[] = [];

  constructor(
    protected readonly run: DaemonRun,
    protected readonly world: DovecotWorld,
    /** alice's mailbox that new mail is appended to. */
    private readonly inbox: () => string,
    addsFinalCrlf: boolean,
  ) {
    this.traits = { acts: true, addsFinalCrlf };
    this.archiveBoxes = new Mailboxes(world.archive);
  }

  async add(messages: readonly TestMessage[]): Promise<void> {
    for (const m of messages) {
      await this.world.src.append('alice', this.inbox(), m.raw);
      this.pending.push(m.subject);
    }
  }

  async settle(): Promise<void> {
    await this.run.handled(this.pending);
    this.pending = [];
  }

  /** One more message through: handled in order, so once it is, everything before it was looked at. */
  protected async marker(): Promise<void> {
    await this.add([testMessage('crlf-8bit', 'marker')]);
    await this.settle();
  }

  breakTarget(): Promise<void> {
    return this.world.archive.stop();
  }

  repairTarget(): Promise<void> {
    return this.world.archive.restart();
  }

  async dispose(): Promise<void> {
    await this.run.dispose();
    await this.archiveBoxes.close();
  }
}
