/**
 * Bundles every Lambda exactly as MetricsFunction does and prints a size table (`npx tsx scripts/bundle-sizes.ts`);
 * `--packages` adds the largest contributors of each bundle.
 */
import { measureBundles } from '../packages/cdk/build/bundle-sizes.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const detail = process.argv.includes('--packages');

console.log('| function | minified bundle |\n|---|---:|');
for (const bundle of await measureBundles()) {
  console.log(`| ${bundle.name} | ${kb(bundle.bytes)} |`);
  if (detail) for (const p of bundle.packages.slice(0, 12)) console.log(`|   ${p.name} | ${kb(p.bytes)} |`);
}
