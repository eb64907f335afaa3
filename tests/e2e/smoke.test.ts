import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type LocalStack, startLocalStack } from '@flash/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../support/http.js';

/** `npm run smoke` as an operator runs it (its own process, real HTTP) against the local stack. */
const root = join(import.meta.dirname, '../..');
const secrets = { API_TOKEN: 'smoke-token-0123456789', WEBHOOK_SECRET_GENERIC: 'gen_smoke_secret' };

const smoke = async (args: string[]) =>
  promisify(execFile)(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/smoke.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH },
    timeout: 60_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

describe('npm run smoke', { timeout: 90_000 }, () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ env: secrets, port: 0, logLevel: 'SILENT', readCacheMs: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('passes against a working stack: refusal, 202, the figure moves, and it cleans up after itself', async () => {
    const run = await smoke([
      '--url',
      stack.url,
      '--token',
      secrets.API_TOKEN,
      '--generic-secret',
      secrets.WEBHOOK_SECRET_GENERIC,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ok +the authorizer refuses a wrong token \(401\)/);
    expect(run.stdout).toMatch(/ok +billing of 2000-01 moved by 12\.34 \(0 → 12\.34\)/);
    expect(run.stdout).toMatch(/back to 0\nsmoke test passed/);
    const { body } = await getJson<{ billing: { thisMonth: number } }>(`${stack.url}/v1/metrics?period=2000-01`, {
      authorization: `Bearer ${secrets.API_TOKEN}`,
    });
    expect(body.billing.thisMonth).toBe(0);
  });

  it('fails with exit code 1 naming the step when the signing secret is wrong', async () => {
    const run = await smoke(['--url', stack.url, '--token', secrets.API_TOKEN, '--generic-secret', 'not-the-secret']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^FAIL POST \/webhooks\/generic answered 401/m);
  });

  it('fails when the token it is given is refused', async () => {
    const run = await smoke([
      '--url',
      stack.url,
      '--token',
      'wrong',
      '--generic-secret',
      secrets.WEBHOOK_SECRET_GENERIC,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/FAIL GET \/v1\/metrics answered 401.*--token/);
  });
});
