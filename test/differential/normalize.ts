/**
 * Maps Pigeonhole's parsed report and mailsift's dry-run action list to ONE comparable
 * form. Every rule here erases a difference of *reporting*, never of behaviour; each
 * says why. The result:
 *
 *   { status: 'ok', keep: { flags } | null, actions: NormAction[] (sorted) }
 *   { status: 'error', phase: 'runtime', keep: { flags: [] } | null }   (runtime error)
 *   { status: 'error', phase: 'compile' }                              (compile error / compare "status")
 */
import type { Action, EngineResult, Phase } from './types.js';

export type NormAction =
  | { type: 'fileinto'; mailbox: string; flags: string[]; create: boolean }
  | { type: 'redirect'; address: string }
  | { type: 'reject'; reason: string }
  | { type: 'ereject'; reason: string }
  | { type: 'vacation'; reason: string; subject: string; from: string; seconds: number }
  | {
      type: 'notify';
      method: string;
      to: string[];
      cc: string[];
      message: string;
      importance: number;
      from: string;
      body: string;
    };

export interface Normalized {
  status: 'ok' | 'error';
  phase?: Phase;
  /** Final disposition: the message ends up in INBOX (implicitly or explicitly) with these flags, or not. */
  keep?: { flags: string[] } | null;
  /** Side effects besides the INBOX store, as a sorted multiset. */
  actions?: NormAction[];
}

export type CompareMode = 'actions' | 'status';

/** Pigeonhole prints mailbox names and reject reasons through str_sanitize(s, 128). */
export const SANITIZE_MAX = 128;

/**
 * Dovecot's str_sanitize: control characters (< 0x20, not DEL) and invalid UTF-8 become '?';
 * a string longer than max bytes is cut at a character boundary to max-3 bytes plus "...".
 * Measured: 160 ASCII chars → 125 + "..."; 114 "é" → 62 "é" + "...".
 */
export function strSanitize(s: string, max = SANITIZE_MAX): string {
  const chars: string[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const lone = cp >= 0xd800 && cp <= 0xdfff;
    chars.push(cp < 0x20 || lone ? '?' : ch);
  }
  const bytes = (c: string) => Buffer.byteLength(c, 'utf8');
  const total = chars.reduce((n, c) => n + bytes(c), 0);
  if (total <= max) return chars.join('');
  let out = '';
  let n = 0;
  for (const c of chars) {
    if (n + bytes(c) > max - 3) break;
    out += c;
    n += bytes(c);
  }
  return out + '...';
}

/** Flags: system flags (\Seen) are case-insensitive and Pigeonhole prints them lower-case; keywords keep their case. Order is not meaningful (a set). */
export function normalizeFlags(flags: readonly string[]): string[] {
  const out = new Set<string>();
  // A flag string may hold several space-separated flags (RFC 5232 §3).
  for (const f of flags.flatMap((x) => x.split(/\s+/)).filter(Boolean)) {
    out.add(f.startsWith('\\') ? f.toLowerCase() : f);
  }
  return [...out].sort();
}

/** IMAP: "INBOX" is case-insensitive (RFC 3501 §5.1), and keep = fileinto "INBOX" (RFC 5228 §4.1). */
function isInbox(mailbox: string): boolean {
  return mailbox.toUpperCase() === 'INBOX';
}

/** redirect "Name <a@b>" is reported by Pigeonhole as <a@b>: compare the bare addr-spec. */
function bareAddress(a: string): string {
  const m = a.match(/<([^>]*)>/);
  return (m ? m[1]! : a).trim();
}

interface MailtoParts {
  to: string[];
  cc: string[];
  subject?: string;
  body?: string;
}

