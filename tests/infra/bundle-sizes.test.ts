import { describe, expect, it } from 'vitest';
import { measureBundles } from '../../packages/cdk/build/bundle-sizes.js';

/**
 * 400 KB until the bundles kept their names (esbuild keepNames, so dead-letter reasons and logs name the error
 * class): that costs about 7 % (20-27 KB) per function, and readable reasons are worth it.
 */
const LIMIT_BYTES = 450 * 1024;

describe('function bundles', () => {
  it('keeps every minified bundle at or under 450 KB', { timeout: 180_000 }, async () => {
    const over = (await measureBundles())
      .filter((b) => b.bytes > LIMIT_BYTES)
      .map((b) => ({
        name: b.name,
        kb: Math.round(b.bytes / 1024),
        largest: b.packages.slice(0, 4).map((p) => `${p.name} ${Math.round(p.bytes / 1024)} KB`),
      }));
    expect(over).toEqual([]);
  });
});
