/**
 * Runs Dovecot Pigeonhole's `sieve-test` on one case and parses its report into
 * mailsift's canonical action list (types.ts). Facts about the tool and its output:
 * /work/shared/docs/pigeonhole.md (copied in essence into README.md).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Action, DiffCase, PigeonholeResult } from './types.js';

export const SIEVE_TEST = process.env.SIEVE_TEST ?? 'sieve-test';
const RUN_USER = 'sievetest';
const EXTENSIONS = '+editheader +spamtest +spamtestplus +virustest +vacation-seconds';

/**
 * The reference configuration. spamtest: numeric X-Spam-Score with max 10; virustest: text
 * X-Virus-Scan clean→1, infected→5. The private store is given as `mail_location` instead of
 * `-l maildir:DIR`: with -l sieve-test builds its own namespace whose hierarchy separator is
 * ".", so `mailboxexists "Lists/Dev"` would look for a folder literally named "Lists/Dev".
 * Through the config, the inbox namespace gets separator "/" (mailsift's folder syntax) and
 * "Lists/Dev" is the Maildir++ folder `.Lists.Dev`.
 */
export function refConf(maildir: string, binDir?: string): string {
  // Only execute cases load the extprograms plugin, so the other cases run as they always did.
  const extprograms = binDir === undefined ? '' : `  sieve_plugins = sieve_extprograms
  sieve_global_extensions = +vnd.dovecot.execute
  sieve_execute_bin_dir = ${binDir}
`;
  return `!include_try /etc/dovecot/dovecot.conf
mail_location = maildir:${maildir}
namespace inbox {
  separator = /
}
plugin {
  sieve_spamtest_status_type = score
  sieve_spamtest_status_header = X-Spam-Score
  sieve_spamtest_max_value = 10
  sieve_virustest_status_type = text
  sieve_virustest_status_header = X-Virus-Scan
  sieve_virustest_text_value1 = clean
  sieve_virustest_text_value5 = infected
${extprograms}}
`;
}

/** True when `sieve-test` can be started (it prints its usage and exits non-zero without args). */
export function sieveTestInstalled(): boolean {
  const r = spawnSync(SIEVE_TEST, ['--help'], { encoding: 'utf8' });
  return !r.error;
}

export function pigeonholeVersion(): string {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'dovecot-sieve'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

interface RunAs {
  /** Command prefix: [] when running as ourselves. */
  prefix: string[];
  uid: number;
  gid: number;
}

let runAs: RunAs | undefined;

/** sieve-test refuses to run as root: use (and create once) an unprivileged user. */
function resolveRunAs(): RunAs {
  if (runAs) return runAs;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    runAs = { prefix: [], uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 };
    return runAs;
  }
  let id = idOf(RUN_USER);
  if (!id) {
    // Another test worker may create it at the same time: re-check after a failure.
    spawnSync('useradd', ['-m', RUN_USER], { encoding: 'utf8' });
    id = idOf(RUN_USER);
    if (!id) throw new Error(`could not create the unprivileged user ${RUN_USER} for sieve-test`);
  }
  runAs = { prefix: ['runuser', '-u', RUN_USER, '--'], uid: id.uid, gid: id.gid };
  return runAs;
}

