/** vnd.mailsift.classify in Sieve: match types, :verdict, :probability, ${bucket}, spamtest backed by a model. */
import { describe, expect, it } from 'vitest';
import { SnapshotBuilder, modelOptions, type ModelSnapshot } from '../../src/classify/model-snapshot.js';
import { tokenizeRaw } from '../../src/classify/tokenize.js';
import { spamtestFromModel, type ClassifySettings } from '../../src/extensions/classify.js';
import { dryRun } from '../../src/runtime/dry-run.js';
import { message } from './helpers.js';

/** A model where "viagra" means spam and "meeting" ham, and "maybe" leans spam a little. */
function spamModel(name = 'spam'): ModelSnapshot {
  const b = new SnapshotBuilder(name, ['ham', 'spam'], [20, 20], modelOptions({}));
  b.add('viagra', 1, 20);
  b.add('cheap', 1, 18);
  b.add('meeting', 0, 20);
  b.add('agenda', 0, 18);
  b.add('maybe', 1, 4);
  b.add('maybe', 0, 2);
  return b.build();
}

function topicModel(): ModelSnapshot {
  const b = new SnapshotBuilder('topics', ['lists', 'receipts', 'work'], [5, 5, 5]);
  for (const [i, words] of [['patch', 'kernel'], ['invoice', 'order'], ['meeting', 'budget']].entries()) for (const w of words) b.add(w, i, 5);
  return b.build();
}

const SPAM = message({ body: 'viagra cheap viagra' });
const HAM = message({ body: 'meeting agenda' });
const MAYBE = message({ body: 'maybe' });

function settings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const models = new Map([['spam', spamModel()], ['topics', topicModel()]]);
  const classify: ClassifySettings = { models, default: 'spam' };
  return { classify, ...extra };
}

function actions(script: string, raw: Uint8Array, s = settings()) {
  const r = dryRun(script, raw, { settings: s });
  if (r.error) return r.error;
  return r.actions.map((a) => (a.type === 'fileinto' ? `fileinto ${a.mailbox}` : a.type));
}

const REQ = 'require ["vnd.mailsift.classify", "fileinto", "relational", "variables"];\n';

describe('classify: the winning bucket', () => {
  it.each([
    ['if classify "spam" { fileinto "Junk"; }', SPAM, ['fileinto Junk']],
    ['if classify "spam" { fileinto "Junk"; }', HAM, ['keep']],
    ['if classify ["ham", "x"] { fileinto "Inbox2"; }', HAM, ['fileinto Inbox2']],
    ['if classify :contains "pa" { fileinto "Junk"; }', SPAM, ['fileinto Junk']],
    ['if classify :matches "s*" { fileinto "S/${1}"; }', SPAM, ['fileinto S/pam']],
    ['if classify :is "SPAM" { fileinto "Junk"; }', SPAM, ['fileinto Junk']], // i;ascii-casemap
    ['if classify :comparator "i;octet" :is "SPAM" { fileinto "Junk"; }', SPAM, ['keep']],
    ['if classify :model "topics" "receipts" { fileinto "R"; }', message({ body: 'invoice order' }), ['fileinto R']],
    ['if not classify :model "topics" ["work", "lists"] { fileinto "R"; }', message({ body: 'invoice' }), ['fileinto R']],
  ])('%s', (script, raw, expected) => {
    expect(actions(REQ + script, raw)).toEqual(expected);
  });

  it('${bucket} holds the winner after the test (POPFile bucket → folder)', () => {
    const script = REQ + 'if classify :model "topics" :matches "*" { fileinto "Buckets/${bucket}"; }';
    expect(actions(script, message({ body: 'patch kernel' }))).toEqual(['fileinto Buckets/lists']);
    expect(actions(script, message({ body: 'meeting budget' }))).toEqual(['fileinto Buckets/work']);
  });

  it(':verdict says "unsure" in the band, the plain test still gives the winner', () => {
    const script = REQ + 'if classify :verdict "unsure" { fileinto "Unsure"; } elsif classify "spam" { fileinto "Junk"; }';
    expect(actions(script, MAYBE)).toEqual(['fileinto Unsure']);
    expect(actions(script, SPAM)).toEqual(['fileinto Junk']);
    expect(actions(REQ + 'if classify "spam" { fileinto "Junk"; }', MAYBE)).toEqual(['fileinto Junk']);
  });
});

