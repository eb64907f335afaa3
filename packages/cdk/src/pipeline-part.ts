import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionName } from './functions.js';
import type { MetricsData } from './metrics-data.js';
import { type FunctionOverrides, MetricsFunction, type MetricsFunctionProps } from './metrics-function.js';

/** What the parts of the pipeline share: the stateful resources and the settings of every function. */
export interface PipelineShared {
  readonly data: MetricsData;
  readonly runtime: lambda.Runtime;
  readonly logRetention: logs.RetentionDays;
  /** Of the log groups and the alerts key: DESTROY for a deployment that must go away completely. */
  readonly removalPolicy: RemovalPolicy;
  /** POWERTOOLS_LOG_LEVEL of every function. */
  readonly logLevel: string;
  /** METRICS_TIMEZONE and BASE_CURRENCY, for the functions that compute figures. */
  readonly metricEnv: Readonly<Record<string, string>>;
  /** The deployment's overrides per function, over each part's defaults. */
  readonly functionProps: Readonly<Partial<Record<FunctionName, FunctionOverrides>>>;
}

export type PipelineFunctionOptions = Omit<
  MetricsFunctionProps,
  'name' | 'runtime' | 'logRetention' | 'logLevel' | 'logRemovalPolicy'
>;

/**
 * A MetricsFunction with the pipeline's runtime and log settings, the part's `options`, then the deployment's
 * overrides for `name`; named after its entry (`Ingest` for `functions/ingest.ts`).
 */
export const pipelineFunction = (
  scope: Construct,
  name: FunctionName,
  shared: PipelineShared,
  options: PipelineFunctionOptions = {},
): MetricsFunction =>
  new MetricsFunction(scope, `${name[0]?.toUpperCase()}${name.slice(1)}`, {
    name,
    runtime: shared.runtime,
    logRetention: shared.logRetention,
    logLevel: shared.logLevel,
    logRemovalPolicy: shared.removalPolicy,
    ...options,
    ...shared.functionProps[name],
  });

/** A dead-letter queue: SSE-SQS, SSL only, the longest retention SQS allows. */
export const deadLetterQueue = (scope: Construct, id: string): sqs.Queue =>
  new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });

/** DynamoDB actions, as IAM names them without the `dynamodb:` prefix. */
export type TableAction =
  | 'BatchGetItem'
  | 'GetItem'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

/**
 * Allows exactly `actions` on the table itself (not its indexes), on every item or, with `partitions`, only on
 * items of those partition keys (IAM's `dynamodb:LeadingKeys`). IAM has no TransactWriteItems action: a
 * transaction needs the action of each of its items (PutItem, UpdateItem, DeleteItem...).
 */
export const allowOnTable = (
  fn: MetricsFunction,
  table: dynamodb.ITable,
  actions: readonly TableAction[],
  partitions?: readonly string[],
): void => {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: actions.map((a) => `dynamodb:${a}`),
      resources: [table.tableArn],
      ...(partitions && { conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...partitions] } } }),
    }),
  );
};

/** An EventBridge pattern as @flash/core's rulePatterns write it (`detail-type`, as on the wire). */
type WirePattern = { readonly 'detail-type'?: unknown; readonly [field: string]: unknown };

/** rulePatterns in the shape of the L2 Rule, which renders `detailType` back as `detail-type` and copies values as they are. */
export const ruleEventPattern = ({ 'detail-type': detailType, ...rest }: WirePattern): events.EventPattern =>
  (detailType ? { ...rest, detailType } : rest) as events.EventPattern;
