/**
 * Builds a bench worker into plain JavaScript so that it runs under bare `node`, as the
 * shipped dist/ does. Running it under tsx instead would add tsx's loader thread and
 * transforms to every figure: about +60 MB of RSS before the first message.
 *
 * esbuild comes with tsx (it is what tsx transforms with); the bundle keeps node_modules
 * packages external, so they load from the repo exactly as in production, and carries a
 * source map so that CPU profiles can be mapped back to src/ (bench/profile.ts).
 */
import { build } from 'esbuild';
import { join } from 'node:path';

/** Bundles bench/<entry>.ts into bench/.work/<entry>.mjs and returns the output path. */
export async function bundleWorker(benchDir: string, entry: string): Promise<string> {
  const outfile = join(benchDir, '.work', `${entry}.mjs`);
  await build({
    entryPoints: [join(benchDir, `${entry}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  return outfile;
}
