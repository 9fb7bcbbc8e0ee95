/**
 * The IMAP bench fixture: one Dovecot user `bench` with ~100 mailboxes and ~100,000 messages,
 * served by a throwaway Dovecot from the test harness (test/support/dovecot.ts).
 *
 * The Maildir is built once, written directly as Maildir files (see
 * /work/shared/docs/dovecot.md, "Putting test mail in"), and cached in bench/.work/imap/Maildir
 * between runs together with Dovecot's indexes (already resynced, CONDSTORE warmed, \Recent
 * consumed). Each run starts a fresh harness instance and points the user's ~/Maildir at the
 * cache with a symlink, so starting takes well under a second once the cache exists.
 *
 * The fixture is deterministic (seeded PRNG): same mailboxes, same message counts, same
 * contents on every machine. FIXTURE_VERSION changes rebuild it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync, lstatSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startDovecot, type DovecotInstance } from '../test/support/dovecot.js';
import { quote, RawImapSession } from '../test/support/raw-imap.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
export const IMAP_WORK = join(BENCH, '.work', 'imap');
const CACHE_MAILDIR = join(IMAP_WORK, 'Maildir');
const STAMP = join(IMAP_WORK, 'fixture.json');
/** Exists while probe messages may be in the fixture (written before the first APPEND). */
const PROBES_MARKER = join(IMAP_WORK, 'probes-present');

const FIXTURE_VERSION = 1;
export const FIXTURE_USER = 'bench';
export const FIXTURE_PASSWORD = 'bench-secret';
/** Where the latency probes are moved to (a watched mailbox, as with a `*` watch). */
export const TARGET_MAILBOX = 'Filed';
/** Subject marker of the latency probes; removed from the fixture at the end of every run. */
export const PROBE_SUBJECT = 'bench-probe';
const TOTAL_MESSAGES = 100_000;
const SEED = 0x6d61696c;

export interface FixtureMailbox {
  readonly name: string;
  readonly messages: number;
}

export interface ImapFixture {
  readonly host: '127.0.0.1';
  /** Dovecot's IMAP port (direct, not through a proxy). */
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly mailboxes: readonly FixtureMailbox[];
  readonly messages: number;
  readonly dovecot: DovecotInstance;
  /** How the fixture came to be: built now (with its timings) or taken from the cache. */
  readonly origin: { readonly rebuilt: boolean; readonly seconds: number; readonly steps: Readonly<Record<string, number>> };
  /**
   * Gives the cache back to Dovecot's mail uid if someone changed its owner meanwhile (as root,
   * the rules section chowns all of bench/.work to its user); true when it had to.
   */
  reclaim(): Promise<boolean>;
  /** Call before adding probe messages: a later run removes them even if this one crashes. */
  addingProbes(): void;
  /** Expunges every probe message (subject PROBE_SUBJECT) from every mailbox (a header search over all 100k: ~3 s). */
  removeProbes(): Promise<void>;
  /**
   * The inodes of the two transaction logs Dovecot's NOTIFY code follows: the mailbox list
   * index log (`dovecot.list.index.log`, every mailbox but INBOX) and INBOX's own index log
   * (`dovecot.index.log` in the Maildir root). An inode changes when Dovecot rotates that log,
   * and Dovecot 2.3.19 then sends no more NOTIFY pushes (for those mailboxes) to a session that
   * set NOTIFY up before, until it sends NOTIFY SET again: the latency runs watch for it.
   */
  notifyLogs(): { list?: number; inbox?: number };
  /** Stops Dovecot and removes its temp dir; the cached Maildir stays. */
  close(): Promise<void>;
}

// ---- the mailboxes --------------------------------------------------------------------------

/** Mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LISTS = [
  'dovecot', 'postfix', 'debian-devel', 'debian-security', 'lkml-net', 'rust-users', 'node-dev', 'python-dev',
  'postgres-general', 'sqlite-users', 'openbsd-misc', 'lua-l', 'ietf-extra', 'ietf-emailcore', 'exim-users',
  'nginx', 'haproxy', 'git', 'curl-library', 'openssl-users', 'nixos-dev', 'gnome-devel', 'kde-devel',
  'freebsd-hackers', 'llvm-dev', 'gcc-help', 'systemd-devel', 'wireguard', 'zfs-discuss', 'mutt-users',
];
const PROJECTS = ['atlas', 'borealis', 'cobalt', 'delta-migration', 'ember', 'fjord', 'granite', 'harbor', 'ion', 'juniper', 'kestrel', 'lumen', 'meridian', 'nova', 'orchid'];
const CLIENTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell', 'cyberdyne', 'soylent'];
const NOTIFICATIONS = ['github', 'gitlab', 'jira', 'ci', 'sentry', 'pagerduty', 'calendar', 'bank', 'shop', 'social'];
const PERSONAL = ['Family', 'Friends', 'Receipts', 'Travel', 'Newsletters', 'Health', 'Taxes', 'Housing', 'Car', 'Kids/School', 'Kids/Sports'];

/** ~100 mailboxes with ~100k messages, skewed the way real stores are (big INBOX, Sent, archives; small projects). */
export function fixtureMailboxes(): FixtureMailbox[] {
  const weights: [string, number][] = [
    ['INBOX', 8],
    ['Sent', 6],
    ['Drafts', 0.02],
    ['Trash', 0.5],
    ['Junk', 0.3],
    ['Archive', 3],
    [TARGET_MAILBOX, 0.2],
  ];
  for (let y = 2012; y <= 2025; y++) weights.push([`Archive/${y}`, 2]);
  LISTS.forEach((l, i) => weights.push([`Lists/${l}`, 3 / (1 + i * 0.35)]));
  PROJECTS.forEach((p, i) => weights.push([`Projects/${p}`, 0.8 / (1 + i * 0.3)]));
  CLIENTS.forEach((c, i) => weights.push([`Clients/${c}`, 0.6 / (1 + i * 0.4)]));
  NOTIFICATIONS.forEach((n, i) => weights.push([`Notifications/${n}`, 1.5 / (1 + i * 0.5)]));
  PERSONAL.forEach((p, i) => weights.push([p, 0.5 / (1 + i * 0.3)]));
  const sum = weights.reduce((s, [, w]) => s + w, 0);
  const out = weights.map(([name, w]) => ({ name, messages: Math.max(3, Math.round((w / sum) * TOTAL_MESSAGES)) }));
  // Exact total: the rounding remainder goes to INBOX.
  out[0]!.messages += TOTAL_MESSAGES - out.reduce((s, m) => s + m.messages, 0);
  return out;
}

/** Maildir++ directory of a mailbox under the Maildir root (`A/B` → `.A.B`, INBOX → the root). */
function folderDir(root: string, name: string): string {
  return name === 'INBOX' ? root : join(root, `.${name.replace(/\//g, '.')}`);
}

// ---- the messages ---------------------------------------------------------------------------

const WORDS = (
  'the of and to in is that for it as with was on be at by this had not are but from or have an they which one you were ' +
  'release patch build server mailbox index cache query thread review meeting budget invoice deploy rollback ticket ' +
  'schedule report draft update question proposal feedback agenda notes minutes deadline version bug fix test'
).split(' ');

function sentence(rand: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  const s = out.join(' ');
  return s[0]!.toUpperCase() + s.slice(1);
}

