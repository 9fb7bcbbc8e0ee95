/**
 * The few imapflow 2.x internals the connector needs, typed in one place and checked at
 * runtime, so an imapflow upgrade that moves them fails loudly on connect instead of silently
 * dropping notifications. All are marked @internal in imapflow (stripped from its .d.ts):
 *
 * - `exec(command, attributes, { untagged })`: sends a raw command; per-command untagged
 *   handlers take precedence over the connection-wide ones. The resolved response must be
 *   released with `next()` before the next command can be dispatched.
 * - `untaggedHandlers`: connection-wide handlers keyed by response keyword. imapflow has none
 *   for STATUS, so unsolicited `* STATUS` lines (NOTIFY, RFC 5465) are dropped unless we add one.
 * - `commands`: the command registry that `run()` dispatches through. It is a module-level Map
 *   shared by every client, so registerCommand() replaces it with a per-client copy first.
 * - `run(name, ...args)`: breaks an active IDLE (via `preCheck`) before running the command,
 *   which is why our own commands go through it instead of calling exec() directly.
 * - `folders`: imapflow's cache of LIST entries by path. Its SELECT sends `LIST "" <path>`
 *   first when the path is not in it (one round trip per mailbox and connection); our own
 *   LIST-STATUS already listed every watched mailbox, so seedFolder() fills it from there.
 */
import type { ImapFlow, ImapResponse } from 'imapflow';
import type { ImapCompileNode } from 'imapflow/lib/handler/types.js';

export type UntaggedHandler = (untagged: ImapResponse) => Promise<void> | void;

interface ExecResult {
  response: ImapResponse;
  next: () => void;
}

type CommandHandler = (connection: ImapFlow, ...args: never[]) => Promise<unknown>;

interface Internals {
  exec(command: string, attributes: ImapCompileNode[] | false, options?: { untagged?: Record<string, UntaggedHandler> }): Promise<ExecResult>;
  run(command: string, ...args: unknown[]): Promise<unknown>;
  untaggedHandlers: Record<string, UntaggedHandler | null | undefined>;
  commands: Map<string, CommandHandler>;
  folders: Map<string, FolderEntry>;
}

/** The fields of an imapflow LIST entry that its SELECT reads (commands/select.js). */
export interface FolderEntry {
  path: string;
  delimiter: string;
  flags: Set<string>;
  listed: true;
  specialUse?: string;
}

const ownCommands = new WeakSet<object>();

function internals(client: ImapFlow): Internals {
  const c = client as unknown as Partial<Internals>;
  if (typeof c.exec !== 'function' || typeof c.run !== 'function' || typeof c.untaggedHandlers !== 'object' || !(c.commands instanceof Map) || !(c.folders instanceof Map)) {
    throw new Error('imapflow internals (exec, run, untaggedHandlers, commands, folders) not found: this imapflow version is not supported by src/connectors/imap');
  }
  return c as Internals;
}

/** Throws unless the internals this module relies on are present. */
export function checkInternals(client: ImapFlow): void {
  internals(client);
}

/** Installs the connection-wide handler for one untagged response keyword (e.g. STATUS). */
export function setUntaggedHandler(client: ImapFlow, keyword: string, handler: UntaggedHandler): void {
  internals(client).untaggedHandlers[keyword.toUpperCase()] = handler;
}

/** Registers a command on this client only, callable with runCommand(). Names are uppercased by imapflow. */
export function registerCommand(client: ImapFlow, name: string, handler: (connection: ImapFlow, ...args: never[]) => Promise<unknown>): void {
  const i = internals(client);
  if (!ownCommands.has(i.commands)) {
    i.commands = new Map(i.commands);
    ownCommands.add(i.commands);
  }
  i.commands.set(name.toUpperCase(), handler);
}

/** Runs a registered command through imapflow's run(): an active IDLE is broken first. */
export function runCommand(client: ImapFlow, name: string, ...args: unknown[]): Promise<unknown> {
  return internals(client).run(name, ...args);
}

/** exec() plus the mandatory next(): resolves with the tagged response once it is released. */
export async function execCommand(client: ImapFlow, command: string, attributes: ImapCompileNode[] | false, untagged?: Record<string, UntaggedHandler>): Promise<ImapResponse> {
  const result = await internals(client).exec(command, attributes, untagged ? { untagged } : undefined);
  result.next();
  return result.response;
}

/** Puts a mailbox we listed ourselves into imapflow's LIST cache, so its SELECT needs no LIST of its own. */
export function seedFolder(client: ImapFlow, entry: FolderEntry): void {
  const folders = internals(client).folders;
  if (!folders.has(entry.path)) folders.set(entry.path, entry);
}
