/**
 * `mailsift run` as a child process, for what only a real process shows: SIGHUP reloads
 * (a rules file that no longer compiles is refused, the old rules keep running), SIGTERM
 * drains and exits 0, and SIGKILL at random moments loses and duplicates nothing.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { useDaemonFixture } from './daemon-fixture.js';
import { deliverDirect, message, spawnMailsift, waitFor, type Child, type TestSetup } from './helpers.js';

const env = useDaemonFixture({ notify: true, name: 'daemon-child', mailboxes: ['A', 'B', 'Even', 'Signals'] });
const { d } = env;
const children: Child[] = [];

function run(setup: TestSetup): Child {
  const child = spawnMailsift(['run', '--config', setup.configFile]);
  children.push(child);
  return child;
}

/** Lines of a child's output that describe processed messages. */
function messageLines(child: Child): string[] {
  return child.output().split('\n').filter((l) => / uid=\d+ /.test(l));
}

// Registered after the fixture's hooks, so the children are gone before the Dovecot is.
afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
});

describe('mailsift run (child process)', () => {
  it('SIGHUP: a rules file that no longer compiles is refused with its diagnostics, the old rules stay; SIGTERM exits 0', async () => {
    const setup = env.setup('sighup');
    const rulesV1 = 'require ["fileinto"];\nif header :contains "subject" "x" { fileinto "A"; }\n';
    await setup.write({ accounts: [{ name: 'work', dovecot: d }], watches: [{ account: 'work', mailboxes: ['Signals'], rules: rulesV1, rulesName: 'signals', start: 'new' }] });
    const rulesFile = `${setup.dir}/signals.sieve`;
    const child = run(setup);
    await waitFor('connected', () => child.output().includes('work: connected to'), 20_000);

    await env.mail.append('Signals', message('h1', 'x one'));
    await waitFor('h1 processed', () => messageLines(child).some((l) => l.includes('subject="x one" → fileinto "A" (rule line 2)')));

    writeFileSync(rulesFile, 'require ["fileinto"];\nif header :contains "subject" "x" { fileinto "B" }\nfrobnicate;\n');
    child.proc.kill('SIGHUP');
    await waitFor('the reload to be refused', () => child.output().includes('the previous rules stay in use'));
    const out = child.output();
    expect(out).toMatch(new RegExp(`${rulesFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: error\\[`));
    expect(out).toContain('reloaded: 0 rules files compiled, 1 refused');

    await env.mail.append('Signals', message('h2', 'x two'));
    await waitFor('h2 processed with the old rules', () => messageLines(child).some((l) => l.includes('subject="x two" → fileinto "A"')));

    writeFileSync(rulesFile, 'require ["fileinto"];\nif header :contains "subject" "x" { fileinto "B"; }\n');
    child.proc.kill('SIGHUP');
    await waitFor('the reload', () => child.output().includes('reloaded: 1 rules file compiled'));
    await env.mail.append('Signals', message('h3', 'x three'));
    await waitFor('h3 processed with the new rules', () => messageLines(child).some((l) => l.includes('subject="x three" → fileinto "B"')));
    expect(await env.mail.ids('A')).toEqual(['h1@example.test', 'h2@example.test']);
    expect(await env.mail.ids('B')).toEqual(['h3@example.test']);

    child.proc.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.output()).toContain('mailsift stopped');
  }, 60_000);

  it('SIGKILL at random moments while 300 messages are processed: none lost, none duplicated', async () => {
    const setup = env.setup('sigkill');
    const rules = 'require ["fileinto"];\nif header :contains "subject" "even" {\n  fileinto "Even";\n}\n';
    await setup.write({ accounts: [{ name: 'work', dovecot: d }], watches: [{ account: 'work', mailboxes: ['INBOX'], rules, start: 'all' }] });
    const ids = Array.from({ length: 300 }, (_, i) => `k${i}@example.test`);
    deliverDirect(d, 'alice', '', ids.map((id, i) => message(id.replace('@example.test', ''), i % 2 ? `odd ${i}` : `even ${i}`)));

    let kills = 0;
    for (let round = 0; round < 4; round++) {
      const child = run(setup);
      // Kill somewhere in the middle: after a random number of messages, plus a random delay
      // (at most 4 × 45 messages, so mail is left for every round).
      const after = 10 + Math.floor(Math.random() * 25);
      await waitFor(`round ${round}: ${after} messages`, () => messageLines(child).length >= after || child.proc.exitCode !== null, 30_000);
      await new Promise((r) => setTimeout(r, Math.random() * 50));
      child.proc.kill('SIGKILL');
      const exit = await child.exited;
      expect(exit.signal).toBe('SIGKILL');
      kills++;
    }
    expect(kills).toBe(4);

    const last = run(setup);
    await waitFor(
      'every message in its folder',
      async () => {
        const inbox = await env.mail.ids('INBOX');
        const even = await env.mail.ids('Even');
        return inbox.length + even.length >= ids.length && inbox.filter((x) => x.startsWith('k')).length === 150 && even.length >= 150;
      },
      60_000,
      250,
    );
    last.proc.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);

    const inbox = (await env.mail.ids('INBOX')).filter((x) => x.startsWith('k'));
    const even = await env.mail.ids('Even');
    // Each message exactly once, in the folder its rule says.
    expect(inbox.length).toBe(150);
    expect(even.length).toBe(150);
    expect(new Set([...inbox, ...even]).size).toBe(300);
    expect(inbox.every((id) => Number(/k(\d+)@/.exec(id)![1]) % 2 === 1)).toBe(true);
    expect(even.every((id) => Number(/k(\d+)@/.exec(id)![1]) % 2 === 0)).toBe(true);
  }, 120_000);
});
