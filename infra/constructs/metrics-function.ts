import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every Lambda of the pipeline, by its entry file `functions/<name>.ts`. */
export const functionNames = [
  'ingest',
  'aggregate',
  'query',
  'alert',
  'authorizer',
  'config',
  'rebuild',
  'redrive',
  'backfill',
] as const;
export type FunctionName = (typeof functionNames)[number];

export const entryOf = (name: FunctionName): string => path.join(repoRoot, 'functions', `${name}.ts`);

/**
 * How every function is bundled; scripts/bundle-sizes.ts measures with exactly these options. The AWS SDK is
 * bundled rather than taken from the runtime, so versions are pinned and only the commands used are shipped.
 */
export const bundling = {
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  // Minified, yet error classes keep their names: dead-letter reasons and logs say `InvalidValueError: …`,
  // not `a: …` (tests/infra/bundle-names.test.ts).
  keepNames: true,
  sourceMap: true,
  // Mappings are enough for stack traces; leaving out the sources keeps the asset small.
  sourcesContent: false,
  // The SDK clients are bundled (pinned versions, no cold-start resolution), except the credential providers
  // Lambda never reaches: its credentials come from the environment, so the default chain stops at fromEnv.
  // Were one ever needed, the Node 22 runtime's own copy of the SDK provides it. Each of these is only
  // reached through a dynamic import() in @aws-sdk/credential-provider-node (the file providers, SSO and web
  // identity through defaultProvider, container and instance metadata through remoteProvider), so leaving
  // them out changes nothing that runs; `scripts/bundle-sizes.ts` shows what they would weigh.
  externalModules: [
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-login',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-web-identity',
    '@aws-sdk/nested-clients',
    '@aws-sdk/credential-provider-http',
    '@smithy/credential-provider-imds',
  ] as string[],
  // Bundled CommonJS dependencies call require(), which ESM does not define.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
} satisfies BundlingOptions;

export interface MetricsFunctionProps
  extends Omit<NodejsFunctionProps, 'entry' | 'handler' | 'runtime' | 'architecture' | 'bundling' | 'logGroup'> {
  /** The entry `functions/<name>.ts`; also the Powertools service name. */
  readonly name: FunctionName;
  readonly logRetention: logs.RetentionDays;
  /** POWERTOOLS_LOG_LEVEL. */
  readonly logLevel: string;
}

/**
 * A pipeline Lambda with the house defaults: Node 22 on arm64, minified ESM (names kept) with source maps, its own log
 * group with a retention, and a role that may write only to that log group (no managed policy).
 */
export class MetricsFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: MetricsFunctionProps) {
    const { name, logRetention, logLevel, environment, ...rest } = props;
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logRetention });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `flash figures ${name} function`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: entryOf(name),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      bundling,
      logGroup,
      role,
      memorySize: 256,
      timeout: Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      ...rest,
      environment: {
        POWERTOOLS_SERVICE_NAME: name,
        POWERTOOLS_LOG_LEVEL: logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...environment,
      },
    });
    for (const id of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'])
      Validations.of(this).acknowledge({
        id,
        reason:
          'Node.js 22 is pinned on purpose (an LTS in its support window, the version the team tests against); moving to a newer runtime is a deliberate change.',
      });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
    });
  }
}
