/** The CLI's output streams, replaceable in tests. */
export { readRules } from '../host/read-rules.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processOutput: Output = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

