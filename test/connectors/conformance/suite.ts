/**
 * The connector conformance suite (STYLE.md: several adapters, one shared suite). Every
 * message source runs these cases through its real path: IMAP (the daemon on a real
 * Dovecot), POP3 (the daemon on Dovecot pop3d), SMTP intake (the daemon's listener, mail sent
 * with nodemailer) and the local Maildir, mbox and .eml sources (`mailsift test`). README.md
 * in this directory lists the cases and what each source's traits mean.
 *
 *   conformance('POP3', (env) => new Pop3Source(world, env));   // one describe() with every case
 *
 * The rules are the same for every source; only the way to name the fileinto target differs
 * (`ConformanceSource.fileinto`): a POP3 message or an intake message has no mailbox of its
 * own, an IMAP message files into another account here so that the target can be broken.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { useSmtpSink } from '../../support/smtp-sink-fixture.js';
import { messageIdOf, SHAPES, testMessage, type TestMessage } from './messages.js';

export interface SourceTraits {
  /** False for a dry run (`mailsift test`): it reports what it would do and changes nothing. */
  readonly acts: boolean;
  /**
   * The protocol or format ends every message with a line end, so one that lacks it gets CRLF:
   * POP3 (RFC 1939 §3: the terminating "." line follows a CRLF), SMTP (RFC 5321 §4.1.1.4) and
   * mbox (a message ends with a line end before the separating blank line). Every other byte
   * must be the same.
   */
  readonly addsFinalCrlf: boolean;
}

/** What the suite gives every source it makes. */
export interface SourceEnv {
  /** Port of the suite's SMTP server on 127.0.0.1 (smtp-server, no TLS, no AUTH): the source's [outgoing]. */
  readonly outgoingPort: number;
}

/** Where a message is: the connector's keep, or a folder filed into. */
export type Place = 'keep' | string;

export interface ConformanceSource {
  readonly traits: SourceTraits;
  /** The Sieve command that files into `folder` of this source's target. */
  fileinto(folder: string, options?: { copy?: boolean }): string;
  /** Start taking mail with these rules (the daemon; for a dry run, just remember them). */
  start(rules: string): Promise<void>;
  /** Hand messages to the source: APPEND to the watched INBOX, put on the POP3 server, send by SMTP, write files. */
  add(messages: readonly TestMessage[]): Promise<void>;
  /** Until every message added so far has been handled once (or failed and was logged). */
  settle(): Promise<void>;
  /** Stop and start again, keeping the state (checkpoint, UIDLs, spool). */
  restart(): Promise<void>;
  /** The messages now at `place`, as stored (connector framing such as trace headers removed). */
  at(place: Place): Promise<Buffer[]>;
  /** Messages whose handling failed and that wait at the source (IMAP INBOX, POP3 server, SMTP client). */
  waiting(): Promise<string[]>;
  /** Subjects in the processed log, one per time a message was processed (a dry run: its last report). */
  processed(): Promise<string[]>;
  /** Make the fileinto target fail, and work again. */
  breakTarget(): Promise<void>;
  repairTarget(): Promise<void>;
  /** Try failed messages again, the source's way (a sweep, the next poll, the client sending again). */
  retry(): Promise<void>;
  dispose(): Promise<void>;
}

const RULES_HEAD = 'require ["fileinto", "mailbox", "copy", "body", "vnd.mailsift.account"];\n';

/** The bytes a source must hand over for `m`. */
function expected(m: TestMessage, traits: SourceTraits): Buffer {
  const ends = m.raw.subarray(-2).toString('latin1') === '\r\n';
  return traits.addsFinalCrlf && !ends ? Buffer.concat([m.raw, Buffer.from('\r\n')]) : m.raw;
}

/** The stored copies of `messages` at a place, by Message-ID (other cases' messages ignored). */
function copiesOf(stored: readonly Buffer[], messages: readonly TestMessage[]): Map<string, Buffer[]> {
  const ids = new Set(messages.map((m) => m.id));
  const out = new Map<string, Buffer[]>();
  for (const raw of stored) {
    const id = messageIdOf(raw);
    if (id === undefined || !ids.has(id)) continue;
    out.set(id, [...(out.get(id) ?? []), raw]);
  }
  return out;
}

/** Each of `messages` is at `place` exactly once, byte for byte. */
async function expectExactlyOnce(source: ConformanceSource, place: Place, messages: readonly TestMessage[]): Promise<void> {
  const copies = copiesOf(await source.at(place), messages);
  for (const m of messages) {
    const found = copies.get(m.id) ?? [];
    expect(found.length, `${m.shape} at ${place}`).toBe(1);
    const want = expected(m, source.traits);
    // Compare as latin1 text first for a readable diff, then the bytes.
    expect(found[0]!.toString('latin1'), `${m.shape} at ${place}`).toBe(want.toString('latin1'));
    expect(found[0]!.equals(want)).toBe(true);
  }
}

