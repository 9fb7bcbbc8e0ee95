/** The CLI's output streams, replaceable in tests. */
export { readRules } from '../host/read-rules.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * A reader that went away (`mailsift test RULES ~/Maildir | head`) ends the command quietly,
 * as `cat` or `grep` do, instead of an unhandled EPIPE 'error' event and its stack trace.
 * Nothing is lost by stopping: every command that writes output much is a dry run or a
 * report, and the daemon's actions are journaled (a stop is a crash it recovers from).
 */
const watched = new WeakSet<NodeJS.WriteStream>();
let closedPipeExit = 0;

/**
 * For the daemon: its log's reader going away ends it with status 1, not 0, so that systemd's
 * Restart=on-failure starts it again (with 0 it would stay stopped, as if asked to).
 */
export function failOnClosedPipe(): void {
  closedPipeExit = 1;
}

function endOnClosedPipe(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (!watched.has(stream)) {
    watched.add(stream);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(closedPipeExit);
      throw err;
    });
  }
  return stream;
}

export const processOutput: Output = {
  stdout: (t) => void endOnClosedPipe(process.stdout).write(t),
  stderr: (t) => void endOnClosedPipe(process.stderr).write(t),
};
