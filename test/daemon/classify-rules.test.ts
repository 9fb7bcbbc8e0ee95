/**
 * Rules that use the classifier, run by the daemon against a real Dovecot: the
 * `[models.*]` of the configuration reach `classify` and `spamtest` (rule-settings.ts).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startDaemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { fixtureFiles, tempDir, trainFixtureModel, withMessageId } from '../classify/helpers.js';
import { useDaemonFixture } from './daemon-fixture.js';
import { waitFor } from './helpers.js';

const RULES = `require ["fileinto", "vnd.mailsift.classify", "variables", "spamtest", "relational", "comparator-i;ascii-numeric"];
if classify "spam" { fileinto "Buckets/\${bucket}"; stop; }
if spamtest :value "ge" :comparator "i;ascii-numeric" "8" { fileinto "HighScore"; }
`;

const withId = (file: string, id: string): Buffer => withMessageId(file, `${id}@classify-rules.test`);

describe('classify in daemon rules', () => {
  // One daemon for the block, started below.
  const env = useDaemonFixture({ notify: true, name: 'classify-rules', mailboxes: [], stopDaemon: 'after-all' });
  const { d } = env;
  const logger = new MemoryLogger();

  beforeAll(async () => {
    const modelDir = trainFixtureModel(join(tempDir('mailsift-classify-rules-'), 'spam'));
    const config = await env.setup('classify-rules').write({
      accounts: [{ name: 'work', dovecot: d }],
      watches: [{ account: 'work', rules: RULES, start: 'new' }],
      extra: `[models.spam]\npath = ${JSON.stringify(modelDir)}\naccount = "work"\n`,
    });
    env.daemon = await startDaemon(config, { logger, backoff: { baseMs: 100, maxMs: 500 } });
    // start = "new": only mail arriving after the daemon has taken its first look counts.
    await waitFor('first look at INBOX', () => logger.events.some((e) => /first start/.test(e.text)), 20_000);
  }, 60_000);

  it('files spam by the model\'s verdict and leaves ham alone', async () => {
    const spam = fixtureFiles('test', 'spam')[0]!;
    const ham = fixtureFiles('test', 'ham')[0]!;
    await d.append('alice', 'INBOX', withId(spam, 'spam-1'));
    await d.append('alice', 'INBOX', withId(ham, 'ham-1'));
    await waitFor('both processed', () => logger.messages.length >= 2, 20_000);
    const byId = (id: string) => logger.messages.find((m) => m.messageId?.includes(id))?.actions.join('; ');
    expect(byId('spam-1')).toMatch(/fileinto "Buckets\/spam"/);
    expect(byId('ham-1')).toBe('keep (implicit)');
  });
});
