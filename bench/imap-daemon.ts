/**
 * The real mailsift daemon for the IMAP bench, bundled by bundle.ts into bench/.work/imap-daemon.mjs
 * and run under bare `node --expose-gc` (as the shipped dist/ runs):
 *
 *   node imap-daemon.mjs run --config FILE --log-format json
 *       exactly `mailsift run` (src/cli/main.ts): latency and memory
 *   node imap-daemon.mjs forced MODE --config FILE
 *       startDaemon() with the watcher forced into MODE (idle | poll): the poll-pass cost,
 *       which `mailsift run` shows only against a server without NOTIFY
 *
 * SIGUSR2 (the bench's, Node leaves it free): two full GCs, then one line
 * `{"type":"memory","rssKB":…,"heapUsedKB":…}` on stderr.
 */
// First, as bin/mailsift.js does before loading the CLI: exactly the shipped V8 flags
// (bin/v8-flags.js sets them when evaluated; the bundle evaluates it before src/, which
// loads lazily through the dynamic imports below).
import '../bin/v8-flags.js';
import { readFileSync } from 'node:fs';

process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  setTimeout(() => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    const mem = process.memoryUsage();
    process.stderr.write(`${JSON.stringify({ type: 'memory', rssKB: m ? Number(m[1]) : Math.round(mem.rss / 1024), heapUsedKB: Math.round(mem.heapUsed / 1024) })}\n`);
  }, 200);
});

async function forced(mode: string, configFile: string): Promise<number> {
  if (mode !== 'idle' && mode !== 'poll') throw new Error(`forced: mode must be idle or poll, not ${mode}`);
  const { loadConfig } = await import('../src/config/load.js');
  const { startDaemon } = await import('../src/daemon/daemon.js');
  const { createLogger } = await import('../src/daemon/log.js');
  const config = await loadConfig(configFile);
  const daemon = await startDaemon(config, { logger: createLogger({ format: 'json' }), handleSignals: true, configFile, watcher: { mode } });
  await daemon.stopped;
  return 0;
}

async function entry(args: string[]): Promise<number> {
  if (args[0] === 'forced') {
    const i = args.indexOf('--config');
    return forced(args[1] ?? '', args[i + 1] ?? '');
  }
  const { main } = await import('../src/cli/main.js');
  return main(args);
}

entry(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`mailsift (bench): ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 2;
  },
);
