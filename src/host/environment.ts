/**
 * The items of the Sieve environment test (RFC 5183) that only the host knows.
 * Pigeonhole reports the machine's name for both host and domain; so do we.
 */
import { hostname } from 'node:os';

/** Read once: os.hostname() is a system call, and an intake asks for every message (twice). */
let machineName: string | undefined;

export function hostEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const name = (machineName ??= hostname());
  return { host: name, domain: name, ...extra };
}
