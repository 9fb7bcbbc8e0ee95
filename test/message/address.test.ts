import { describe, expect, it } from 'vitest';
import { parseAddressList } from '../../src/runtime/message/address.js';
import type { MailAddress } from '../../src/runtime/message/types.js';
import { latin1, msg } from './helpers.js';
import { parseMessage } from '../../src/runtime/message/parse.js';

/** Compact form: "name|address|localPart|domain[|group]". */
function brief(a: MailAddress): string {
  const s = `${a.name}|${a.address}|${a.localPart}|${a.domain}`;
  return a.group === undefined ? s : `${s}|${a.group}`;
}

type Case = [label: string, input: string, addresses: string[], invalid: boolean];

const cases: Case[] = [
  // plain forms
  ['bare addr-spec', 'user@example.com', ['|user@example.com|user|example.com'], false],
  ['angle addr', '<user@example.com>', ['|user@example.com|user|example.com'], false],
  ['phrase name', 'John Doe <jdoe@machine.example>', ['John Doe|jdoe@machine.example|jdoe|machine.example'], false],
  ['quoted name with comma', '"Doe, John" <j@x.org>', ['Doe, John|j@x.org|j|x.org'], false],
  ['quoted name with escapes', '"A \\"B\\" C" <a@b>', ['A "B" C|a@b|a|b'], false],
  ['obs-phrase with dots', 'J.R.R. Tolkien <jrr@x.uk>', ['J.R.R. Tolkien|jrr@x.uk|jrr|x.uk'], false],
  ['name whitespace collapses', 'John    Doe <j@x>', ['John Doe|j@x|j|x'], false],
  ['list', 'a@x.org, B <b@y.org>,c@z.org', ['|a@x.org|a|x.org', 'B|b@y.org|b|y.org', '|c@z.org|c|z.org'], false],
  ['empty list elements (obs-addr-list)', ',,a@b,,', ['|a@b|a|b'], false],
  ['case is kept', 'Foo@Example.COM', ['|Foo@Example.COM|Foo|Example.COM'], false],
  // RFC 2047 in display names
  ['encoded name', '=?UTF-8?Q?J=C3=B6rg?= <j@x.de>', ['Jörg|j@x.de|j|x.de'], false],
  ['adjacent encoded words', '=?UTF-8?Q?J=C3=B6rg?= =?UTF-8?Q?_M=C3=BCller?= <j@x.de>', ['Jörg Müller|j@x.de|j|x.de'], false],
  ['encoded word inside quotes (common breakage)', '"=?ISO-8859-1?Q?Ren=E9?=" <r@x>', ['René|r@x|r|x'], false],
  ['encoded word with a comma stays one name', '=?UTF-8?B?RG9lLCBKb2hu?= <j@x>', ['Doe, John|j@x|j|x'], false],
  // comments anywhere
  ['RFC 5322 A.5 comments', 'Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>', ['Pete|pete@silly.test|pete|silly.test'], false],
  ['trailing comment is not a name', 'a@b.c (Alice)', ['|a@b.c|a|b.c'], false],
  ['nested comment', 'a@b (x (y) z)', ['|a@b|a|b'], false],
  // groups
  ['undisclosed-recipients', 'undisclosed-recipients:;', [], false],
  ['group with members', 'Team: a@x, B <b@y>;', ['|a@x|a|x|Team', 'B|b@y|b|y|Team'], false],
  ['group then mailbox', 'Team: a@x;, c@z', ['|a@x|a|x|Team', '|c@z|c|z'], false],
  [
    'RFC 5322 A.1.3 group',
    'A Group(Some people):Chris Jones <c@(Chris\'s host.)public.example>, joe@example.org, John <jdoe@one.test> (my dear friend); (the end of the group)',
    ['Chris Jones|c@public.example|c|public.example|A Group', '|joe@example.org|joe|example.org|A Group', 'John|jdoe@one.test|jdoe|one.test|A Group'],
    false,
  ],
  ['RFC 5322 A.1.3 empty group', '(Empty list)(start)Hidden recips  :(nobody(that I know))  ;', [], false],
  ['encoded group name', '=?UTF-8?Q?=C3=89quipe?=: a@x;', ['|a@x|a|x|Équipe'], false],
  // obsolete forms (RFC 5322 §4.4, A.6.3)
  ['route addr', '<@r1.test,@r2.test:u@d.test>', ['|u@d.test|u|d.test'], false],
  ['A.6.3 obs route and CFWS dots', 'Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example', ['Mary Smith|mary@example.net|mary|example.net', '|jdoe@test.example|jdoe|test.example'], false],
  ['quoted local part', '"john doe"@example.com', ['|"john doe"@example.com|"john doe"|example.com'], false],
  ['quoted local part with @, split at the last @', '"a@b"@c.d', ['|"a@b"@c.d|"a@b"|c.d'], false],
  ['domain literal', 'x@[192.0.2.1]', ['|x@[192.0.2.1]|x|192.0.2.1'], false],
  ['lenient dots in local part', 'a..b.@docomo.ne.jp', ['|a..b.@docomo.ne.jp|a..b.|docomo.ne.jp'], false],
  ['UTF-8 address (RFC 6532)', 'Jörg <jörg@bücher.de>', ['Jörg|jörg@bücher.de|jörg|bücher.de'], false],
  // nothing there
  ['empty', '', [], false],
  ['whitespace only', '   ', [], false],
  ['null address <>', '<>', [], false],
  // invalid: best effort plus the flag
  ['not an address', 'not an address', [], true],
  ['single word', 'root', ['|root|root|'], true],
  ['angle word without domain', 'Admin <root>', ['Admin|root|root|'], true],
  ['trailing junk after angle addr', '<a@b> junk', ['|a@b|a|b'], true],
  ['trailing junk after addr-spec', 'a@b junk', ['|a@b|a|b'], true],
  ['missing angle brackets', 'John Smith john@x.com', ['|john@x.com|john|x.com'], true],
  ['double angle brackets', '<<a@b>>', ['|a@b|a|b'], true],
  ['missing closing >', 'A <a@b, c@d', ['A|a@b|a|b', '|c@d|c|d'], true],
  ['two @, split at the last', 'a@b@c', ['|a@b@c|a@b|c'], true],
  ['group without ;', 'Team: a@x', ['|a@x|a|x|Team'], true],
  ['stray ;', 'a@b; c@d', ['|a@b|a|b', '|c@d|c|d'], true],
  ['unterminated comment', 'a@b (oops', ['|a@b|a|b'], true],
  ['unterminated quote', '"oops <a@b>', ['|"oops <a@b>|"oops <a@b>|'], true],
  ['lone @', '@', [], true],
  ['no local part', '@example.com', [], true],
  ['trailing dot in domain', 'a@b.', ['|a@b.|a|b.'], true],
  ['nested group', 'A: B: c@d;;', ['|c@d|c|d|A'], true],
  ['stray brackets', ']a@b)', ['|a@b|a|b'], true],
];

