/** The classifier's command line: train, untrain, classify (--json, --explain), model stats, test --model. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../support/run-cli.js';
import { FIXTURES, fixtureFiles, tempDir } from './helpers.js';

const dir = tempDir('mailsift-classify-cli-');
const model = join(dir, 'mail');

beforeAll(async () => {
  expect((await run('train', '--model', model, '--bucket', 'spam', join(FIXTURES, 'train', 'spam'))).code).toBe(0);
  expect((await run('train', '--model', model, '--bucket', 'ham', join(FIXTURES, 'train', 'ham'))).code).toBe(0);
});

describe('mailsift train / untrain', () => {
  it('prints a summary; training the same messages again changes nothing', async () => {
    const r = await run('train', '--model', model, '--bucket', 'ham', join(FIXTURES, 'train', 'ham'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^8 messages into ham: 8 already trained \(/);
    expect(r.stdout).toContain('model mail: ham 8, spam 8;');
  });

  it('reads an mbox; untrain takes messages out again', async () => {
    const other = join(dir, 'other');
    const mbox = join(dir, 'x.mbox');
    writeFileSync(mbox, 'From a@b Thu Aug 22 14:44:07 2002\nFrom: a@b\nSubject: one\n\nfirst message\n\nFrom a@b Thu Aug 22 14:45:07 2002\nFrom: a@b\nSubject: two\n\nsecond message\n');
    expect((await run('train', '--model', other, '--bucket', 'work', mbox)).stdout).toMatch(/^2 messages into work: 2 trained/);
    const u = await run('untrain', '--model', other, '--bucket', 'work', mbox);
    expect(u.stdout).toMatch(/^2 messages from work: 2 untrained/);
    expect(u.stdout).toContain('model other: work 0; 0 tokens');
  });

  it('usage errors: bad bucket name, untrain from an unknown bucket, no sources, missing model', async () => {
    expect(await run('train', '--model', model, '--bucket', 'a/b', join(FIXTURES, 'train', 'ham'))).toMatchObject({ code: 2, stderr: expect.stringContaining('invalid bucket name') });
    expect(await run('untrain', '--model', model, '--bucket', 'nope', join(FIXTURES, 'train', 'ham'))).toMatchObject({ code: 2, stderr: expect.stringContaining('no bucket "nope"') });
    expect((await run('train', '--model', model, '--bucket', 'ham')).code).toBe(2);
    expect(await run('classify', '--model', join(dir, 'missing'), join(FIXTURES, 'test'))).toMatchObject({ code: 2, stderr: expect.stringContaining('no model at') });
    expect((await run('train', '--model', model, '--bucket', 'ham', '--account', 'x')).stderr).toContain('--account and --mailbox go together');
  });
});

describe('mailsift classify', () => {
  it('--json prints one line per message in the documented shape', async () => {
    const r = await run('classify', '--model', model, '--json', join(FIXTURES, 'test', 'spam'), join(FIXTURES, 'test', 'ham'));
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(8);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['message', 'bucket', 'scores', 'unsure']);
      expect(line.bucket).toBe(line.message.includes('/spam/') ? 'spam' : 'ham');
      expect(line.scores.spam + line.scores.ham).toBeCloseTo(1, 3);
      expect(line.unsure).toBe(false);
    }
    expect(lines[0].message).toBe(fixtureFiles('test', 'spam')[0]);
  });

  it('--explain lists the weightiest tokens with their weights', async () => {
    const file = fixtureFiles('test', 'spam')[0]!;
    const j = JSON.parse((await run('classify', '--model', model, '--json', '--explain', file)).stdout);
    expect(j.clues.length).toBeGreaterThan(3);
    expect(j.clues[0]).toEqual({ token: expect.any(String), weight: expect.any(Number) });
    const human = await run('classify', '--model', model, '--explain', file);
    expect(human.stdout).toMatch(/spam-00\.eml: spam {2}\[spam 0\.9\d{3}, ham 0\.0\d{3}\]\n {4}\s*0\.\d{4} {2}\S+/);
    expect(human.stdout).toContain('1 message: 1 spam');
  });
});

describe('mailsift model stats', () => {
  it('lists buckets with message and token counts', async () => {
    const r = await run('model', 'stats', '--model', model);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^model mail \(/);
    expect(r.stdout).toMatch(/\nham +8 +\d+\n/);
    expect(r.stdout).toMatch(/\nspam +8 +\d+\n/);
    expect(r.stdout).toMatch(/\ntotal +16 +\d+\n/);
    const j = JSON.parse((await run('model', 'stats', '--model', model, '--json')).stdout);
    expect(j).toMatchObject({ name: 'mail', messages: 16, buckets: [{ name: 'ham', messages: 8 }, { name: 'spam', messages: 8 }] });
  });
});

describe('mailsift test --model', () => {
  it('dry-runs rules that classify, use ${bucket} and spamtest', async () => {
    const rules = join(dir, 'rules.sieve');
    writeFileSync(
      rules,
      'require ["vnd.mailsift.classify", "fileinto", "variables", "spamtest", "relational", "comparator-i;ascii-numeric"];\n' +
        'if spamtest :value "ge" :comparator "i;ascii-numeric" "9" { fileinto "Junk"; stop; }\n' +
        'if classify :matches "*" { fileinto "Buckets/${bucket}"; }\n',
    );
    const r = await run('test', '--json', '--model', model, rules, join(FIXTURES, 'test', 'spam', 'spam-00.eml'), join(FIXTURES, 'test', 'ham', 'ham-00.eml'));
    expect(r.code).toBe(0);
    const [spam, ham] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(spam.actions).toEqual([expect.objectContaining({ type: 'fileinto', mailbox: 'Junk' })]);
    expect(ham.actions).toEqual([expect.objectContaining({ type: 'fileinto', mailbox: 'Buckets/ham' })]);
  });

  it('without --model, classify is a runtime error and the message is kept', async () => {
    const rules = join(dir, 'rules2.sieve');
    writeFileSync(rules, 'require ["vnd.mailsift.classify", "fileinto"];\nif classify "spam" { fileinto "Junk"; }\n');
    const r = await run('test', '--json', rules, join(FIXTURES, 'test', 'spam', 'spam-00.eml'));
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'error', error: { code: 'host-error' }, actions: [{ type: 'keep' }] });
  });
});
