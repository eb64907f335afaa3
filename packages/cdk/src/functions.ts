import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Every Lambda of the pipeline: `functions/<name>.ts` in the repository, bundled at package build time into
 * `lambda/<name>/index.mjs` of this package. Adding a function is one entry here (and its entry file); the
 * build, the bundle budgets and the packed package follow this list.
 */
export const functionNames = [
  'ingest',
  'aggregate',
  'query',
  'alert',
  'authorizer',
  'config',
  'rebuild',
  'redrive',
  'snapshot',
  'backfill',
] as const;
export type FunctionName = (typeof functionNames)[number];

/**
 * The package's root: one level above this file, whether it runs as source (`src/`) or bundled (`dist/`;
 * the build defines `import.meta.url` for the CommonJS bundle).
 */
export const packageRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the package build writes the prebuilt bundle of a function. */
export const lambdaDirOf = (name: FunctionName, root: string = packageRoot): string => path.join(root, 'lambda', name);

/** The prebuilt code of a function, as an asset; a missing bundle fails synthesis with what to run. */
export const lambdaCodeOf = (name: FunctionName): lambda.Code => {
  const dir = lambdaDirOf(name);
  if (!existsSync(path.join(dir, 'index.mjs')))
    throw new Error(
      `No prebuilt bundle for the ${name} function at ${dir}: run \`npm run build:cdk\` at the repository root`,
    );
  return lambda.Code.fromAsset(dir);
};
