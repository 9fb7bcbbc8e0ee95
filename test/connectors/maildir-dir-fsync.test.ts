/**
 * A delivery is durable only once the directory holding the new name is fsynced (the rename
 * of a Maildir file, the creation of an mbox file). When that directory cannot be opened for
 * the fsync, the store must fail: the SMTP intake answers 451, a fileinto fails and keeps
 * the message. It used to be skipped silently, and the intake answered 250.
 *
 * The failure is real, not injected: a directory with mode 0300 (write and search, no read)
 * lets its owner create and rename files in it but not open it, which is what the fsync
 * needs (EACCES, as EMFILE would give). Root ignores permissions, so as root the writer runs
 * in a child process as `nobody`; as any other user, as that user. The writers run unchanged:
 * deliverToMaildir and appendToMbox through tsx, and the whole daemon (`mailsift run`) with
 * an SMTP intake, driven by swaks.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { tempDir } from '../support/temp-dir.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;
/** Who the writer runs as: nobody when we are root (permissions would not apply), else ourselves. */
const who = asRoot ? { uid: 65534, gid: 65534 } : {};
const MESSAGE = 'From: alice@example.org\r\nTo: me@example.test\r\nSubject: durable\r\nMessage-ID: <fsync@example.org>\r\n\r\nBody.\r\n';

/** A directory tree the writer's user owns (chown when we are root). */
function ownedTree(): string {
  const dir = tempDir('mailsift-dirsync-');
  chmodSync(dir, 0o755);
  return dir;
}
function giveAway(path: string): void {
  if (!asRoot) return;
  chownSync(path, 65534, 65534);
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) giveAway(join(path, name));
}

function files(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Runs an ESM snippet (through tsx, importing from src/) as the writer's user; its stdout. */
async function asWriter(dir: string, code: string): Promise<string> {
  const script = join(dir, 'writer.mjs');
  writeFileSync(script, code);
  giveAway(script);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, HOME: dir }, ...who });
  return stdout.trim();
}

describe('the directory fsync after a delivery', () => {
  it('deliverToMaildir fails (MAILBOX_UNWRITABLE) when new/ cannot be opened, and leaves no file', async () => {
    const dir = ownedTree();
    const md = join(dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
    giveAway(dir);
    chmodSync(join(md, 'new'), 0o300);
    const out = await asWriter(
      dir,
      `import { deliverToMaildir } from ${JSON.stringify(join(ROOT, 'src/connectors/local/maildir-write.ts'))};
       try { await deliverToMaildir(${JSON.stringify(md)}, 'INBOX', new TextEncoder().encode('Subject: x\\r\\n\\r\\nhi\\r\\n')); console.log('stored'); }
       catch (e) { console.log(e.code); }`,
    );
    expect(out).toBe('MAILBOX_UNWRITABLE');
    expect(files(join(md, 'new'))).toEqual([]);
    expect(files(join(md, 'tmp'))).toEqual([]);
  });

  it('appendToMbox fails (STORE_WRITE_FAILED) when the directory of a new mbox cannot be opened; the file holds no message', async () => {
    const dir = ownedTree();
    const box = join(dir, 'mail');
    mkdirSync(box);
    giveAway(dir);
    chmodSync(box, 0o300);
    const out = await asWriter(
      dir,
      `import { appendToMbox } from ${JSON.stringify(join(ROOT, 'src/actions/mbox-append.ts'))};
       try { await appendToMbox(${JSON.stringify(join(box, 'inbox'))}, new TextEncoder().encode('Subject: x\\r\\n\\r\\nhi\\r\\n')); console.log('stored'); }
       catch (e) { console.log(e.code); }`,
    );
    expect(out).toBe('STORE_WRITE_FAILED');
    expect(readFileSync(join(box, 'inbox'), 'latin1')).toBe('');
  });

  it('the SMTP intake of `mailsift run` answers 451, and 250 with one copy once the folder can be synced', async () => {
    const dir = ownedTree();
    const md = join(dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
    const port = await freePort();
    writeFileSync(join(dir, 'rules.sieve'), 'keep;\n');
    writeFileSync(join(dir, 'msg.eml'), MESSAGE);
    writeFileSync(
      join(dir, 'config.toml'),
      `[state]\ndir = "${dir}/state"\n[accounts.box]\ntype = "maildir"\npath = "${md}"\n[accounts.in]\ntype = "smtp-intake"\nlisten_port = ${port}\nrecipients = ["me@example.test"]\ntarget_account = "box"\n[[watch]]\naccount = "in"\nrules = "rules.sieve"\n`,
    );
    giveAway(dir);
    chmodSync(join(md, 'new'), 0o300);
    const daemon = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/daemon/mailsift-child.ts'), 'run', '--config', join(dir, 'config.toml')], {
      cwd: ROOT,
      env: { ...process.env, HOME: dir, JOURNAL_STREAM: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...who,
    });
    let log = '';
    daemon.stdout.on('data', (b: Buffer) => (log += b.toString()));
    daemon.stderr.on('data', (b: Buffer) => (log += b.toString()));
    const exited = new Promise((r) => daemon.on('exit', r));
    try {
      for (let t = 0; !log.includes('SMTP intake listening'); t++) {
        if (t > 600 || daemon.exitCode !== null) throw new Error(`the daemon did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      const swaks = async () => {
        const args = ['--server', `127.0.0.1:${port}`, '--from', 'alice@example.org', '--to', 'me@example.test', '--data', `@${join(dir, 'msg.eml')}`];
        return run('swaks', args).then(
          (r) => r.stdout,
          (e: { stdout?: string }) => e.stdout ?? '',
        );
      };
      expect(await swaks()).toMatch(/<\*\* {1,2}451 /);
      expect(files(join(md, 'new'))).toEqual([]);
      chmodSync(join(md, 'new'), 0o700);
      expect(await swaks()).toMatch(/<- {1,2}250 2\.0\.0 stored in box\/INBOX/);
      expect(files(join(md, 'new'))).toHaveLength(1);
    } finally {
      daemon.kill('SIGTERM');
      await exited;
    }
  });
});
