import { describe, expect, it } from 'vitest';
import { measureBundles } from '../../infra/bundle-sizes.js';

const LIMIT_BYTES = 400 * 1024;

describe('function bundles', () => {
  it('keeps every minified bundle at or under 400 KB', async () => {
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
