/**
 * Reading the configuration file: TOML → every problem at once, or a typed
 * Config with defaults filled in. `parseConfig` does no I/O (the environment and
 * home directory used for `~`/`$VAR` come from `options`, else the process).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { checkDeliverTo, readAccount } from './accounts.js';
import { baseDirOf, defaultConfigPath, processExpandEnv, type ExpandEnv } from './expand.js';
import { ConfigError, Problems, joinKey, type ConfigProblem } from './problems.js';
import { TableReader, isTable, typeName, type ReadContext, type TomlTable } from './reader.js';
import { readModel, readNotify, readOutgoing, readPipe, readSms, readState, readSweeps, readWatches } from './sections.js';
import type { Account, Config, ModelConfig } from './types.js';
import { MailsiftError } from '../errors.js';
import { describeFsError } from '../connectors/local/errors.js';

export interface ConfigEnvOptions {
  /** Variables for `$VAR` and the XDG defaults. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What `~` means. Default: os.homedir(). */
  readonly home?: string;
}

export interface ParseResult {
  /** Present exactly when `problems` is empty. */
  readonly config?: Config;
  readonly problems: ConfigProblem[];
}

function expandEnvOf(options: ConfigEnvOptions): ExpandEnv {
  const p = options.env === undefined || options.home === undefined ? processExpandEnv() : undefined;
  return { env: options.env ?? p!.env, home: options.home ?? p!.home };
}

function parseToml(text: string, problems: Problems): TomlTable | undefined {
  try {
    // Integers as BigInt so that `port = 993.0` (a float) can be told from 993.
    return parse(text, { integersAsBigInt: true, unsafeKeyBehaviour: 'throw' }) as TomlTable;
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const why = (err.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
    problems.list.push({ code: 'toml-syntax', key: '', message: `invalid TOML: ${why}`, line: err.line, column: err.column });
    return undefined;
  }
}

/** A table of tables keyed by user-chosen names (`[accounts.NAME]`, `[models.NAME]`). */
function namedTables(root: TableReader, section: string): Array<[string, TableReader]> {
  const v = root.raw(section);
  if (v === undefined) return [];
  if (!isTable(v)) {
    root.problem('wrong-type', section, `must be a table of [${section}.NAME] tables, not ${typeName(v)}`);
    return [];
  }
  const out: Array<[string, TableReader]> = [];
  for (const [name, item] of Object.entries(v)) {
    const key = joinKey(section, name);
    if (isTable(item)) out.push([name, new TableReader(item, key, root.ctx)]);
    else root.ctx.problems.add('wrong-type', key, `must be a table ([${key}]), not ${typeName(item)}`);
  }
  return out;
}

export function parseConfig(text: string, file: string, options: ConfigEnvOptions = {}): ParseResult {
  const problems = new Problems();
  const table = parseToml(text, problems);
  if (table === undefined) return { problems: problems.list };
  const ctx: ReadContext = { problems, expand: expandEnvOf(options), baseDir: baseDirOf(file) };
  const root = new TableReader(table, '', ctx);

  const state = readState(root.table('state'), ctx);
  const accounts: Record<string, Account> = {};
  for (const [name, r] of namedTables(root, 'accounts')) {
    const account = readAccount(r, name);
    if (account !== undefined) accounts[name] = account;
  }
  checkDeliverTo(accounts, problems);
  // Watches and sweeps name accounts: read after them, whatever the file order.
  const watch = readWatches(root.tableArray('watch'), accounts);
  const sweep = readSweeps(root.tableArray('sweep'), accounts);
  const outgoingTable = root.table('outgoing');
  const outgoing = outgoingTable && readOutgoing(outgoingTable);
  const smsTable = root.table('sms');
  const sms = smsTable && readSms(smsTable);
  const notifyTable = root.table('notify');
  const notify = notifyTable && readNotify(notifyTable);
  const pipeTable = root.table('pipe');
  const pipe = pipeTable && readPipe(pipeTable);
  const models: Record<string, ModelConfig> = {};
  for (const [name, r] of namedTables(root, 'models')) models[name] = readModel(r, name, accounts);
  root.finish();

  if (problems.list.length > 0) return { problems: problems.list };
  const config: Config = {
    file: resolve(file),
    state,
    accounts,
    watch,
    sweep,
    ...(outgoing ? { outgoing } : {}),
    ...(sms ? { sms } : {}),
    ...(notify ? { notify } : {}),
    ...(pipe ? { pipe } : {}),
    models,
  };
  return { config, problems: [] };
}

/**
 * Read and validate the configuration file (default `defaultConfigPath()`).
 * Throws CONFIG_UNREADABLE, or a ConfigError (CONFIG_INVALID) listing every problem.
 */
export async function loadConfig(path?: string, options: ConfigEnvOptions = {}): Promise<Config> {
  const file = path ?? defaultConfigPath(expandEnvOf(options));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const hint = path === undefined && (cause as NodeJS.ErrnoException).code === 'ENOENT' ? ' (create it, or pass --config FILE)' : '';
    throw new MailsiftError('CONFIG_UNREADABLE', `cannot read config file ${file}: ${describeFsError(cause)}${hint}`, { cause });
  }
  const { config, problems } = parseConfig(text, file, options);
  if (config === undefined) throw new ConfigError(file, problems);
  return config;
}
