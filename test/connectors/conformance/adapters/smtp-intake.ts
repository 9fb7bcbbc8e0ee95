/**
 * SMTP intake in the conformance suite: the daemon's listener on loopback, mail sent with
 * nodemailer, stored into a local Maildir account (keep: its INBOX; `fileinto "X"`: folder X).
 * The rules run during DATA, so a message is handled when the reply comes. A store that fails
 * is answered 451 and nothing is kept by the intake: the message waits with the client, and
 * sending it again is the retry. The intake puts Return-Path and Received above the message
 * (RFC 5321 §4.4); they are taken off before the bytes are compared.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transport } from '../../../smtp-intake/harness.js';
import type { TestMessage } from '../messages.js';
import type { ConformanceSource, Place, SourceEnv } from '../suite.js';
import { DaemonRun } from './daemon-run.js';
import { freePort } from '../../../support/free-port.js';

const RCPT = 'alice@example.test';

/** A port that was free a moment ago (the daemon binds it from its configuration). */

/** The stored bytes without the intake's Return-Path and Received fields. */
function withoutTrace(stored: Buffer): Buffer {
  const m = /^Return-Path: [^\r\n]*\r\nReceived: [^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/.exec(stored.toString('latin1'));
  if (!m) throw new Error(`no trace fields above the message: ${stored.toString('latin1', 0, 200)}`);
  return stored.subarray(m[0].length);
}

export class SmtpIntakeSource implements ConformanceSource {
  readonly traits = { acts: true, addsFinalCrlf: true };
  private readonly run: DaemonRun;
  private readonly maildir: string;
  private port = 0;
  /** Messages answered with an error, still with the client. */
  private unaccepted: TestMessage[] = [];

  constructor(env: SourceEnv) {
    this.run = new DaemonRun('smtp-intake', env);
    this.maildir = join(this.run.setup.dir, 'Maildir');
  }

  fileinto(folder: string, options: { copy?: boolean } = {}): string {
    return `fileinto${options.copy ? ' :copy' : ''} :create "${folder}";`;
  }

  async start(rules: string): Promise<void> {
    this.port = await freePort();
    const rulesFile = this.run.setup.file('intake.sieve', rules);
    await this.run.start({
      accounts: [],
      watches: [],
      extra: `[accounts.box]
type = "maildir"
path = ${JSON.stringify(this.maildir)}

[accounts.in]
type = "smtp-intake"
listen_host = "127.0.0.1"
listen_port = ${this.port}
recipients = ["${RCPT}"]
target_account = "box"

[[watch]]
account = "in"
rules = ${JSON.stringify(rulesFile)}
`,
    });
  }

  /** Send each message; one that is refused stays with the client. */
  async add(messages: readonly TestMessage[]): Promise<void> {
    const client = transport(this.port);
    try {
      for (const m of messages) {
        const ok = await client.sendMail({ envelope: { from: 'sender@example.test', to: [RCPT] }, raw: m.raw }).then(
          () => true,
          (err: { responseCode?: number }) => {
            if (err.responseCode === undefined || err.responseCode < 400 || err.responseCode >= 500) throw err;
            return false;
          },
        );
        if (!ok) this.unaccepted.push(m);
      }
    } finally {
      client.close();
    }
  }

  async settle(): Promise<void> {
    // The rules ran before the reply: every message sent is handled.
  }

  async restart(): Promise<void> {
    await this.run.restart();
  }

  async at(place: Place): Promise<Buffer[]> {
    const dir = place === 'keep' ? this.maildir : join(this.maildir, `.${place.split('/').join('.')}`);
    return ['new', 'cur'].flatMap((sub) => {
      const d = join(dir, sub);
      return existsSync(d) ? readdirSync(d).map((n) => withoutTrace(readFileSync(join(d, n)))) : [];
    });
  }

  async waiting(): Promise<string[]> {
    return this.unaccepted.map((m) => m.id);
  }

  async processed(): Promise<string[]> {
    return this.run.processed('in');
  }

  /** The Maildir's place taken by a plain file: every store fails. */
  async breakTarget(): Promise<void> {
    if (existsSync(this.maildir)) renameSync(this.maildir, `${this.maildir}.away`);
    writeFileSync(this.maildir, 'not a Maildir\n');
  }

  async repairTarget(): Promise<void> {
    rmSync(this.maildir);
    if (existsSync(`${this.maildir}.away`)) renameSync(`${this.maildir}.away`, this.maildir);
  }

  /** The client sends what was refused again. */
  async retry(): Promise<void> {
    const again = this.unaccepted;
    this.unaccepted = [];
    await this.add(again);
  }

  async dispose(): Promise<void> {
    await this.run.dispose();
  }
}
