import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { placeholderLambdaEnv, sdkPackagesOf, writeSdkFloorBundle } from '../../../bench/bundles.js';

/**
 * The bench times each function beside a bundle that constructs the same AWS SDK clients and nothing else (its
 * SDK floor). The floor must hold exactly those clients, run as a function's bundle does, and refuse a package
 * it does not know rather than time a floor without it.
 */
describe('the SDK floor of a cold import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flash-sdk-floor-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the SDK client and library packages of a bundle, sorted, and nothing else', () => {
    const packages = [
      { name: 'zod' },
      { name: '@aws-sdk/lib-dynamodb' },
      { name: '@smithy/core' },
      { name: '@aws-sdk/core' },
      { name: '@aws-sdk/client-dynamodb' },
    ];
    expect(sdkPackagesOf(packages)).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']);
  });

  it('builds a bundle that constructs the clients and runs', { timeout: 60_000 }, async () => {
    const file = await writeSdkFloorBundle('alert', ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'], dir);
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); console.log(m.clients.length)`],
      { env: { ...process.env, ...placeholderLambdaEnv }, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    // The DynamoDB client and the document client around it, as the function constructs them.
    expect(run.stdout.trim()).toBe('2');
  });

  it('refuses a package it does not know how to construct', async () => {
    await expect(writeSdkFloorBundle('alert', ['@aws-sdk/client-s3'], dir)).rejects.toThrow(/client-s3/);
  });
});