function rfc2822Date(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

/** One synthetic message (0.5-2 KB, CRLF line ends) of a mailbox; `when` is its date. */
function message(rand: () => number, mailbox: string, n: number, when: Date): string {
  const list = mailbox.startsWith('Lists/') ? mailbox.slice(6) : undefined;
  const person = `user${Math.floor(rand() * 400)}`;
  const from = list ? `${person}@${list}.example.org` : mailbox === 'Sent' ? 'bench@example.test' : `${person}@example.${mailbox.length % 2 ? 'com' : 'net'}`;
  const to = mailbox === 'Sent' ? `${person}@example.com` : list ? `${list}@lists.example.org` : 'bench@example.test';
  const id = `${n}.${Math.floor(rand() * 1e9).toString(36)}@${mailbox.replace(/[^a-z0-9]/gi, '-').toLowerCase()}.example`;
  const lines = [
    `Return-Path: <${from}>`,
    `Received: from mx.example.test (mx.example.test [192.0.2.${1 + (n % 250)}])\r\n\tby mail.example.test with ESMTPS id ${id.slice(0, 12)}\r\n\tfor <bench@example.test>; ${rfc2822Date(when)}`,
    `Date: ${rfc2822Date(when)}`,
    `From: ${person} <${from}>`,
    `To: ${to}`,
    `Subject: ${list ? `[${list}] ` : ''}${sentence(rand, 3 + Math.floor(rand() * 6))}`,
    `Message-ID: <${id}>`,
    ...(list ? [`List-Id: ${list} <${list}.lists.example.org>`, `List-Unsubscribe: <mailto:${list}-leave@lists.example.org>`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
  ];
  const body: string[] = [];
  const paragraphs = 1 + Math.floor(rand() * 4);
  for (let p = 0; p < paragraphs; p++) {
    const count = 2 + Math.floor(rand() * 5);
    for (let i = 0; i < count; i++) body.push(sentence(rand, 8 + Math.floor(rand() * 6)));
    body.push('');
  }
  return `${lines.join('\r\n')}\r\n${body.join('\r\n')}\r\n`;
}

/**
 * Maildir flags of an old message: nearly all read, a few unread (1 %), some answered/flagged.
 * Letters in ASCII order, as Dovecot writes them.
 */
function flagsOf(rand: () => number, mailbox: string): string {
  const flags: string[] = [];
  if (mailbox === 'Drafts') flags.push('D');
  const r = rand();
  if (r < 0.03) flags.push('F');
  if (r > 0.9) flags.push('R');
  if (rand() >= 0.01 || mailbox === 'Sent') flags.push('S');
  return flags.sort().join('');
}

function writeMessages(root: string, boxes: readonly FixtureMailbox[]): number {
  const rand = prng(SEED);
  const now = Date.UTC(2026, 0, 15) / 1000;
  let seq = 0;
  let bytes = 0;
  for (const box of boxes) {
    const cur = join(folderDir(root, box.name), 'cur');
    mkdirSync(cur, { recursive: true });
    const year = /^Archive\/(\d{4})$/.exec(box.name)?.[1];
    const span = year ? [Date.UTC(Number(year), 0, 1) / 1000, Date.UTC(Number(year) + 1, 0, 1) / 1000 - 1] : [now - 3 * 365 * 86400, now];
    for (let i = 0; i < box.messages; i++) {
      // Ascending dates within a mailbox, as delivery would leave them.
      const t = Math.floor(span[0]! + ((span[1]! - span[0]!) * (i + rand() * 0.5)) / box.messages);
      const text = message(rand, box.name, seq, new Date(t * 1000));
      const raw = Buffer.from(text, 'utf8');
      const name = `${t}.M${seq % 1_000_000}P4242Q${seq}.bench,S=${raw.length},W=${raw.length}:2,${flagsOf(rand, box.name)}`;
      const path = join(cur, name);
      writeFileSync(path, raw);
      utimesSync(path, t, t);
      bytes += raw.length;
      seq++;
    }
  }
  return bytes;
}

// ---- building and opening ---------------------------------------------------------------------

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}

interface Stamp {
  version: number;
  mailboxes: FixtureMailbox[];
  messages: number;
  bytes: number;
}

function readStamp(): Stamp | undefined {
  try {
    const s = JSON.parse(readFileSync(STAMP, 'utf8')) as Stamp;
    return s.version === FIXTURE_VERSION && existsSync(join(CACHE_MAILDIR, 'dovecot.list.index')) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** One session over every mailbox: CONDSTORE on (first HIGHESTMODSEQ use is slow), \Recent consumed, indexes opened. */
async function warm(port: number, boxes: readonly FixtureMailbox[]): Promise<void> {
  const s = await RawImapSession.open('127.0.0.1', port, FIXTURE_USER, FIXTURE_PASSWORD);
  try {
    await s.command('ENABLE CONDSTORE');
    await s.command('LIST "" "*" RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ))');
    for (const box of boxes) {
      await s.command(`SELECT ${quote(box.name)}`);
      await s.command('UNSELECT');
    }
  } finally {
    await s.logout();
  }
}

/** MESSAGES per mailbox, as Dovecot counts them. */
async function census(d: DovecotInstance): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const lines = (await d.doveadm(['-f', 'tab', 'mailbox', 'status', '-u', FIXTURE_USER, 'messages', '*'])).trim().split('\n');
  for (const line of lines.slice(1)) {
    const [name, messages] = line.split('\t');
    if (name) counts.set(name, Number(messages));
  }
  return counts;
}

/**
 * Starts Dovecot on the cached fixture, building the cache first when it is missing or stale.
 * `log` gets one line per step.
 */
export async function openImapFixture(log: (line: string) => void = () => {}): Promise<ImapFixture> {
  const t0 = performance.now();
  const steps: Record<string, number> = {};
  const step = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const s = performance.now();
    const r = await fn();
    steps[name] = (performance.now() - s) / 1000;
    log(`imap fixture: ${name}: ${steps[name]!.toFixed(2)} s`);
    return r;
  };
  const boxes = fixtureMailboxes();
  let stamp = readStamp();
  const rebuild = !stamp;
  mkdirSync(IMAP_WORK, { recursive: true, mode: 0o755 });
  if (rebuild) {
    rmSync(CACHE_MAILDIR, { recursive: true, force: true });
    rmSync(STAMP, { force: true });
    mkdirSync(CACHE_MAILDIR, { mode: 0o700 });
  }

  const d = await step('start dovecot', () => startDovecot({ notify: true, users: [{ name: FIXTURE_USER, password: FIXTURE_PASSWORD }], name: 'bench-imap' }));
  const link = join(d.dir, 'home', FIXTURE_USER, 'Maildir');
  const close = async () => {
    await d.kill();
    // The symlink goes first, so that removing the temp dir can never reach the cache.
    if (existsSync(link) || isSymlink(link)) unlinkSync(link);
    await d.dispose();
  };
  try {
    // The harness owns the home as the mail uid (nobody as root); the Maildir must belong to it too.
    const home = statSync(join(d.dir, 'home', FIXTURE_USER));
    symlinkSync(CACHE_MAILDIR, link);
    if (!rebuild) {
      // As root the rules section chowns all of bench/.work to its own user (rules.ts): give the
      // cache back to the mail uid before Dovecot needs it (0.3 s for 100k files).
      await step('chown the cache', () => run('chown', ['-R', `${home.uid}:${home.gid}`, CACHE_MAILDIR]));
    }
    if (rebuild) {
      await step('create mailboxes', async () => {
        await run('chown', ['-R', `${home.uid}:${home.gid}`, CACHE_MAILDIR]);
        await d.doveadm(['mailbox', 'create', '-s', '-u', FIXTURE_USER, ...boxes.filter((b) => b.name !== 'INBOX').map((b) => b.name)]);
      });
      const bytes = await step('write messages', () => writeMessages(CACHE_MAILDIR, boxes));
      await step('chown', () => run('chown', ['-R', `${home.uid}:${home.gid}`, CACHE_MAILDIR]));
      await step('force-resync', () => d.doveadm(['force-resync', '-u', FIXTURE_USER, '*']));
      await step('warm (CONDSTORE, \\Recent, indexes)', () => warm(d.imapPort, boxes));
      stamp = { version: FIXTURE_VERSION, mailboxes: boxes, messages: TOTAL_MESSAGES, bytes };
    }
    const fixture: ImapFixture = {
      host: '127.0.0.1',
      port: d.imapPort,
      user: FIXTURE_USER,
      password: FIXTURE_PASSWORD,
      mailboxes: boxes,
      messages: TOTAL_MESSAGES,
      dovecot: d,
      origin: { rebuilt: rebuild, seconds: 0, steps },
      reclaim: async () => {
        const samples = [CACHE_MAILDIR, join(CACHE_MAILDIR, 'cur'), join(folderDir(CACHE_MAILDIR, TARGET_MAILBOX), 'cur')];
        if (samples.every((p) => statSync(p).uid === home.uid)) return false;
        await run('chown', ['-R', `${home.uid}:${home.gid}`, CACHE_MAILDIR]);
        return true;
      },
      addingProbes: () => writeFileSync(PROBES_MARKER, ''),
      notifyLogs: () => ({ list: inode(join(CACHE_MAILDIR, 'dovecot.list.index.log')), inbox: inode(join(CACHE_MAILDIR, 'dovecot.index.log')) }),
      removeProbes: async () => {
        await d.doveadm(['expunge', '-u', FIXTURE_USER, 'mailbox', '*', 'subject', PROBE_SUBJECT]);
        rmSync(PROBES_MARKER, { force: true });
      },
      close,
    };
    // Leftovers of an interrupted run would change the counts (and the latency test's picture).
    if (existsSync(PROBES_MARKER)) await step('remove probes of an earlier run', () => fixture.removeProbes());
    let counts = await step('check counts', () => census(d));
    if (!rebuild && boxes.some((b) => counts.get(b.name) !== b.messages)) {
      // Probes left behind by a run that could not remove them: cheaper to expunge than to rebuild.
      await step('remove stray probes', () => fixture.removeProbes());
      counts = await step('check counts again', () => census(d));
    }
    const wrong = boxes.filter((b) => counts.get(b.name) !== b.messages);
    if (wrong.length > 0) {
      const detail = wrong.slice(0, 5).map((b) => `${b.name}: ${counts.get(b.name) ?? 'missing'} (expected ${b.messages})`).join(', ');
      if (!rebuild) {
        // A damaged cache: build it again, once.
        log(`imap fixture: cache does not match (${detail}); rebuilding`);
        await close();
        rmSync(STAMP, { force: true });
        return openImapFixture(log);
      }
      throw new Error(`imap fixture: after building, the counts are wrong: ${detail}`);
    }
    if (rebuild) writeFileSync(STAMP, `${JSON.stringify(stamp, null, 2)}\n`);
    (fixture.origin as { seconds: number }).seconds = (performance.now() - t0) / 1000;
    return fixture;
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}

function inode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

// `npx tsx bench/imap-fixture.ts`: build (or check) the fixture and stop again.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = await openImapFixture((l) => console.log(l));
  console.log(`imap fixture: ${f.mailboxes.length} mailboxes, ${f.messages} messages, ${f.origin.rebuilt ? 'built' : 'cached'} in ${f.origin.seconds.toFixed(1)} s (port ${f.port})`);
  await f.close();
}
