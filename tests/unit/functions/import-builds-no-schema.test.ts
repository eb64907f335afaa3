import { describe, expect, it, vi } from 'vitest';
import { placeholderLambdaEnv } from '../../../bench/bundles.js';
import { functionNames } from '../../../packages/cdk/src/functions.js';

/** Where zod built a schema, for every call of one of its builders (`z.object`, `z.string`, …). */
const built = vi.hoisted(() => [] as string[]);

vi.mock('zod', async (importOriginal) => {
  const real = await importOriginal<Record<string, unknown>>();
  const counted = (namespace: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(namespace).map(([name, value]) => [
        name,
        typeof value === 'function' && /^[a-z]/.test(name)
          ? (...args: unknown[]) => {
              built.push(`z.${name} ${new Error().stack?.split('\n')[2]?.trim()}`);
              return (value as (...a: unknown[]) => unknown)(...args);
            }
          : value,
      ]),
    );
  return { ...counted(real), z: counted(real.z as Record<string, unknown>) };
});

/**
 * A function's cold start pays for everything its bundle evaluates before the first event, and building a zod
 * schema is costly (each of about a hundred costs tens of microseconds): every schema is built on first use
 * (`builtOnce`), so importing any function builds none.
 */
describe('importing a function', () => {
  it.each(functionNames)('builds no zod schema (%s)', async (name) => {
    for (const [variable, value] of Object.entries(placeholderLambdaEnv)) vi.stubEnv(variable, value);
    vi.resetModules();
    built.length = 0;
    const handler = await import(`../../../functions/${name}.ts`);
    expect(handler.handler).toBeTypeOf('function');
    expect(built).toEqual([]);
  });
});
