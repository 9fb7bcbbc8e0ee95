/**
 * Differential suite: every case under cases/ runs through Pigeonhole's sieve-test (live) and
 * through mailsift's dry run; the normalised results must be equal unless case.json documents
 * the difference as `intended`. The live Pigeonhole result must also equal the recorded
 * snapshot (pigeonhole-results.json), so that a Pigeonhole upgrade is noticed.
 * See README.md.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/dsl/compile.js';
import { hostEnvironment } from '../../src/host/environment.js';
import { answerExecute } from '../../src/host/execute.js';
import { dryRun, dryRunHost, type DryRunOptions, type DryRunOutput } from '../../src/runtime/dry-run.js';
import { evaluateAsync } from '../../src/runtime/evaluate.js';
import { parseMessage } from '../../src/runtime/message/parse.js';
import { loadCases, loadSnapshot } from './cases.js';
import { normalize, type Normalized } from './normalize.js';
import { runPigeonhole, sieveTestInstalled, SIEVE_TEST, writeProgram } from './pigeonhole.js';
import type { Action, DiffCase, EngineResult } from './types.js';

const installed = sieveTestInstalled();
const snapshot = loadSnapshot();
const cases = loadCases();
/** One clock for the whole run: currentdate cases compare against the same "now" on both sides. */
const now = new Date();

const NOT_INSTALLED = `${SIEVE_TEST} is not installed: the differential suite needs Dovecot Pigeonhole ` +
  '(apt-get install dovecot-core dovecot-sieve; CI installs it). It is never skipped.';

const programDirs = mkdtempSync(join(tmpdir(), 'mailsift-diff-bin-'));
afterAll(() => rmSync(programDirs, { recursive: true, force: true }));

/**
 * An execute case: the dry run, but with a host that really runs the case's programs (as
 * `mailsift test --execute-dir` does), since sieve-test runs them too.
 */
async function runWithPrograms(c: DiffCase, options: DryRunOptions): Promise<DryRunOutput> {
  const source = c.script.toString('utf8');
  const compiled = compile(source);
  if (!compiled.ok) return dryRun(source, new Uint8Array(c.message), options);
  const dir = join(programDirs, c.name);
  mkdirSync(dir);
  for (const [name, body] of Object.entries(c.programs!)) writeProgram(join(dir, name), body);
  const programs = { dir, timeoutMs: 10_000, maxOutputBytes: 64 * 1024 };
  const envelope = { from: c.envelopeFrom, to: c.envelopeTo };
  const facts = dryRunHost({ mailboxes: c.mailboxes });
  const result = await evaluateAsync(compiled.plan, parseMessage(new Uint8Array(c.message)), { ...options, envelope }, (q) =>
    q.kind === 'execute' ? answerExecute(programs, q, envelope) : facts(q),
  );
  return { status: result.status, actions: result.actions, error: result.error, result };
}

async function runMailsift(c: DiffCase): Promise<EngineResult> {
  const options: DryRunOptions = {
    envelopeFrom: c.envelopeFrom,
    envelopeTo: c.envelopeTo,
    mailboxes: c.mailboxes,
    now,
    settings: { environment: hostEnvironment() },
  };
  const out = c.programs ? await runWithPrograms(c, options) : dryRun(c.script.toString('utf8'), new Uint8Array(c.message), options);
  return { status: out.status, actions: (out.actions ?? []) as Action[], phase: out.error?.phase };
}

describe('differential: mailsift vs Pigeonhole sieve-test', () => {
  it('sieve-test is installed', () => {
    if (!installed) throw new Error(NOT_INSTALLED);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const mailsift = normalize(await runMailsift(c), c.compare);
      if (c.mailsiftOnly) {
        // Pigeonhole cannot run these (e.g. ereject): the case states mailsift's expected result.
        expect(c.expected, `${c.name}: a mailsiftOnly case needs "expected"`).toBeDefined();
        expect(mailsift).toEqual(c.expected);
        return;
      }
      if (!installed) throw new Error(NOT_INSTALLED);
      const live = runPigeonhole(c);
      expect(live, `${c.name}: Pigeonhole's live result differs from pigeonhole-results.json ` +
        '(new Pigeonhole version or a changed case?): re-record with npx tsx test/differential/record.ts')
        .toEqual(snapshot.cases[c.name]);
      const reference: Normalized = normalize(live, c.compare);
      if (c.intended) {
        // A documented difference: mailsift must do what the case says it intends, and Pigeonhole
        // must still differ (else the note is stale).
        if (c.expected !== undefined) {
          expect(mailsift, `${c.name}: intended: ${c.intended}`).toEqual(c.expected);
          expect(reference, `${c.name}: "intended" is stale, Pigeonhole now agrees`).not.toEqual(c.expected);
        } else if (JSON.stringify(mailsift) !== JSON.stringify(reference)) {
          console.info(`${c.name}: intended difference (${c.intended})`);
        }
        return;
      }
      expect(mailsift, `${c.name}: mailsift differs from Pigeonhole`).toEqual(reference);
    });
  }
});