async function expectAbsent(source: ConformanceSource, place: Place, messages: readonly TestMessage[]): Promise<void> {
  expect([...copiesOf(await source.at(place), messages).keys()], `nothing of this case at ${place}`).toEqual([]);
}

export function conformance(name: string, makeSource: (env: SourceEnv) => ConformanceSource | Promise<ConformanceSource>): void {
  describe(`connector conformance: ${name}`, () => {
    let source: ConformanceSource | undefined;
    const sink = useSmtpSink();
    /** A fresh source (its own state) running `rules(source)`. */
    const open = async (rules: (s: ConformanceSource) => string): Promise<ConformanceSource> => {
      const s = await makeSource({ outgoingPort: sink.port });
      source = s;
      await s.start(RULES_HEAD + rules(s));
      return s;
    };
    const waitingOf = async (s: ConformanceSource, messages: readonly TestMessage[]) => (await s.waiting()).filter((id) => messages.some((m) => m.id === id));
    afterEach(async () => {
      await source?.dispose();
      source = undefined;
    });

    it('delivers every message exactly once and byte for byte: fileinto to its folder, the rest to the keep', async () => {
      const filed = SHAPES.map((shape) => testMessage(shape, 'exact', { file: true }));
      const kept = SHAPES.map((shape) => testMessage(shape, 'exact'));
      const s = await open((src) => `if header :contains "subject" "[file]" { ${src.fileinto('Conf-filed')} }\n`);
      await s.add(filed.flatMap((f, i) => [f, kept[i]!]));
      await s.settle();
      await expectExactlyOnce(s, 'Conf-filed', filed);
      await expectExactlyOnce(s, 'keep', kept);
      await expectAbsent(s, 'keep', filed);
      await expectAbsent(s, 'Conf-filed', kept);
    });

    it('processes each message once across restarts', async () => {
      const before = [testMessage('crlf-8bit', 'restart'), testMessage('dot-lines', 'restart')];
      const after = [testMessage('no-final-newline', 'restart')];
      const all = [...before, ...after];
      const s = await open((src) => `${src.fileinto('Conf-copies', { copy: true })}\n`);
      await s.add(before);
      await s.settle();
      await s.restart();
      await s.add(after);
      await s.settle();
      await s.restart();
      await s.settle();
      if (s.traits.acts) await expectExactlyOnce(s, 'Conf-copies', all);
      await expectExactlyOnce(s, 'keep', all);
      // Processed once: in the processed log (for a dry run, which keeps no log: in its last report).
      const subjects = await s.processed();
      for (const m of all) expect(subjects.filter((x) => x === m.subject).length, m.subject).toBe(1);
    });

    it('processes malformed MIME (a body test reads it) instead of dropping it', async () => {
      const m = testMessage('malformed-mime', 'mime');
      const s = await open((src) => `if body :text :contains "needle" { ${src.fileinto('Conf-mime')} }\n`);
      await s.add([m]);
      await s.settle();
      await expectExactlyOnce(s, 'Conf-mime', [m]);
      await expectAbsent(s, 'keep', [m]);
    });

    it('a failing fileinto keeps the message (nothing lost); retries deliver it once and send its redirect once', async () => {
      const m = testMessage('dot-lines', 'fail', { file: true });
      const sent = () => sink.messages.filter((x) => x.raw.includes(m.id)).map((x) => x.to.join(','));
      const s = await open((src) => `redirect :copy "audit@example.test";\nif header :contains "subject" "[file]" { ${src.fileinto('Conf-retry')} }\n`);
      if (!s.traits.acts) {
        // A dry run runs no action, so nothing can fail: it reports the fileinto, sends
        // nothing, and the message stays in the source untouched.
        await s.add([m]);
        await s.settle();
        await expectExactlyOnce(s, 'Conf-retry', [m]);
        expect(await waitingOf(s, [m])).toEqual([m.id]);
        expect(sent()).toEqual([]);
        return;
      }
      await s.breakTarget();
      await s.add([m]);
      await s.settle();
      expect(await waitingOf(s, [m]), 'the message waits at the source').toEqual([m.id]);
      expect(sent().length, 'sent at most once, whether before the failed store or not').toBeLessThanOrEqual(1);
      await s.repairTarget();
      await expectAbsent(s, 'Conf-retry', [m]);
      await s.retry();
      await s.retry(); // a second try must not store or send it again
      await expectExactlyOnce(s, 'Conf-retry', [m]);
      await expectAbsent(s, 'keep', [m]);
      expect(await waitingOf(s, [m])).toEqual([]);
      expect(sent()).toEqual(['audit@example.test']);
    });
  });
}
