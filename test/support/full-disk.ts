/**
 * A real full disk for tests: a small tmpfs mounted in a temporary directory, filled with a
 * filler file until the kernel answers ENOSPC, and freed again by deleting the filler. The
 * stores, SQLite and the model store then meet the very errno a full home directory gives.
 *
 * Mounting needs root (the tests and CI run as root). Where it is not permitted,
 * `fullDiskUnavailable` says why, the tests using it are skipped (`skipIf`), and that reason
 * is printed once per test file (skipIf itself shows none).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, ftruncateSync, mkdtempSync, openSync, rmdirSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

function run(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return r.error.message;
  return r.status === 0 ? undefined : (r.stderr || `${cmd} exited with ${r.status}`).trim();
}

/** Mount a tmpfs of `size` at `dir`; the reason when that is not possible. */
function mountTmpfs(dir: string, size: string): string | undefined {
  return run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0777`, 'tmpfs', dir]);
}

function unmount(dir: string): void {
  // A file still open there (a daemon being stopped, SQLite) makes it busy: detach it lazily.
  if (run('umount', [dir]) !== undefined) run('umount', ['-l', dir]);
}

/** Why no tmpfs can be mounted here (not root, no mount(8), a container without CAP_SYS_ADMIN), or undefined. */
export const fullDiskUnavailable: string | undefined = (() => {
  if (process.platform !== 'linux') return 'tmpfs mounts need Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'mailsift-tmpfs-probe-'));
  try {
    const why = mountTmpfs(probe, '64k');
    if (why !== undefined) return `cannot mount a tmpfs: ${why}`;
    unmount(probe);
    return undefined;
  } finally {
    rmdirSync(probe);
  }
})();
if (fullDiskUnavailable !== undefined) console.warn(`full-disk tests skipped: ${fullDiskUnavailable}`);

export interface SmallDisk {
  /** The mount point: put the store, state directory or model under it. */
  readonly dir: string;
  /**
   * Write the filler until not even one byte fits (ENOSPC); with `leave`, then give that many
   * bytes back (tmpfs counts whole pages: 4096 is room for one small file, such as a lock).
   */
  fill(options?: { leave?: number }): void;
  /** Delete the filler: the space is back. */
  free(): void;
  /** Bytes still free (statfs). */
  freeBytes(): number;
  /** Unmount and remove the mount point (also done after the file's last test). */
  dispose(): void;
}

const disks = new Set<SmallDisk>();
afterAll(() => {
  for (const d of disks) d.dispose();
});
process.once('exit', () => {
  for (const d of disks) d.dispose();
});

export interface SmallDiskOptions {
  /** mount(8) syntax: "256k" (default), "1m". */
  readonly size?: string;
  /** Mount over this existing (empty) directory instead of a new temporary one; it is left in place. */
  readonly at?: string;
}

/** A fresh tmpfs. Throws when mounting fails. */
export function smallDisk(options: SmallDiskOptions = {}): SmallDisk {
  const dir = options.at ?? mkdtempSync(join(tmpdir(), 'mailsift-full-disk-'));
  const why = mountTmpfs(dir, options.size ?? '256k');
  if (why !== undefined) {
    if (options.at === undefined) rmdirSync(dir);
    throw new Error(`cannot mount a tmpfs at ${dir}: ${why}`);
  }
  const filler = join(dir, '.filler');
  let mounted = true;
  const disk: SmallDisk = {
    dir,
    fill(fillOptions = {}) {
      const fd = openSync(filler, 'a');
      try {
        // Ever smaller writes: tmpfs takes whole pages, a partial page is still room for a line.
        for (let chunk = 64 * 1024; chunk >= 1; chunk = Math.floor(chunk / 2)) {
          const buf = Buffer.alloc(chunk, 0x78);
          for (;;) {
            try {
              if (writeSync(fd, buf) < chunk) break;
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
        if (fillOptions.leave) ftruncateSync(fd, Math.max(0, fstatSync(fd).size - fillOptions.leave));
      } finally {
        closeSync(fd);
      }
    },
    free() {
      try {
        unlinkSync(filler);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
    freeBytes() {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    },
    dispose() {
      if (!mounted) return;
      mounted = false;
      disks.delete(disk);
      unmount(dir);
      if (options.at !== undefined) return;
      try {
        rmdirSync(dir);
      } catch {
        // still busy after a lazy unmount: the directory itself is empty and harmless
      }
    },
  };
  disks.add(disk);
  return disk;
}
