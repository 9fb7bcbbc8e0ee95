/**
 * The items of the Sieve environment test (RFC 5183) that only the host knows.
 * Pigeonhole reports the machine's name for both host and domain; so do we.
 */
import { hostname } from 'node:os';

export function hostEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const name = hostname();
  return { host: name, domain: name, ...extra };
}
