/**
 * The envelope of a message read from a file, which has none: taken from
 * Return-Path (or From) and Delivered-To/X-Original-To (or the first To), unless
 * given on the command line. sieve-test does much the same without -f/-r.
 */
import type { Envelope } from '../runtime/runtime.js';
import type { MessageView } from '../runtime/message/types.js';

function firstAddress(message: MessageView, names: readonly string[]): string | undefined {
  for (const name of names) {
    for (const field of message.addresses(name)) {
      const a = field.addresses[0];
      if (a) return a.address;
    }
  }
  return undefined;
}

export function defaultEnvelope(message: MessageView, given: { from?: string; to?: string }): Envelope {
  const returnPath = message.header('return-path')[0];
  const from = given.from ?? (returnPath !== undefined ? returnPath.replace(/^\s*<|>\s*$/g, '') : firstAddress(message, ['from']));
  const to = given.to ?? firstAddress(message, ['delivered-to', 'x-original-to', 'to', 'cc']);
  return { from, to };
}
