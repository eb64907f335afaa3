import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../packages/cdk/build/lambdas.js';
import { functionNames } from '../../packages/cdk/src/functions.js';

/**
 * The construct as a platform team gets it: `npm pack` of packages/cdk, installed into a fresh CDK app in a
 * temporary folder that has nothing of this repository but aws-cdk-lib and constructs, typechecked with tsc and
 * synthesized there, with an existing table and bus passed in.
 *
 * aws-cdk-lib and constructs are this repository's own copies, symlinked into the app's node_modules (after
 * the tarball's offline install), so the test needs no registry and takes seconds; the tarball itself has no
 * dependencies, only these two as peers.
 */
const run = promisify(execFile);
const packageDir = join(repoRoot, 'packages/cdk');
const ACCOUNT = '111122223333';
const REGION = 'eu-central-1';
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/platform-figures`;
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/platform-bus`;

const APP = `
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { MetricsPipeline, type MetricsPipelineProps } from '@flash-figures/cdk';

const app = new App(); // writes to CDK_OUTDIR, as under the CDK CLI
const stack = new Stack(app, 'Platform', { env: { account: '${ACCOUNT}', region: '${REGION}' } });
const props: MetricsPipelineProps = {
  sources: ['generic', 'stripe'],
  existingTable: dynamodb.Table.fromTableArn(stack, 'Table', '${TABLE_ARN}'),
  existingEventBus: events.EventBus.fromEventBusArn(stack, 'Bus', '${BUS_ARN}'),
  alarmEmail: 'oncall@example.com',
};
const pipeline = new MetricsPipeline(stack, 'Figures', props);
// The resources a platform team wires to are typed properties.
const exposed: string[] = [pipeline.aggregateDeadLetterQueue.queueArn, pipeline.functions.ingest.functionArn];
void exposed;
app.synth();
`;

let dir: string;
let files: string[];
let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>; Outputs?: object };
let cdkOut: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flash-consumer-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: packageDir,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  if (!packed) throw new Error('npm pack reported nothing');
  files = packed.files.map((f) => f.path);

  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'platform-app', private: true }));
  await run(
    'npm',
    [
      'install',
      join(dir, packed.filename),
      '--offline',
      '--legacy-peer-deps',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
    ],
    { cwd: app },
  );
  for (const peer of ['aws-cdk-lib', 'constructs'])
    symlinkSync(join(repoRoot, 'node_modules', peer), join(app, 'node_modules', peer), 'dir');
  writeFileSync(join(app, 'app.ts'), APP);
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const compile = ['--strict', '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'app.ts'];
  await run(process.execPath, [tsc, ...compile], { cwd: app }).catch((error: { stdout?: string }) => {
    throw new Error(`the consumer app does not typecheck: ${error.stdout}`);
  });
  cdkOut = join(app, 'cdk.out');
  await run(process.execPath, ['app.js'], { cwd: app, env: { ...process.env, CDK_OUTDIR: cdkOut } });
  template = JSON.parse(readFileSync(join(cdkOut, 'Platform.template.json'), 'utf8'));
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const resourcesOf = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
type Statement = { Action: string | string[]; Resource: unknown };
const statements = (): Statement[] =>
  resourcesOf('AWS::IAM::Policy').flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const actionsOn = (resource: unknown) =>
  statements()
    .filter((s) => JSON.stringify(s.Resource) === JSON.stringify(resource))
    .flatMap((s) => [s.Action].flat());

describe('the packed construct', () => {
  it('ships the construct, its declarations and a prebuilt bundle per function, and no source', () => {
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'package.json']));
    for (const name of functionNames) expect(files).toContain(`lambda/${name}/index.mjs`);
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('build/'))).toEqual([]);
  });

  it('needs no workspace package and no esbuild in the consumer: nothing it ships imports one', () => {
    const installed = join(dir, 'app/node_modules');
    expect(readdirSync(installed).sort()).toEqual([
      '.package-lock.json',
      '@flash-figures',
      'aws-cdk-lib',
      'constructs',
    ]);
    const shipped = join(installed, '@flash-figures/cdk/dist');
    for (const file of readdirSync(shipped).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))) {
      const text = readFileSync(join(shipped, file), 'utf8');
      expect(text, file).not.toMatch(/(from\s*|require\()["']@flash\/|["']esbuild["']/);
    }
  });

  it('creates no table and no bus, and grants the functions what they need on the given ones', () => {
    expect(resourcesOf('AWS::DynamoDB::Table')).toEqual([]);
    expect(resourcesOf('AWS::Events::EventBus')).toEqual([]);
    expect(resourcesOf('AWS::Events::Archive')).toEqual([]);
    expect(actionsOn(TABLE_ARN).sort()).toEqual(
      expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']),
    );
    expect(actionsOn(BUS_ARN)).toContain('events:PutEvents');
    // Every rule that matches events listens on the given bus; a schedule (the snapshot's) has no bus.
    const rules = resourcesOf('AWS::Events::Rule').filter((rule) => rule.Properties.EventPattern !== undefined);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.Properties.EventBusName).toBe('platform-bus');
  });

  it('synthesizes every function on Node 24 from the prebuilt code, staged as an asset', () => {
    const fns = resourcesOf('AWS::Lambda::Function');
    expect(fns).toHaveLength(functionNames.length);
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      expect(existsSync(join(cdkOut, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'))).toBe(true);
    }
  });

  it('adds no stack outputs unless asked, and names its HTTP API', () => {
    expect(template.Outputs ?? {}).toEqual({});
    expect(resourcesOf('AWS::ApiGatewayV2::Api')[0]?.Properties.Name).toBe('flash-figures');
  });
});
