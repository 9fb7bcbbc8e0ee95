/**
 * Paths in the configuration: `~` and `$VAR`/`${VAR}` expansion, relative paths
 * taken from the config file's directory (so a config works from any cwd), and
 * the XDG base-directory defaults.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** What expansion reads from the outside world; tests pass their own. */
export interface ExpandEnv {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
}

export function processExpandEnv(): ExpandEnv {
  return { env: process.env, home: homedir() };
}

export type Expanded = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/**
 * `~` or `~/...` → the home directory; `$NAME` and `${NAME}` → the variable (an
 * unset or empty one is an error, not ''); a `$` not followed by a name stays.
 * `~user` is not supported. A relative result is resolved against `baseDir`.
 */
export function expandPath(raw: string, baseDir: string, x: ExpandEnv): Expanded {
  if (raw.trim() === '') return { ok: false, reason: 'must not be empty' };
  let s = raw;
  if (s === '~' || s.startsWith('~/')) s = x.home + s.slice(1);
  else if (s.startsWith('~')) return { ok: false, reason: `"~user" paths are not supported (write the full path): ${raw}` };
  let missing: string | undefined;
  s = s.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = x.env[name];
    if (value === undefined || value === '') {
      missing ??= name;
      return '';
    }
    return value;
  });
  if (missing !== undefined) return { ok: false, reason: `environment variable ${missing} is not set` };
  return { ok: true, path: isAbsolute(s) ? resolve(s) : resolve(baseDir, s) };
}

/** An XDG base directory: the variable when set to an absolute path, else the fallback under home. */
function xdgDir(x: ExpandEnv, variable: string, fallback: string): string {
  const v = x.env[variable];
  return v !== undefined && isAbsolute(v) ? v : join(x.home, fallback);
}

/** `$XDG_CONFIG_HOME/mailsift/config.toml`, i.e. `~/.config/mailsift/config.toml`. */
export function defaultConfigPath(x: ExpandEnv = processExpandEnv()): string {
  return join(xdgDir(x, 'XDG_CONFIG_HOME', '.config'), 'mailsift', 'config.toml');
}

/** `$XDG_STATE_HOME/mailsift`, i.e. `~/.local/state/mailsift`. */
export function defaultStateDir(x: ExpandEnv = processExpandEnv()): string {
  return join(xdgDir(x, 'XDG_STATE_HOME', join('.local', 'state')), 'mailsift');
}

/** The directory relative paths in `file` are taken from. */
export function baseDirOf(file: string): string {
  return dirname(resolve(file));
}
