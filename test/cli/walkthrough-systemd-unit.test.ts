/**
 * docs/systemd/mailsift.service as getting-started.md step 5 installs it: copied to
 * ~/.config/systemd/user/, running %h/.local/bin/mailsift, which is where step 1's
 * `npm install -g --prefix ~/.local .` puts the package's `mailsift` bin. systemd's own
 * checker (`systemd-analyze --user verify`, installed with systemd) accepts it, and reports a
 * missing install, which is what the docs tell the user to run it for.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;
const unitText = readFileSync(join(repo, 'docs/systemd/mailsift.service'), 'utf8');

/** A home as step 1 and step 5 leave it; `installed: false` leaves out step 1's bin link. */
function home(installed: boolean): { env: NodeJS.ProcessEnv; unit: string } {
  const h = tempDir('mailsift-unit-home-');
  const runtime = join(h, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  mkdirSync(join(h, '.config/systemd/user'), { recursive: true });
  const unit = join(h, '.config/systemd/user/mailsift.service');
  copyFileSync(join(repo, 'docs/systemd/mailsift.service'), unit);
  if (installed) {
    mkdirSync(join(h, '.local/bin'), { recursive: true });
    symlinkSync(join(repo, 'bin/mailsift.js'), join(h, '.local/bin/mailsift'));
  }
  return { env: { PATH: process.env.PATH, HOME: h, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_COLOR: '0' }, unit };
}

async function verify(installed: boolean): Promise<{ code: number; stderr: string; home: string }> {
  const { env, unit } = home(installed);
  try {
    const r = await run('systemd-analyze', ['--user', 'verify', unit], { env });
    return { code: 0, stderr: r.stderr, home: env.HOME! };
  } catch (err) {
    const e = err as { code?: number | string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('systemd-analyze is not installed (scripts/install-test-deps.sh installs it, with the systemd package)');
    return { code: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr ?? '', home: env.HOME! };
  }
}

describe('docs/systemd/mailsift.service', () => {
  it('runs the bin step 1 installs: the package bin "mailsift" under ~/.local/bin', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ mailsift: 'bin/mailsift.js' });
    expect(unitText).toMatch(/^ExecStart=%h\/\.local\/bin\/mailsift run$/m);
  });

  it('systemd-analyze --user verify accepts it once mailsift is installed', async () => {
    const r = await verify(true);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('and names the missing command when step 1 was skipped', async () => {
    const r = await verify(false);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Command ${r.home}/.local/bin/mailsift is not executable`);
  });
});
