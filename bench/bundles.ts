import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { measureBundle } from '../packages/cdk/build/bundle-sizes.js';
import { esbuildOptionsOf } from '../packages/cdk/build/lambdas.js';
import { type FunctionName, functionNames } from '../packages/cdk/src/functions.js';

export interface BundleResult {
  name: FunctionName;
  bytes: number;
  /** The three largest contributors, by input bytes in the output. */
  largest: { name: string; bytes: number }[];
  /** Median wall time of `node index.mjs` (import and top-level code, no invocation). */
  coldImportMs: number;
  /** coldImportMs over the median of a bare `node -e 0`. */
  coldImportRatio: number;
}

// What the handlers read at import time; values are placeholders, nothing is called.
const lambdaEnv = {
  ...process.env,
  AWS_REGION: 'eu-west-1',
  TABLE_NAME: 'bench',
  EVENT_BUS_NAME: 'bench',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/bench-dlq',
  API_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bench',
  API_CREDENTIALS_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bench-api-credentials',
  POWERTOOLS_LOG_LEVEL: 'WARN',
};

const wallMs = (args: string[]): number => {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env: lambdaEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Sizes each Lambda with packages/cdk/build/bundle-sizes.ts (the package build's esbuild options), then writes the same bundle
 * to a temporary directory and times its cold import in fresh Node processes, alternating with a bare
 * `node -e 0` so that machine noise hits both alike.
 */
export const measureBundles = async (runs: number): Promise<{ bareNodeMs: number; bundles: BundleResult[] }> => {
  const dir = mkdtempSync(join(tmpdir(), 'flash-bench-'));
  try {
    const bare: number[] = [];
    const bundles: BundleResult[] = [];
    for (const name of functionNames) {
      const size = await measureBundle(name);
      const outfile = join(dir, name, 'index.mjs');
      // The same options measureBundle uses, written to disk, without a source map.
      await build({ ...esbuildOptionsOf(name), outfile });
      wallMs([outfile]); // the first run fills the OS file cache
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        bare.push(wallMs(['-e', '0']));
        times.push(wallMs([outfile]));
      }
      bundles.push({
        name,
        bytes: size.bytes,
        largest: size.packages.slice(0, 3),
        coldImportMs: round1(median(times)),
        coldImportRatio: 0,
      });
    }
    const bareNodeMs = round1(median(bare));
    for (const b of bundles) b.coldImportRatio = Math.round((b.coldImportMs / bareNodeMs) * 100) / 100;
    return { bareNodeMs, bundles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