describe('parseAddressList', () => {
  it.each(cases)('%s', (_label, input, addresses, invalid) => {
    const r = parseAddressList(input);
    expect(r.addresses.map(brief)).toEqual(addresses);
    expect(r.invalid).toBe(invalid);
  });

  it('omits `group` outside groups', () => {
    expect(parseAddressList('a@b').addresses[0]).not.toHaveProperty('group');
  });
});

describe('MessageView.addresses', () => {
  it('gives one AddressField per field, in order, with the decoded text', () => {
    const m = msg('To: a@x\nCc: c@z\nTO: =?UTF-8?Q?B=C3=A9?= <b@y>\n\n');
    const fields = m.addresses('to');
    expect(fields.map((f) => f.field.name)).toEqual(['To', 'TO']);
    expect(fields.map((f) => f.text)).toEqual(['a@x', 'Bé <b@y>']);
    expect(fields[1]!.addresses.map(brief)).toEqual(['Bé|b@y|b|y']);
    expect(fields.every((f) => !f.invalid)).toBe(true);
  });

  it('parses folded fields', () => {
    const m = msg('To: "Doe,\n John" <j@x>,\n\tk@y\n\n');
    expect(m.addresses('to')[0]!.addresses.map(brief)).toEqual(['Doe, John|j@x|j|x', '|k@y|k|y']);
  });

  it('flags an invalid field and keeps its text for :all fallbacks', () => {
    const f = msg('From: not an address\n\n').addresses('from')[0]!;
    expect(f.invalid).toBe(true);
    expect(f.addresses).toEqual([]);
    expect(f.text).toBe('not an address');
  });

  it('reads latin1 8-bit display names', () => {
    const m = parseMessage(latin1('From: J\xfcrgen <j@x.de>\r\n\r\n'));
    expect(m.addresses('from')[0]!.addresses.map(brief)).toEqual(['Jürgen|j@x.de|j|x.de']);
  });

  it('returns [] for a missing field', () => {
    expect(msg('A: 1\n\n').addresses('from')).toEqual([]);
  });
});
