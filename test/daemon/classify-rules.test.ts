/**
 * Rules that use the classifier, run by the daemon against a real Dovecot: the
 * `[models.*]` of the configuration reach `classify` and `spamtest` (rule-settings.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelStore } from '../../src/classify/store/model-store.js';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.js';
import { MemoryLogger } from '../../src/daemon/log.js';
import { startDovecot, type DovecotInstance } from '../support/dovecot.js';
import { fixtureFiles, tempDir } from '../classify/helpers.js';
import { TestSetup, waitFor } from './helpers.js';

const RULES = `require ["fileinto", "vnd.mailsift.classify", "variables", "spamtest", "relational", "comparator-i;ascii-numeric"];
if classify "spam" { fileinto "Buckets/\${bucket}"; stop; }
if spamtest :value "ge" :comparator "i;ascii-numeric" "8" { fileinto "HighScore"; }
`;

function withId(file: string, id: string): Buffer {
  const raw = readFileSync(file, 'latin1').replace(/^Message-ID:.*\r?\n/im, '');
  return Buffer.from(`Message-ID: <${id}@classify-rules.test>\r\n${raw}`, 'latin1');
}

describe('classify in daemon rules', () => {
  let d: DovecotInstance;
  let setup: TestSetup;
  let daemon: Daemon | undefined;
  const logger = new MemoryLogger();

  beforeAll(async () => {
    d = await startDovecot({ notify: true, name: 'classify-rules' });
    const modelDir = join(tempDir('mailsift-classify-rules-'), 'spam');
    const model = ModelStore.open(modelDir, { create: true });
    const batch = model.batch();
    for (const b of ['spam', 'ham'] as const) for (const f of fixtureFiles('train', b)) batch.train(b, readFileSync(f));
    batch.commit();
    model.close();
    setup = new TestSetup('classify-rules');
    const config = await setup.write({
      accounts: [{ name: 'work', dovecot: d }],
      watches: [{ account: 'work', rules: RULES, start: 'new' }],
      extra: `[models.spam]\npath = ${JSON.stringify(modelDir)}\naccount = "work"\n`,
    });
    daemon = await startDaemon(config, { logger, backoff: { baseMs: 100, maxMs: 500 } });
    // start = "new": only mail arriving after the daemon has taken its first look counts.
    await waitFor('first look at INBOX', () => logger.events.some((e) => /first start/.test(e.text)), 20_000);
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
    await d?.dispose();
    setup?.dispose();
  });

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