describe('classify :probability', () => {
  it.each([
    ['if classify :value "ge" :probability "spam" "0.95" { fileinto "Junk"; }', SPAM, ['fileinto Junk']],
    ['if classify :value "ge" :probability "spam" "0.95" { fileinto "Junk"; }', MAYBE, ['keep']],
    ['if classify :value "lt" :probability "spam" "0.05" { fileinto "Clean"; }', HAM, ['fileinto Clean']],
    ['if classify :value "gt" :probability "" ".99" { fileinto "Sure"; }', HAM, ['fileinto Sure']], // "" = the winner
    ['if classify :is :probability "nosuch" "0" { fileinto "X"; }', HAM, ['keep']], // unknown bucket: false
    ['if classify :value "ge" :probability "spam" "1" { fileinto "X"; }', MAYBE, ['keep']],
    ['if classify :model "topics" :value "gt" :probability "work" "0.5" { fileinto "W"; }', message({ body: 'meeting' }), ['fileinto W']],
  ])('%s', (script, raw, expected) => {
    expect(actions(REQ + script, raw)).toEqual(expected);
  });

  it.each([
    ['if classify :contains :probability "spam" "0.9" { keep; }', 'unsupported-match'],
    ['if classify :comparator "i;octet" :value "ge" :probability "spam" "0.9" { keep; }', 'conflicting-tags'],
    ['if classify :value "ge" :probability "spam" "high" { keep; }', 'invalid-value'],
    ['if classify :value "ge" :probability "spam" "1.5" { keep; }', 'invalid-value'],
    ['if classify :verdict :probability "spam" "0.5" { keep; }', 'conflicting-tags'],
    ['if classify :value "ge" :probability "spam" ["0.5", "x"] { keep; }', 'invalid-value'],
  ])('compile error: %s → %s', (script, code) => {
    expect(actions(REQ + script, SPAM)).toMatchObject({ phase: 'compile', code, line: 2 });
  });
});

describe('classify: requirements and hosts', () => {
  it('needs require "vnd.mailsift.classify"', () => {
    expect(actions('if classify "spam" { discard; }', SPAM)).toMatchObject({ phase: 'compile', code: 'undeclared-capability' });
  });

  it('a model the host lacks is a runtime error: the message is kept', () => {
    expect(actions(REQ + 'if classify :model "nope" "spam" { discard; }', SPAM)).toMatchObject({ phase: 'runtime', code: 'host-error' });
    expect(dryRun(REQ + 'if classify "spam" { discard; }', SPAM, { settings: {} })).toMatchObject({ status: 'error', actions: [{ type: 'keep' }] });
  });

  it('classifies once per message however many tests ask', () => {
    let calls = 0;
    const m = spamModel();
    const counting = Object.create(m) as ModelSnapshot;
    counting.classify = (t, o) => (calls++, m.classify(t, o));
    const s = { classify: { models: new Map([['spam', counting]]) } };
    dryRun(REQ + 'if classify "ham" { keep; } if classify "spam" { keep; } if classify :verdict "unsure" { keep; }', SPAM, { settings: s });
    expect(calls).toBe(1);
  });
});

describe('spamtest and spamtestplus backed by a model (RFC 5235)', () => {
  const s = settings({ spamtest: spamtestFromModel('spam') });
  const script = 'require ["spamtestplus", "relational", "comparator-i;ascii-numeric", "fileinto"];\n';

  it.each([
    ['if spamtest :value "ge" :comparator "i;ascii-numeric" "9" { fileinto "Junk"; }', SPAM, ['fileinto Junk']],
    ['if spamtest :value "ge" :comparator "i;ascii-numeric" "9" { fileinto "Junk"; }', HAM, ['keep']],
    ['if spamtest :value "le" :comparator "i;ascii-numeric" "1" { fileinto "Clean"; }', HAM, ['fileinto Clean']],
    ['if spamtest :percent :value "ge" :comparator "i;ascii-numeric" "99" { fileinto "Junk"; }', SPAM, ['fileinto Junk']],
    ['if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "Zero"; }', HAM, ['fileinto Zero']],
  ])('%s', (src, raw, expected) => {
    expect(actions(script + src, raw, s)).toEqual(expected);
  });

  it('without the model setting, the header decides as before', () => {
    const raw = message({ body: 'viagra', headers: 'X-Spam-Score: 0' });
    expect(actions(script + 'if spamtest :value "ge" :comparator "i;ascii-numeric" "9" { fileinto "Junk"; }', raw, settings())).toEqual(['keep']);
    expect(tokenizeRaw(raw)).toContain('viagra');
  });
});
