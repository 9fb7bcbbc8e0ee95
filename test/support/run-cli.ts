/**
 * The command line run in-process through main(), with its output captured:
 *
 *   const r = await runCli('check', rulesFile);
 *   expect(r.code).toBe(2); expect(r.stderr).toMatch(/^mailsift: \[RULES_UNREADABLE\]/);
 */
import { main } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}
