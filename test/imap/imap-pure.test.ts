/** The pure parts of the IMAP connector: STATUS parsing/merging, patterns, mode choice, options, Message-ID. */
import type { ImapResponse } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { MailsiftError } from '../../src/errors.js';
import { imapFlowOptions, isLoopbackHost } from '../../src/connectors/imap/connect.js';
import { connectError } from '../../src/connectors/imap/errors.js';
import { chunks, messageIdOf } from '../../src/connectors/imap/fetch-new.js';
import { mergeStatus, parseStatusResponse, patternMatcher, sameState } from '../../src/connectors/imap/mailbox-state.js';
import { chooseMode, notifyFilters } from '../../src/connectors/imap/mode.js';
import type { ImapAccountConfig } from '../../src/connectors/imap/types.js';

const atom = (value: string) => ({ type: 'ATOM', value });

function statusLine(name: string, pairs: [string, string][]): ImapResponse {
  return { tag: '*', command: 'STATUS', attributes: [{ type: 'STRING', value: name }, pairs.flatMap(([k, v]) => [atom(k), atom(v)])] };
}

describe('parseStatusResponse', () => {
  it('reads the tracked items and ignores the rest', () => {
    const r = parseStatusResponse(statusLine('Lists/dev', [['MESSAGES', '2'], ['UIDNEXT', '3'], ['UNSEEN', '2'], ['HIGHESTMODSEQ', '9007199254740993']]));
    expect(r).toEqual({ rawName: 'Lists/dev', fields: { messages: 2, uidNext: 3, highestModseq: 9007199254740993n } });
  });

  it.each([
    ['UIDNEXT', '-1'],
    ['UIDNEXT', '4294967296'],
    ['UIDVALIDITY', '1e5'],
    ['HIGHESTMODSEQ', 'x'],
  ])('drops an unusable %s %s', (key, value) => {
    expect(parseStatusResponse(statusLine('INBOX', [[key, value]]))!.fields).toEqual({});
  });

  it('takes a literal (Buffer) name and rejects malformed lines', () => {
    const literal: ImapResponse = { tag: '*', command: 'STATUS', attributes: [{ type: 'LITERAL', value: Buffer.from('A "b"') }, [atom('UIDNEXT'), atom('7')]] };
    expect(parseStatusResponse(literal)).toEqual({ rawName: 'A "b"', fields: { uidNext: 7 } });
    expect(parseStatusResponse({ tag: '*', command: 'STATUS', attributes: [atom('INBOX')] })).toBeUndefined();
  });
});

describe('mergeStatus', () => {
  const prev = { mailbox: 'INBOX', uidNext: 5, uidValidity: 100, highestModseq: 7n, messages: 4 };

  it('keeps what a partial answer leaves out (Dovecot NOTIFY omits UIDVALIDITY)', () => {
    expect(mergeStatus('INBOX', prev, { uidNext: 6, messages: 5, highestModseq: 8n })).toEqual({ ...prev, uidNext: 6, messages: 5, highestModseq: 8n });
  });

  it('drops the old values when UIDVALIDITY changed', () => {
    expect(mergeStatus('INBOX', prev, { uidValidity: 200, uidNext: 1 })).toEqual({ mailbox: 'INBOX', uidValidity: 200, uidNext: 1 });
    expect(mergeStatus('INBOX', prev, { uidValidity: 200 })).toBeUndefined();
  });

  it('needs UIDNEXT and UIDVALIDITY for a first state', () => {
    expect(mergeStatus('INBOX', undefined, { uidNext: 2, messages: 1 })).toBeUndefined();
    expect(mergeStatus('INBOX', undefined, { uidNext: 2, uidValidity: 9 })).toEqual({ mailbox: 'INBOX', uidNext: 2, uidValidity: 9 });
  });

  it('sameState compares every tracked field', () => {
    expect(sameState(prev, { ...prev })).toBe(true);
    expect(sameState(prev, { ...prev, highestModseq: 8n })).toBe(false);
    expect(sameState(undefined, prev)).toBe(false);
  });
});

describe('patternMatcher', () => {
  const m = patternMatcher(['inbox', 'Lists/*', 'Work/%'], '/');
  it.each([
    ['INBOX', true],
    ['Inbox', true],
    ['INBOX/sub', false],
    ['Lists/dev', true],
    ['Lists/dev/deep', true],
    ['Lists', false],
    ['Work/a', true],
    ['Work/a/b', false],
    ['Other', false],
    ['Lists.dev', false],
  ])('%s → %s', (path, expected) => {
    expect(m(path)).toBe(expected);
  });
});