function idOf(user: string): { uid: number; gid: number } | undefined {
  const u = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (u.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** An execute program of a case: a /bin/sh script, executable, not world-writable (Pigeonhole refuses those). */
export function writeProgram(path: string, body: string, write: (p: string, data: string) => void = writeFileSync): void {
  write(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

/** Maildir++ folder: `A/B` is stored as `.A.B` (see shared/docs/dovecot.md). */
function maildirFolder(root: string, name: string): string {
  return join(root, '.' + name.replace(/\//g, '.'));
}

export interface RawRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs sieve-test on one case in a fresh temp dir; returns its raw output. */
export function runSieveTest(c: Pick<DiffCase, 'script' | 'message' | 'envelopeFrom' | 'envelopeTo' | 'mailboxes' | 'programs'>): RawRun {
  const who = resolveRunAs();
  const dir = mkdtempSync(join(tmpdir(), 'mailsift-ph-'));
  try {
    const maildir = join(dir, 'maildir');
    const paths: string[] = [dir];
    const mkdir = (p: string) => {
      mkdirSync(p, { recursive: true });
      paths.push(p);
    };
    const write = (p: string, data: string | Buffer) => {
      writeFileSync(p, data);
      paths.push(p);
    };
    const binDir = c.programs ? join(dir, 'bin') : undefined;
    write(join(dir, 'ref.conf'), refConf(maildir, binDir));
    if (binDir) {
      mkdir(binDir);
      for (const [name, body] of Object.entries(c.programs!)) writeProgram(join(binDir, name), body, write);
    }
    write(join(dir, 'script.sieve'), c.script);
    write(join(dir, 'message.eml'), c.message);
    mkdir(maildir);
    for (const sub of ['cur', 'new', 'tmp']) mkdir(join(maildir, sub));
    for (const name of c.mailboxes) {
      if (name.toUpperCase() === 'INBOX') continue;
      const f = maildirFolder(maildir, name);
      mkdir(f);
      for (const sub of ['cur', 'new', 'tmp']) mkdir(join(f, sub));
      write(join(f, 'maildirfolder'), '');
    }
    if (who.prefix.length > 0) for (const p of paths) chownSync(p, who.uid, who.gid);

    const args = [
      ...who.prefix,
      SIEVE_TEST,
      '-C',
      '-c', 'ref.conf',
      '-x', EXTENSIONS,
      '-f', c.envelopeFrom,
      '-r', c.envelopeTo,
      'script.sieve',
      'message.eml',
    ];
    const r = spawnSync(args[0]!, args.slice(1), {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
      // The date test defaults to the local zone: pin it so results do not depend on the machine.
      env: { ...process.env, TZ: 'UTC', LANG: 'C.UTF-8' },
    });
    if (r.error) throw new Error(`cannot run ${SIEVE_TEST}: ${r.error.message}`);
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? -1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs Pigeonhole on a case and returns its canonical result. */
export function runPigeonhole(c: DiffCase): PigeonholeResult {
  return parseRun(runSieveTest(c));
}

/** Turns sieve-test's exit code, stdout and stderr into the canonical result. */
export function parseRun(run: RawRun): PigeonholeResult {
  const diagnostics = run.stderr
    .split('\n')
    .map((l) => l.replace(/^sieve-test\([^)]*\): /, ''))
    .filter((l) => l !== '' && !/^(Info|Debug): /.test(l)); // e.g. "checked duplicate for user NAME"
  if (run.exitCode === 0) return { status: 'ok', actions: parseReport(run.stdout), diagnostics };
  if (run.exitCode === 1 && run.stderr.includes('resolved with successful implicit keep')) {
    // A runtime error: no report is printed; Pigeonhole falls back to the implicit keep.
    return {
      status: 'error',
      phase: 'runtime',
      actions: [{ type: 'keep', implicit: true, flags: [] }],
      diagnostics,
    };
  }
  if (run.exitCode === 89 && run.stderr.includes('failed to compile sieve script')) {
    return { status: 'error', phase: 'compile', actions: [], diagnostics };
  }
  throw new Error(`unexpected sieve-test outcome (exit ${run.exitCode}):\n${run.stderr}\n${run.stdout}`);
}

// `s`: values may hold a CR (text: strings have CRLF line ends), which `.` would not match.
const KEY_LINE = /^ {4}=> (\w+)\s*:(?: (.*))?$/s;

/** Parses the "Performed actions: / Implicit keep:" report of sieve-test. */
export function parseReport(stdout: string): Action[] {
  const lines = stdout.split('\n');
  const actions: Action[] = [];
  let section: 'none' | 'performed' | 'implicit' = 'none';
  let i = 0;
  const fail: (why: string) => never = (why) => {
    throw new Error(`cannot parse sieve-test report (${why}) at line ${i + 1}:\n${stdout}`);
  };
  // Sub-lines "        + ..." of a store or redirect.
  const subLines = (): string[] => {
    const out: string[] = [];
    while (i < lines.length && /^ {8}\+ /.test(lines[i]!)) out.push(lines[i++]!.slice(10));
    return out;
  };
  while (i < lines.length) {
    const line = lines[i]!;
    if (line === '') {
      i++;
      continue;
    }
    if (line === 'Performed actions:') {
      section = 'performed';
      i++;
      continue;
    }
    if (line === 'Implicit keep:') {
      section = 'implicit';
      i++;
      continue;
    }
    if (/^ {2}\(none/.test(line)) {
      i++;
      continue;
    }
    if (section === 'none' || !line.startsWith(' * ')) fail('unexpected line');
    const head = line.slice(3);
    i++;
    let m: RegExpMatchArray | null;
    if ((m = head.match(/^store message in folder: (.*)$/s))) {
      const mailbox = m[1]!;
      let flags: string[] = [];
      let copy = false;
      let create = false;
      for (const sub of subLines()) {
        if (sub.startsWith('add IMAP flags:')) flags = sub.slice('add IMAP flags:'.length).trim().split(/ +/).filter(Boolean);
        else if (sub === 'preserve implicit keep') copy = true;
        else if (sub === 'create mailbox if it does not exist') create = true;
        else fail(`unknown store option "${sub}"`);
      }
      if (section === 'implicit') actions.push({ type: 'keep', implicit: true, flags });
      // keep and fileinto "INBOX" print identically: report both as an explicit keep.
      else if (mailbox === 'INBOX' && !copy && !create) actions.push({ type: 'keep', implicit: false, flags });
      else actions.push({ type: 'fileinto', mailbox, flags, copy, create });
    } else if ((m = head.match(/^redirect message to: <?(.*?)>?$/))) {
      const subs = subLines();
      actions.push({ type: 'redirect', address: m[1]!, copy: subs.includes('preserve implicit keep') });
    } else if (head === 'discard') {
      actions.push({ type: 'discard' });
    } else if ((m = head.match(/^reject message with reason: (.*)$/s))) {
      actions.push({ type: 'reject', reason: m[1]! });
    } else if (head === 'send vacation message:') {
      const fields: Record<string, string> = {};
      let last: string | undefined;
      while (i < lines.length && lines[i] !== 'START MESSAGE') {
        const km = lines[i]!.match(KEY_LINE);
        if (km) {
          last = km[1]!;
          fields[last] = km[2] ?? '';
        } else if (last) {
          fields[last] += '\n' + lines[i]; // a multi-line :handle (the default one contains the reason)
        } else fail('vacation field');
        i++;
      }
      i++; // START MESSAGE
      const body: string[] = [];
      while (i < lines.length && lines[i] !== 'END MESSAGE') body.push(lines[i++]!);
      if (i >= lines.length) fail('vacation without END MESSAGE');
      i++;
      // Printed as "START MESSAGE\n%s\nEND MESSAGE": the reason is everything in between.
      const reason = body.join('\n');
      const action: Action = { type: 'vacation', reason, seconds: Number(fields.seconds) };
      if (fields.subject !== undefined) action.subject = fields.subject;
      if (fields.from !== undefined) action.from = fields.from;
      // A blank line separates the fields from START MESSAGE; the default handle (reason+subject+from+
      // <NO-MIME>) is not interesting, an explicit :handle is.
      const handle = fields.handle?.replace(/\n$/, '');
      if (handle !== undefined && !/<(NO-)?MIME>$/.test(handle)) action.handle = handle;
      actions.push(action);
    } else if ((m = head.match(/^send notification with method '(.*)':$/))) {
      const scheme = m[1]!;
      const to: string[] = [];
      const cc: string[] = [];
      const fields: Record<string, string> = {};
      let body: string | undefined;
      while (i < lines.length && lines[i]!.startsWith('    ')) {
        const km = lines[i]!.match(KEY_LINE);
        if (!km) fail('notify field');
        const key = km[1]!;
        i++;
        if (key === 'recipients') {
          while (i < lines.length && /^ {7}\+ /.test(lines[i]!)) {
            const rm = lines[i]!.match(/^ {7}\+ (To|Cc): (.*)$/);
            if (!rm) fail('notify recipient');
            (rm[1] === 'To' ? to : cc).push(rm[2]!);
            i++;
          }
        } else if (key === 'headers') {
          while (i < lines.length && /^ {7}\+ /.test(lines[i]!)) i++; // other URI headers: not compared
        } else if (key === 'body') {
          if (lines[i] !== '--') fail('notify body');
          i++;
          const b: string[] = [];
          while (i < lines.length && lines[i] !== '--') b.push(lines[i++]!);
          i++;
          body = b.join('\n');
        } else fields[key] = km[2] ?? '';
      }
      const query: string[] = [];
      if (cc.length > 0) query.push('cc=' + cc.map(encodeMailto).join(','));
      if (body !== undefined) query.push('body=' + encodeMailto(body));
      const action: Action = {
        type: 'notify',
        method: `${scheme}${to.map(encodeMailto).join(',')}${query.length ? '?' + query.join('&') : ''}`,
        importance: Number(fields.importance ?? '2'),
      };
      if (fields.subject !== undefined) action.message = fields.subject;
      if (fields.from !== undefined) action.from = fields.from;
      actions.push(action);
    } else if (/^track (last )?duplicate\b/.test(head)) {
      // duplicate test bookkeeping, no effect on the message: not an action.
    } else fail(`unknown action "${head}"`);
  }
  return actions;
}

function encodeMailto(s: string): string {
  return encodeURIComponent(s).replace(/%40/g, '@');
}
