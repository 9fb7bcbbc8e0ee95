/**
 * Learning by moving, against a real Dovecot: a model trained from the classifier fixtures,
 * the daemon watching INBOX (ham) with the model's bucket folders Junk (spam) and INBOX.
 * A test client moves messages the way a mail program does (IMAP MOVE).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelStore } from '../../src/classify/store/model-store.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { buildStatus, formatStatus } from '../../src/cli/status-command.js';
import type { Config } from '../../src/config/types.js';
import { fixtureFiles, tempDir, trainFixtureModel, withMessageId } from '../classify/helpers.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { waitFor } from './helpers.js';

const RULES = `require ["fileinto"];
if header :is "x-route" "junk" { fileinto "Junk"; }
`;

/** A fixture with a Message-ID of our own (so each test message is distinct) and optional extra header. */
const variant = (file: string, id: string, extra = ''): Buffer => withMessageId(file, `${id}@learning.test`, extra);

describe('learning by moving (daemon + Dovecot)', () => {
  // One daemon for the block, started below: the second test relies on its learning positions.
  const env = useDaemonFixture({ notify: true, name: 'learning', mailboxes: ['Junk', 'Trash'], stopDaemon: 'after-all' });
  let modelDir: string;
  let config: Config;
  const logger = new MemoryLogger();

  /** The bucket a message is trained in, read from the model file. */
  function trainedAs(raw: Uint8Array): string | undefined {
    const m = ModelStore.open(modelDir, { readonly: true });
    try {
      const id = m.lookup(m.analyse(raw).key)?.bucket;
      return id === undefined ? undefined : m.bucketNames().find((b) => m.bucketId(b) === id);
    } finally {
      m.close();
    }
  }

  function classify(raw: Uint8Array): string {
    const m = ModelStore.open(modelDir, { readonly: true });
    try {
      return m.snapshot().classify(m.analyse(raw).tokens).bucket;
    } finally {
      m.close();
    }
  }

  async function move(from: string, id: string, to: string): Promise<void> {
    expect(await env.mail.move(from, `<${id}@learning.test>`, to)).toHaveLength(1);
  }

  beforeAll(async () => {
    modelDir = trainFixtureModel(join(tempDir('mailsift-learn-'), 'spam'));

    config = await env.setup('learning').write({
      accounts: [{ name: 'work', dovecot: env.d }],
      watches: [{ account: 'work', rules: RULES, start: 'new' }],
      extra: `[models.spam]\npath = ${JSON.stringify(modelDir)}\naccount = "work"\nbuckets = { spam = "Junk", ham = "INBOX" }\n`,
    });
    env.daemon = await startDaemon(config, { logger, backoff: { baseMs: 100, maxMs: 500 }, learnIntervalMs: 100 });
    // The learner has seen both folders once: from now on arrivals count.
    await waitFor('learning positions', () => {
      const m = ModelStore.open(modelDir, { readonly: true });
      try {
        return (m.db.prepare("SELECT count(*) AS n FROM meta WHERE key LIKE 'learned-from:%'").get() as { n: number }).n === 2;
      } finally {
        m.close();
      }
    });
  });

  it('the fixtures the test uses are classified ham and not trained', () => {
    for (const f of fixtureFiles('test', 'ham')) {
      expect(classify(readFileSync(f))).toBe('ham');
      expect(trainedAs(readFileSync(f))).toBeUndefined();
    }
  });

  it('a ham message the user moves into Junk is retrained as spam; a move into Trash teaches nothing; mailsift\'s own fileinto Junk is no user move', async () => {
    const [h0, h1, h2, h3] = fixtureFiles('test', 'ham');
    const toJunk = variant(h0!, 'to-junk');
    const toTrash = variant(h1!, 'to-trash');
    const byRule = variant(h2!, 'by-rule', 'X-Route: junk\r\n');
    const barrier = variant(h3!, 'barrier');
    expect(classify(byRule)).toBe('ham');

    await env.mail.append('INBOX', toJunk);
    await env.mail.append('INBOX', toTrash);
    await env.mail.append('INBOX', byRule);
    // The rules have run on all three (the third filed into Junk by the rule).
    await waitFor('rules ran on three messages', () => logger.messages.length >= 3, 20_000);
    expect(logger.messages.map((m) => m.actions.join('; '))).toEqual(['keep (implicit)', 'keep (implicit)', 'fileinto "Junk"']);
    // INBOX is the ham bucket: messages classified ham that arrive there teach nothing.
    expect(trainedAs(toJunk)).toBeUndefined();

    await move('INBOX', 'to-junk', 'Junk');
    await move('INBOX', 'to-trash', 'Trash');
    await waitFor('to-junk retrained as spam', () => trainedAs(toJunk) === 'spam', 20_000);
    const line = logger.events.find((e) => /retrained model "spam" ham -> spam/.test(e.text));
    expect(line?.fields).toMatchObject({ account: 'work', mailbox: 'Junk' });

    // A later user move is learned too: by then the learner has looked at everything before it.
    await env.mail.append('INBOX', barrier);
    await waitFor('barrier processed by the rules', () => logger.messages.length >= 4, 20_000);
    await move('INBOX', 'barrier', 'Junk');
    await waitFor('barrier retrained as spam', () => trainedAs(barrier) === 'spam', 20_000);

    expect(trainedAs(toTrash)).toBeUndefined();
    expect(trainedAs(byRule)).toBeUndefined();
    expect(logger.events.filter((e) => e.text.includes('retrained model'))).toHaveLength(2);

    // Visible in `mailsift status`.
    const report = buildStatus(config);
    expect(report.learned.map((l) => [l.mailbox, l.what])).toEqual([
      ['Junk', 'learn spam: ham -> spam'],
      ['Junk', 'learn spam: ham -> spam'],
    ]);
    expect(formatStatus(report, Date.now())).toMatch(/recent retrains[\s\S]*work Junk uid=\d+ .*learn spam: ham -> spam/);
  }, 90_000);
});