describe('chooseMode and notifyFilters', () => {
  const caps = (...names: string[]) => new Map(names.map((n) => [n, true]));
  it.each([
    [['NOTIFY', 'IDLE'], 'auto', 'notify'],
    [['IDLE'], 'auto', 'idle'],
    [[], 'auto', 'poll'],
    [['NOTIFY', 'IDLE'], 'idle', 'idle'],
    [['NOTIFY', 'IDLE'], 'poll', 'poll'],
    [['IDLE'], 'notify', 'idle'],
  ] as const)('%j with %s → %s', (names, requested, mode) => {
    expect(chooseMode(caps(...names), requested)).toBe(mode);
  });

  it('uses `mailboxes` for names (then personal) and `personal` for patterns', () => {
    expect(notifyFilters(['inbox', 'Sent'], (s) => (s.toUpperCase() === 'INBOX' ? 'INBOX' : s))).toEqual([
      { kind: 'mailboxes', mailboxes: ['INBOX', 'Sent'] },
      { kind: 'personal' },
    ]);
    expect(notifyFilters(['INBOX', 'Lists/*'], (s) => s)).toEqual([{ kind: 'personal' }]);
  });
});

describe('connect policy', () => {
  const account = (over: Partial<ImapAccountConfig>): ImapAccountConfig => ({ name: 'acc', host: 'imap.example.test', port: 993, tls: 'implicit', user: 'u', password: 'p4ss', ...over });

  it.each([
    ['localhost', true],
    ['LOCALHOST.', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['imap.example.test', false],
    ['localhost.example.test', false],
  ])('isLoopbackHost(%s) = %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it('verifies certificates and never falls back to plaintext', () => {
    expect(imapFlowOptions(account({}))).toMatchObject({ secure: true, tls: { rejectUnauthorized: true }, logger: false });
    expect(imapFlowOptions(account({ tls: 'starttls', port: 143 }))).toMatchObject({ secure: false, doSTARTTLS: true });
    expect(imapFlowOptions(account({ tls: 'none', host: '127.0.0.1' }))).toMatchObject({ secure: false, doSTARTTLS: false });
    expect(imapFlowOptions(account({ tls: 'none', allowInsecure: true }))).toMatchObject({ secure: false, doSTARTTLS: false });
  });

  it('refuses plaintext to a remote host, without the password in the message', () => {
    expect(() => imapFlowOptions(account({ tls: 'none' }))).toThrow(expect.objectContaining({ code: 'IMAP_INSECURE_REFUSED' }));
    try {
      imapFlowOptions(account({ tls: 'none' }));
    } catch (err) {
      expect((err as Error).message).not.toContain('p4ss');
    }
  });

  it.each([
    [{ authenticationFailed: true, responseText: 'Authentication failed.' }, 'IMAP_AUTH_FAILED'],
    [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' }, 'IMAP_TLS_FAILED'],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }, 'IMAP_TLS_FAILED'],
    [{ tlsFailed: true, message: 'Server does not support STARTTLS' }, 'IMAP_TLS_FAILED'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'IMAP_CONNECT_FAILED'],
    [{ code: 'CONNECT_TIMEOUT', message: 'Connection timed out' }, 'IMAP_CONNECT_FAILED'],
  ] as [Record<string, unknown>, string][])('classifies %j as %s', (raw, code) => {
    const err = connectError(Object.assign(new Error(String(raw.message ?? 'x')), raw, { executedCommand: 'A LOGIN u p4ss' }), { account: 'acc', host: 'h', port: 1, user: 'u' });
    expect(err).toBeInstanceOf(MailsiftError);
    expect(err.code).toBe(code);
    expect(err.message).not.toMatch(/\n|p4ss/);
    expect((err.cause as { executedCommand?: string }).executedCommand).toBeUndefined();
  });
});

describe('messageIdOf and chunks', () => {
  it.each([
    ['Message-ID: <a@b>\r\n\r\n', 'a@b'],
    ['Subject: x\r\nmessage-id:\r\n  <folded@b>\r\n\r\nMessage-ID: <body@b>', 'folded@b'],
    ['Message-Id: bare@b\r\n\r\n', 'bare@b'],
    ['Subject: none\r\n\r\nMessage-ID: <in-body@b>\r\n', undefined],
  ])('%j → %s', (raw, id) => {
    expect(messageIdOf(Buffer.from(raw))).toBe(id);
  });

  it('splits into batches', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 3)).toEqual([]);
  });
});
