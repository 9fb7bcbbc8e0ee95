/**
 * The mailsift side of the rules bench, run in a child process of its own so that its
 * peak RSS is only its own: `node --import tsx bench/rules-worker.ts MAILDIR SCRIPT`.
 *
 * Compiles the script once, then for every message of the Maildir: read it with the local
 * source reader, parse it, derive the envelope the way sieve-filter does, dry-run the plan.
 * The timed loop includes reading the files, as sieve-filter's time does. Prints one JSON
 * object (WorkerReport) on stdout.
 *
 * The first import sets the V8 flags of the shipped CLI (bin/mailsift.js imports the same
 * file first), so the engine measured here is the one users run.
 */
import { V8_FLAGS } from '../bin/v8-flags.js';
import { readFileSync } from 'node:fs';
import { readSource } from '../src/connectors/local/source.js';
import { compile } from '../src/dsl/compile.js';
import type { SpamtestSettings } from '../src/extensions/spamtest.js';
import { runPlan } from '../src/runtime/dry-run.js';
import type { Envelope } from '../src/runtime/runtime.js';
import { parseMessage } from '../src/runtime/message/parse.js';
import type { MessageView } from '../src/runtime/message/types.js';

export interface WorkerReport {
  readonly ok: boolean;
  /** Compile diagnostics when ok is false. */
  readonly error?: string;
  readonly messages: number;
  /** Wall time of the read-parse-evaluate loop. */
  readonly loopSeconds: number;
  /** CPU time (user + system, all threads) of the loop: less sensitive to other load than wall time. */
  readonly loopCpuSeconds: number;
  readonly compileSeconds: number;
  /** process.resourceUsage().maxRSS, in KB. */
  readonly maxRssKB: number;
  /** RSS after compiling, before the loop (the runtime and tsx's share), in KB. */
  readonly baselineRssKB: number;
  /** How often each outcome occurred: "store:FOLDER", "redirect", "notify", "discard", "flags", "error:CODE". */
  readonly outcomes: Record<string, number>;
  /** The V8 flags the worker ran with (bin/v8-flags.js, as the shipped CLI). */
  readonly v8Flags?: readonly string[];
}

/** The spamtest configuration of the reference (X-Spam-Score, max 10); see pigeonhole.md. */
const SETTINGS: { readonly spamtest: SpamtestSettings } = {
  spamtest: { header: 'X-Spam-Score', type: 'score', maxValue: 10 },
};

// sieve-filter takes the envelope from the message (Pigeonhole's sieve_tool_get_envelope_data):
// recipient = first address of the first To field, sender = first address of the first of
// Return-Path / Sender / From; when that is missing, null or not a plain SMTP address it uses
// these placeholders.
const DEFAULT_RECIPIENT = 'recipient@example.com';
const DEFAULT_SENDER = 'sender@example.com';
const SMTP_ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+$/;

function firstAddress(message: MessageView, name: string): string | undefined {
  const fields = message.addresses(name);
  if (fields.length === 0) return undefined;
  const address = fields[0]!.addresses[0]?.address;
  return address !== undefined && SMTP_ADDRESS.test(address) ? address : '';
}

function envelopeOf(message: MessageView): Envelope {
  const to = firstAddress(message, 'to') || DEFAULT_RECIPIENT;
  const from =
    firstAddress(message, 'return-path') ?? firstAddress(message, 'sender') ?? firstAddress(message, 'from');
  return { from: from || DEFAULT_SENDER, to };
}

async function main(): Promise<WorkerReport> {
  const args = process.argv.slice(2);
  const checkOnly = args[0] === '--check';
  const [maildir, scriptPath] = checkOnly ? args.slice(1) : args;
  if (!maildir || !scriptPath) throw new Error('usage: rules-worker.ts [--check] MAILDIR SCRIPT');
  const outcomes: Record<string, number> = {};
  const count = (key: string): void => {
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  };

  const c0 = process.hrtime.bigint();
  const compiled = compile(readFileSync(scriptPath, 'utf8'), { file: 'rules-40.sieve' });
  const compileSeconds = Number(process.hrtime.bigint() - c0) / 1e9;
  if (!compiled.ok) {
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
    // Unknown capabilities first: they explain most of the rest.
    errors.sort((a, b) => Number(b.code === 'unknown-capability') - Number(a.code === 'unknown-capability'));
    const shown = errors.slice(0, 12).map((d) => `  line ${d.line}: ${d.code}: ${d.message}`);
    if (errors.length > shown.length) shown.push(`  ... and ${errors.length - shown.length} more`);
    const error = shown.join('\n');
    return { ok: false, error, messages: 0, loopSeconds: 0, loopCpuSeconds: 0, compileSeconds, maxRssKB: process.resourceUsage().maxRSS, baselineRssKB: 0, outcomes };
  }
  const plan = compiled.plan;
  if (checkOnly) return { ok: true, messages: 0, loopSeconds: 0, loopCpuSeconds: 0, compileSeconds, maxRssKB: process.resourceUsage().maxRSS, baselineRssKB: 0, outcomes };
  const baselineRssKB = Math.round(process.memoryUsage.rss() / 1024);

  let messages = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for await (const local of readSource(maildir)) {
    const message = parseMessage(local.raw);
    const out = runPlan(plan, message, { envelope: envelopeOf(message), mailboxes: [], settings: SETTINGS });
    messages++;
    if (out.error) count(`error:${out.error.code}`);
    for (const action of out.actions) {
      switch (action.type) {
        case 'keep':
          count('store:INBOX');
          if (action.flags.length > 0) count('flags');
          break;
        case 'fileinto':
          count(`store:${action.mailbox}`);
          if (action.flags.length > 0) count('flags');
          break;
        default:
          count(action.type);
      }
    }
  }
  const loopSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const loopCpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { ok: true, messages, loopSeconds, loopCpuSeconds, compileSeconds, maxRssKB: process.resourceUsage().maxRSS, baselineRssKB, outcomes };
}

main().then(
  (report) => {
    process.stdout.write(JSON.stringify({ ...report, v8Flags: V8_FLAGS }) + '\n');
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  },
);
