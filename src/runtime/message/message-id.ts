/**
 * The msg-id of a Message-ID field value as Dovecot takes it (RFC 5322 §3.6.4): the first
 * <...> that holds an "@", with whitespace removed. Used by `duplicate` (RFC 7352) and by
 * the classifier's message keys; kept here so that training does not load the evaluator.
 */
export function messageIdOf(value: string): string | undefined {
  for (const m of value.matchAll(/<([^<>]*)>/g)) {
    const id = m[1]!.replace(/\s+/g, '');
    if (id.includes('@')) return `<${id}>`;
  }
  return undefined;
}
