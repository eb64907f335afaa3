import { describe, expect, it } from 'vitest';
import { measureBundle } from '../../packages/cdk/build/bundle-sizes.js';

/**
 * The query function serves the OpenAPI document, whose configuration schemas come from zod, but as JSON
 * generated at build time (npm run build:schemas): zod (about 100 KB) stays out of its bundle, and out of the
 * authorizer's, which reads no body at all.
 */
describe('function bundles', () => {
  it.each(['query', 'authorizer'] as const)('keeps zod out of the %s bundle', { timeout: 120_000 }, async (name) => {
    const bundle = await measureBundle(name);
    expect(bundle.packages.map((p) => p.name)).not.toContain('zod');
    expect(bundle.packages.find((p) => p.name === 'packages/app')?.bytes ?? 0).toBeGreaterThan(0);
  });
});
