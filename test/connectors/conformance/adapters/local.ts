/**
 * The local sources (a Maildir, an mbox file, a directory of .eml files) in the conformance
 * suite. They are read by `mailsift test` (the real CLI, in-process), which is a dry run: it
 * reports what the rules would do and changes nothing, so `at(place)` is where the report
 * says each message would go, with the bytes the connector read for it.
 *
 * Messages are written the way mailsift itself stores mail (deliverToMaildir, storeInMbox),
 * or as plain .eml files.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeInMbox } from '../../../../src/actions/local-store.js';
import { main } from '../../../../src/cli/main.js';
import { deliverToMaildir } from '../../../../src/connectors/local/maildir-write.js';
import { readSource } from '../../../../src/connectors/local/source.js';
import { messageIdOf, type TestMessage } from '../messages.js';
import type { ConformanceSource, Place } from '../suite.js';

export type LocalKind = 'maildir' | 'mbox' | 'eml-dir';

interface Reported {
  readonly message: string;
  readonly status: string;
  readonly actions: readonly { type: string; mailbox?: string; copy?: boolean }[];
}

export function localSource(kind: LocalKind): ConformanceSource {
  const dir = mkdtempSync(join(tmpdir(), `mailsift-conformance-${kind}-`));
  const path = join(dir, kind === 'maildir' ? 'Maildir' : kind === 'mbox' ? 'mail.mbox' : 'eml');
  const rulesFile = join(dir, 'rules.sieve');
  let written = 0;
  /** The report of the latest run: the dry run keeps nothing between runs. */
  let report: Reported[] = [];

  async function run(): Promise<void> {
    let stdout = '';
    let stderr = '';
    const code = await main(['test', '--json', rulesFile, path], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    if (code !== 0) throw new Error(`mailsift test exited ${code}: ${stderr}${stdout}`);
    report = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Reported);
  }

  /** The bytes the connector hands over, by its message id (path, or path#N for an mbox). */
  async function read(): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for await (const m of readSource(path)) out.set(m.id, Buffer.from(m.raw));
    return out;
  }

  return {
    traits: { acts: false, addsFinalCrlf: kind === 'mbox' },
    fileinto: (folder, options = {}) => `fileinto${options.copy ? ' :copy' : ''} :create "${folder}";`,
    async start(rules) {
      writeFileSync(rulesFile, rules);
      if (kind === 'eml-dir') mkdirSync(path);
    },
    async add(messages: readonly TestMessage[]) {
      for (const m of messages) {
        if (kind === 'maildir') await deliverToMaildir(path, 'INBOX', m.raw, { create: true });
        else if (kind === 'mbox') await storeInMbox(path, m.raw, { flags: [], date: new Date('2026-01-08T09:15:02Z') });
        else writeFileSync(join(path, `${++written}.eml`), m.raw);
      }
    },
    settle: run,
    async restart() {
      // Nothing runs between dry runs; the next settle() is a new run.
    },
    async at(place: Place) {
      const bytes = await read();
      const out: Buffer[] = [];
      for (const r of report) {
        const filed = r.actions.filter((a) => a.type === 'fileinto').map((a) => a.mailbox);
        const kept = r.actions.some((a) => a.type === 'keep') || r.actions.length === 0;
        if ((place === 'keep' && kept) || filed.includes(place)) out.push(bytes.get(r.message)!);
      }
      return out;
    },
    async waiting() {
      return [...(await read()).values()].map((raw) => messageIdOf(raw)).filter((id): id is string => id !== undefined);
    },
    async processed() {
      const bytes = await read();
      return report.map((r) => /^Subject: (.*)$/m.exec(bytes.get(r.message)!.toString('latin1'))?.[1]?.replace(/\r$/, '') ?? '');
    },
    async breakTarget() {
      throw new Error('a dry run has no target to break');
    },
    async repairTarget() {
      throw new Error('a dry run has no target to break');
    },
    async retry() {
      await run();
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