/** RFC 6068 mailto URI → recipients/subject/body; Pigeonhole reports exactly these parts. */
export function parseMailto(uri: string): MailtoParts {
  const m = uri.match(/^mailto:([^?]*)(?:\?(.*))?$/i);
  if (!m) return { to: [uri], cc: [] };
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const split = (s: string) => s.split(',').map((x) => dec(x).trim()).filter(Boolean);
  const out: MailtoParts = { to: split(m[1]!), cc: [] };
  for (const pair of (m[2] ?? '').split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const name = dec(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    if (name === 'to') out.to.push(...split(value));
    else if (name === 'cc') out.cc.push(...split(value));
    else if (name === 'subject') out.subject = dec(value);
    else if (name === 'body') out.body = dec(value);
    // bcc and other headers: Pigeonhole ignores bcc and prints the rest separately; not compared.
  }
  return out;
}

function normalizeAction(a: Action): NormAction | undefined {
  switch (a.type) {
    case 'keep':
    case 'discard':
      return undefined; // both only decide the final disposition, compared as `keep`
    case 'fileinto':
      // `copy` only decides whether the implicit keep survives, which `keep` compares.
      return { type: 'fileinto', mailbox: strSanitize(a.mailbox), flags: normalizeFlags(a.flags), create: a.create };
    case 'redirect':
      return { type: 'redirect', address: bareAddress(a.address) };
    case 'reject':
    case 'ereject':
      // Pigeonhole prints reasons through str_sanitize; mailsift keeps them whole.
      return { type: a.type, reason: strSanitize(a.reason) };
    case 'vacation': {
      // `days` (if an engine reports it) and `seconds` are one period; Pigeonhole prints seconds.
      const days = (a as { days?: number }).days;
      const seconds = a.seconds ?? (days !== undefined ? days * 86400 : NaN);
      // Pigeonhole prints :subject/:from only when given: an absent one and "" compare equal.
      return { type: 'vacation', reason: a.reason, subject: a.subject ?? '', from: a.from ?? '', seconds };
    }
    case 'notify': {
      const scheme = a.method.slice(0, a.method.indexOf(':') + 1).toLowerCase();
      const uri = scheme === 'mailto:' ? parseMailto(a.method) : { to: [a.method], cc: [] as string[] };
      return {
        type: 'notify',
        method: scheme,
        // Pigeonhole lists recipients, not the URI: compare the recipient lists (order-free).
        to: [...uri.to].sort(),
        cc: [...uri.cc].sort(),
        // The notification subject is :message, else the URI's subject= (RFC 5436 §2.7).
        message: a.message ?? uri.subject ?? '',
        // RFC 5435 §3.4: importance defaults to 2 (normal).
        importance: Number(a.importance ?? 2),
        from: a.from ?? '',
        body: uri.body ?? '',
      };
    }
    default: {
      const never: never = a;
      throw new Error(`unknown action ${JSON.stringify(never)}`);
    }
  }
}

/** Canonical JSON with sorted keys, for ordering and multiset comparison. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(stableJson).join(',') + ']';
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return '{' + Object.keys(o).sort().map((k) => JSON.stringify(k) + ':' + stableJson(o[k])).join(',') + '}';
  }
  return JSON.stringify(v);
}

export function normalize(r: EngineResult, mode: CompareMode = 'actions'): Normalized {
  if (r.status === 'error' && r.phase === undefined) throw new Error('an error result needs a phase');
  // compare "status", and every compile error: the wording/position of diagnostics differs by design.
  if (mode === 'status' || (r.status === 'error' && r.phase === 'compile')) {
    return r.status === 'ok' ? { status: 'ok' } : { status: 'error', phase: r.phase };
  }
  const inboxStores = r.actions.filter(
    (a): a is Extract<Action, { type: 'keep' | 'fileinto' }> =>
      a.type === 'keep' || (a.type === 'fileinto' && isInbox(a.mailbox)),
  );
  if (r.status === 'error') {
    // Runtime error: Pigeonhole prints no report, only that it fell back to the implicit keep.
    return { status: 'error', phase: r.phase, keep: inboxStores.length > 0 ? { flags: [] } : null };
  }
  // All INBOX stores (implicit keep, keep, fileinto "INBOX"/"inbox", :copy to INBOX) are one delivery
  // to INBOX; their flags are united (Pigeonhole prints both an explicit :copy store and the implicit keep).
  const keep = inboxStores.length > 0 ? { flags: normalizeFlags(inboxStores.flatMap((a) => a.flags)) } : null;
  const actions = r.actions
    .filter((a) => !inboxStores.includes(a as never))
    .map(normalizeAction)
    .filter((a): a is NormAction => a !== undefined)
    // Side effects are compared as a multiset: engines may list them in a different order.
    .sort((x, y) => (stableJson(x) < stableJson(y) ? -1 : stableJson(x) > stableJson(y) ? 1 : 0));
  return { status: 'ok', keep, actions };
}
