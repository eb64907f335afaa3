/**
 * The functions' cold import alone, quicker than `npm run bench` (`npx tsx bench/cold-start.ts`):
 *   --only ingest,config   these functions only (default: all)
 *   --runs 9               runs per bundle (median)
 *   --node <path>          the Node binary to time with (default: the Lambda runtime's major when available)
 *   --save <dir>           write the bundles to <dir>/<name>/index.mjs and stop (to keep a "before")
 *   --against <dir>        also time the bundles saved in <dir>, interleaved with today's, and print both ratios
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type FunctionName, functionNames } from '../packages/cdk/src/functions.js';
import { lambdaNode, measureBundles, nodeAt, ratioOf, timeColdImports, writeBundle } from './bundles.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string', default: '9' },
    node: { type: 'string' },
    save: { type: 'string' },
    against: { type: 'string' },
  },
});
const names = (values.only?.split(',') ?? functionNames) as FunctionName[];
const unknown = names.filter((name) => !functionNames.includes(name));
if (unknown.length > 0)
  throw new Error(`unknown functions: ${unknown.join(', ')} (known: ${functionNames.join(', ')})`);
const runs = Number(values.runs);
const node = values.node ? nodeAt(values.node) : lambdaNode();

if (values.save) {
  for (const name of names) console.log(await writeBundle(name, resolve(values.save)));
} else if (values.against) {
  const before = resolve(values.against);
  const dir = mkdtempSync(join(tmpdir(), 'flash-cold-'));
  try {
    const after = await Promise.all(names.map((name) => writeBundle(name, dir)));
    const files = names.flatMap((name, i) => [join(before, name, 'index.mjs'), after[i] as string]);
    const { bareNodeMs, importMs } = timeColdImports(files, runs, node.path);
    console.log(`node ${node.version}, bare node -e 0: ${bareNodeMs} ms, ${runs} runs`);
    console.log('| function | before ms | before x | after ms | after x |\n|---|---:|---:|---:|---:|');
    names.forEach((name, i) => {
      const [b = 0, a = 0] = [importMs[2 * i], importMs[2 * i + 1]];
      const x = (ms: number) => (ms / bareNodeMs).toFixed(2);
      console.log(`| ${name} | ${b} | ${x(b)} | ${a} | ${x(a)} |`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const result = await measureBundles(runs, { names, node });
  console.log(`node ${result.node}, bare node -e 0: ${result.bareNodeMs} ms, ${runs} runs`);
  console.log(
    `AWS clients alone: ${result.clientFloorMs} ms, ${ratioOf(result.clientFloorMs, result.bareNodeMs)}x node -e 0`,
  );
  console.log('| function | KB | cold import ms | x node -e 0 |\n|---|---:|---:|---:|');
  for (const b of result.bundles)
    console.log(`| ${b.name} | ${(b.bytes / 1024).toFixed(1)} | ${b.coldImportMs} | ${b.coldImportRatio} |`);
}
