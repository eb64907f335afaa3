import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptionsOf } from '../../packages/cdk/build/lambdas.js';
import type { FunctionName } from '../../packages/cdk/src/functions.js';

/**
 * The functions as `cdk synth` bundles them (MetricsFunction's esbuild options, minified), loaded the way Lambda
 * loads them: a fresh Node process importing `index.mjs` with nothing but the function's environment.
 */
const dir = mkdtempSync(join(tmpdir(), 'flash-bundles-'));
const bundles = new Map<FunctionName, string>();

/** Imports the bundle, then calls its handler with `event` if given; what it threw, answered, and logged. */
const RUNNER = `
import { writeFileSync } from 'node:fs';
const [bundle, event, resultFile] = process.argv.slice(2);
const describe = (e) => ({ name: e?.name, message: e?.message, isError: e instanceof Error });
let result;
try {
  const { handler } = await import(bundle);
  result = { answer: event ? await handler(JSON.parse(event)) : null };
} catch (error) {
  result = { thrown: describe(error) };
}
writeFileSync(resultFile, JSON.stringify(result));
`;
const runner = join(dir, 'runner.mjs');

interface Run {
  thrown?: { name: string; message: string; isError: boolean };
  answer?: unknown;
  /** Every JSON line the function logged (Powertools). */
  logs: Record<string, unknown>[];
}

let runs = 0;
const run = async (name: FunctionName, env: Record<string, string>, event?: unknown): Promise<Run> => {
  const bundle = bundles.get(name);
  if (!bundle) throw new Error(`${name} is not bundled`);
  const resultFile = join(dir, `result-${++runs}.json`);
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [runner, bundle, event === undefined ? '' : JSON.stringify(event), resultFile],
    { env, timeout: 30_000 },
  );
  const logs = `${stdout}\n${stderr}`
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...(JSON.parse(readFileSync(resultFile, 'utf8')) as Omit<Run, 'logs'>), logs };
};

beforeAll(async () => {
  writeFileSync(runner, RUNNER);
  for (const name of ['aggregate', 'ingest'] as const) {
    const outfile = join(dir, name, 'index.mjs');
    await build({ ...esbuildOptionsOf(name), outfile });
    bundles.set(name, outfile);
  }
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the aggregate function is given on AWS, with a DynamoDB endpoint where nothing listens. */
const aggregateEnv = {
  TABLE_NAME: 'flash-figures',
  EVENT_BUS_NAME: 'flash-figures',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
  METRICS_TIMEZONE: 'UTC',
  BASE_CURRENCY: 'EUR',
  POWERTOOLS_SERVICE_NAME: 'aggregate',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
  AWS_MAX_ATTEMPTS: '1',
};

const surveyResponse = {
  entity: 'survey_response',
  source: 'delighted',
  id: '88217431',
  mode: 'snapshot',
  deleted: false,
  version: [1773843720],
  occurredAt: '2026-03-18T14:22:00.000Z',
  data: {
    score: 9,
    submittedAt: '2026-03-18T14:22:00.000Z',
    customerId: 'cus_1',
    email: null,
    comment: null,
    segment: null,
    channel: null,
  },
};

describe('minified bundles keep error names', { timeout: 60_000 }, () => {
  it('names an error thrown while the function starts (InvalidValueError from a bad METRICS_TIMEZONE)', async () => {
    const { thrown } = await run('aggregate', { ...aggregateEnv, METRICS_TIMEZONE: 'Mars/Olympus_Mons' });
    expect(thrown).toEqual({ name: 'InvalidValueError', message: expect.stringMatching(/Mars/), isError: true });
  });

  it('names the error a handler logs (StoreUnavailableError when DynamoDB cannot be reached)', async () => {
    const record = {
      messageId: 'm1',
      body: JSON.stringify({ detail: surveyResponse }),
      attributes: { ApproximateReceiveCount: '1' },
    };
    const { answer, logs } = await run('aggregate', aggregateEnv, { Records: [record] });
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    const errors = logs.flatMap((line) => (line.error ? [line.error as { name: string; message: string }] : []));
    // Applying the record, then folding what waits: both find DynamoDB unreachable.
    expect(errors).toEqual([
      expect.objectContaining({ name: 'StoreUnavailableError', message: expect.stringMatching(/^loadEntities/) }),
      expect.objectContaining({ name: 'StoreUnavailableError', message: expect.stringMatching(/^acquireFold/) }),
    ]);
  });
});

describe('settings checked at start', { timeout: 60_000 }, () => {
  it('refuses to start the ingest function without EVENT_BUS_NAME instead of publishing to the default bus', async () => {
    const { thrown } = await run('ingest', {
      WEBHOOK_SECRETS_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhooks',
      ENABLED_SOURCES: 'generic',
      AWS_REGION: 'eu-west-1',
    });
    expect(thrown).toEqual({ name: 'Error', message: 'EVENT_BUS_NAME is not set', isError: true });
  });
});
