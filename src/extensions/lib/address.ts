/** Address checks shared by redirect, vacation and notify. */

/**
 * The addr-spec a redirect goes to. Pigeonhole accepts a full mailbox
 * ("Name <a@b.example>") and uses its address; we do the same. Returns undefined
 * when the text holds no single valid address.
 */
export function redirectTarget(text: string): string | undefined {
  let s = text.trim();
  const angle = /<([^<>]*)>\s*$/.exec(s);
  if (angle) s = angle[1]!.trim();
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return undefined;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  const dotAtom = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
  const quoted = /^"(?:[^"\\\r\n]|\\.)*"$/;
  if (!dotAtom.test(local) && !quoted.test(local)) return undefined;
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(domain) && !/^\[[^\[\]]+\]$/.test(domain)) {
    return undefined;
  }
  return `${local}@${domain}`;
}
