import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { type FunctionName, functionNames, lambdaDirOf, packageRoot } from '../src/functions.js';

export const repoRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const entryOf = (name: FunctionName): string => path.join(repoRoot, 'functions', `${name}.ts`);

/**
 * The oldest Node the bundles are built for: the package's default runtime is Node 24, and Node 22 is still
 * accepted (MetricsPipeline's `runtime`), so the syntax must run on both.
 */
export const BUNDLE_TARGET = 'node22';

/**
 * How every function is bundled, by the package build and by `bundle-sizes.ts` alike. Nothing is taken from
 * the runtime: the functions call AWS through `@flash/aws`, not the SDK the runtime carries.
 */
export const esbuildOptionsOf = (name: FunctionName) =>
  ({
    entryPoints: [entryOf(name)],
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    minify: true,
    // Minified, yet error classes keep their names: dead-letter reasons and logs say `InvalidValueError: …`,
    // not `a: …` (tests/infra/bundle-names.test.ts).
    keepNames: true,
    logLevel: 'error',
  }) satisfies BuildOptions;

/** What a bundle was built from: its input files (relative to the repository) and a hash of their contents. */
interface BuildStamp {
  inputs: string[];
  hash: string;
}

const hashOf = (name: FunctionName, inputs: readonly string[]): string => {
  const hash = createHash('sha256').update(JSON.stringify(esbuildOptionsOf(name)));
  for (const input of inputs)
    hash
      .update(input)
      .update('\0')
      .update(readFileSync(path.join(repoRoot, input)));
  return hash.digest('hex');
};

/** The stamp sits beside the function folders, so it is in neither the asset nor its hash. */
const stampFileOf = (name: FunctionName, root: string) => path.join(root, 'lambda', `.${name}.inputs.json`);

const isUpToDate = (name: FunctionName, root: string): boolean => {
  try {
    const stamp = JSON.parse(readFileSync(stampFileOf(name, root), 'utf8')) as BuildStamp;
    return existsSync(path.join(lambdaDirOf(name, root), 'index.mjs')) && hashOf(name, stamp.inputs) === stamp.hash;
  } catch {
    return false;
  }
};

/** Replaces `file` in one step (rename), so a synth reading it meanwhile never sees it half-written. */
const writeAtomically = (file: string, contents: Uint8Array) => {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
};

/**
 * Bundles one function into `lambda/<name>/` under `root`: `index.mjs` and its source map. The map's sources are
 * paths relative to the bundle (`../../../../functions/ingest.ts`) and carry no contents, so the bundle, and
 * the asset hash CDK computes from it, is the same on every machine and in every checkout folder. Skipped when
 * none of the files it was built from changed since.
 */
export const buildLambda = async (name: FunctionName, root: string = packageRoot): Promise<string> => {
  const dir = lambdaDirOf(name, root);
  if (isUpToDate(name, root)) return dir;
  const result = await build({
    ...esbuildOptionsOf(name),
    outfile: path.join(dir, 'index.mjs'),
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
  });
  mkdirSync(dir, { recursive: true });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  const inputs = Object.keys(result.metafile.inputs).sort();
  const stamp: BuildStamp = { inputs, hash: hashOf(name, inputs) };
  writeAtomically(stampFileOf(name, root), Buffer.from(JSON.stringify(stamp)));
  return dir;
};

/** Bundles every function of `functionNames`. */
export const buildLambdas = async (root: string = packageRoot): Promise<string[]> =>
  Promise.all(functionNames.map((name) => buildLambda(name, root)));
