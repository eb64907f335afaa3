import { build, type Metafile } from 'esbuild';
import { type FunctionName, functionNames } from '../src/functions.js';
import { esbuildOptionsOf } from './lambdas.js';

export interface BundleSize {
  name: FunctionName;
  /** Bytes of the minified `index.mjs` (the source map is a separate file). */
  bytes: number;
  /** Input bytes each package contributes to the bundle, largest first. */
  packages: { name: string; bytes: number }[];
}

const packageOf = (input: string): string => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? input.split('/').slice(0, 2).join('/');
};

const byPackage = (metafile: Metafile, output: Metafile['outputs'][string]) => {
  const totals = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (!metafile.inputs[input]) continue;
    const name = packageOf(input);
    totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
};

/** Bundles one function with the package build's esbuild options, in memory, and measures it. */
export const measureBundle = async (name: FunctionName): Promise<BundleSize> => {
  const result = await build({
    ...esbuildOptionsOf(name),
    write: false,
    metafile: true,
    outfile: 'index.mjs',
    sourcemap: 'linked',
    sourcesContent: false,
  });
  const [path, output] = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.mjs')) ?? [];
  if (!path || !output) throw new Error(`esbuild produced no bundle for ${name}`);
  return { name, bytes: output.bytes, packages: byPackage(result.metafile, output) };
};

export const measureBundles = (): Promise<BundleSize[]> => Promise.all(functionNames.map(measureBundle));
