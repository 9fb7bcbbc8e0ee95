/**
 * A delivery is durable only once the directory holding the new name is fsynced (the rename
 * of a Maildir file, the creation of an mbox file). When that directory cannot be opened for
 * the fsync, the store must fail: the SMTP intake answers 451, a fileinto fails and keeps
 * the message. It used to be skipped silently, and the intake answered 250.
 *
 * The failure is real, not injected: a directory with mode 0300 (write and search, no read)
 * lets its owner create and rename files in it but not open it, which is what the fsync
 * needs (EACCES, as EMFILE would give). Root ignores permissions, so as root the writer runs
 * in a child process that is still root but without the capabilities that override them
 * (`setpriv` drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its bounding set): it owns
 * the checkout wherever CI cloned it (a user such as `nobody` might not even reach it under
 * /root), and the 0300 directory it made refuses it. The writers run unchanged:
 * deliverToMaildir and appendToMbox through tsx, and the whole daemon (`mailsift run`) with
 * an SMTP intake, driven by swaks.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { swaks } from '../smtp-intake/harness.js';
import { freePort } from '../support/free-port.js';
import { tempDir } from '../support/temp-dir.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;
/** The writer's command line: as root, without the capabilities that bypass file permissions. */
function writer(args: readonly string[]): [string, string[]] {
  return asRoot
    ? ['setpriv', ['--bounding-set', '-dac_override,-dac_read_search', '--', process.execPath, ...args]]
    : [process.execPath, [...args]];
}
const MESSAGE = 'From: alice@example.org\r\nTo: me@example.test\r\nSubject: durable\r\nMessage-ID: <fsync@example.org>\r\n\r\nBody.\r\n';

function ownedTree(): string {
  return tempDir('mailsift-dirsync-');
}

function files(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Runs an ESM snippet (through tsx, importing from src/) as the writer; its stdout. */
async function asWriter(dir: string, code: string): Promise<string> {
  const script = join(dir, 'writer.mjs');
  writeFileSync(script, code);
  const [cmd, args] = writer(['--import', 'tsx', script]);
  const { stdout } = await run(cmd, args, { cwd: ROOT, env: { ...process.env, HOME: dir } });
  return stdout.trim();
}

describe('the directory fsync after a delivery', () => {
  it('deliverToMaildir fails (MAILBOX_UNWRITABLE) when new/ cannot be opened, and leaves no file', async () => {
    const dir = ownedTree();
    const md = join(dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
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

  it('appendToMbox fails (STORE_WRITE_FAILED) when the directory of a new mbox cannot be opened; the file holds no message, and a retry into it fails too', async () => {
    const dir = ownedTree();
    const box = join(dir, 'mail');
    mkdirSync(box);
    chmodSync(box, 0o300);
    // The retry finds the empty file the first attempt left, whose name was never synced.
    const out = await asWriter(
      dir,
      `import { appendToMbox } from ${JSON.stringify(join(ROOT, 'src/actions/mbox-append.ts'))};
       for (let i = 0; i < 2; i++) {
         try { await appendToMbox(${JSON.stringify(join(box, 'inbox'))}, new TextEncoder().encode('Subject: x\\r\\n\\r\\nhi\\r\\n')); console.log('stored'); }
         catch (e) { console.log(e.code); }
       }`,
    );
    expect(out.split('\n')).toEqual(['STORE_WRITE_FAILED', 'STORE_WRITE_FAILED']);
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
    chmodSync(join(md, 'new'), 0o300);
    const [cmd, args] = writer(['--import', 'tsx', join(ROOT, 'test/daemon/mailsift-child.ts'), 'run', '--config', join(dir, 'config.toml')]);
    const daemon = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, HOME: dir, JOURNAL_STREAM: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    daemon.stdout.on('data', (b: Buffer) => (log += b.toString()));
    daemon.stderr.on('data', (b: Buffer) => (log += b.toString()));
    const exited = new Promise((r) => daemon.on('exit', r));
    try {
      for (let t = 0; !log.includes('SMTP intake listening'); t++) {
        if (t > 600 || daemon.exitCode !== null) throw new Error(`the daemon did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      const send = async () => (await swaks(['--server', `127.0.0.1:${port}`, '--from', 'alice@example.org', '--to', 'me@example.test', '--data', `@${join(dir, 'msg.eml')}`])).out;
      expect(await send()).toMatch(/<\*\* {1,2}451 /);
      expect(files(join(md, 'new'))).toEqual([]);
      chmodSync(join(md, 'new'), 0o700);
      expect(await send()).toMatch(/<- {1,2}250 2\.0\.0 stored in box\/INBOX/);
      expect(files(join(md, 'new'))).toHaveLength(1);
    } finally {
      daemon.kill('SIGTERM');
      await exited;
    }
  });
});
