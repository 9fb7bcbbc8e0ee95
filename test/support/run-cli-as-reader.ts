/**
 * `mailsift ARGS` in a child process as a user whom file modes can refuse: `nobody` (uid and
 * gid 65534, no groups, through setpriv) when the tests run as root, who ignores modes, and
 * ourselves otherwise. For the read-only tests of models and the state database: a 0444 file
 * or a 0555 directory only refuses a write to someone who is not root.
 *
 * The CLI runs from the sources (tsx), through a small launcher in a 0755 work directory
 * that `nobody` can read; that directory is also the child's HOME.
 */
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './temp-dir.js';

const ROOT = resolve(import.meta.dirname, '../..');
const execFileP = promisify(execFile);

export interface ReaderCli {
  /** A directory `nobody` can read and enter (0755), removed after the test file. */
  readonly work: string;
  run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** A launcher in a new work directory (named after `prefix`) and a runner that uses it. */
export function readerCli(prefix: string): ReaderCli {
  const work = tempDir(prefix);
  chmodSync(work, 0o755);
  const cli = join(work, 'cli.mjs');
  writeFileSync(cli, `import { main } from ${JSON.stringify(join(ROOT, 'src/cli/main.ts'))};\nprocess.exitCode = await main(process.argv.slice(2));\n`);
  chmodSync(cli, 0o644);
  const asRoot = process.getuid?.() === 0;
  return {
    work,
    async run(...argv) {
      const node = [process.execPath, '--import', 'tsx', cli, ...argv];
      const [cmd, args] = asRoot ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', ...node]] : [node[0]!, node.slice(1)];
      try {
        const { stdout, stderr } = await execFileP(cmd, args, { cwd: ROOT, env: { ...process.env, HOME: work } });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    },
  };
}
