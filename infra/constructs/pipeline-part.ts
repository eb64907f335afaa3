import type { EventPattern } from '@flash/core';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { MetricsData } from './metrics-data.js';
import { type FunctionName, MetricsFunction, type MetricsFunctionProps } from './metrics-function.js';

/** What the parts of the pipeline share: the stateful resources and the settings of every function. */
export interface PipelineShared {
  readonly data: MetricsData;
  readonly logRetention: logs.RetentionDays;
  /** POWERTOOLS_LOG_LEVEL of every function. */
  readonly logLevel: string;
  /** METRICS_TIMEZONE and BASE_CURRENCY, for the functions that compute figures. */
  readonly metricEnv: Readonly<Record<string, string>>;
}

export type PipelineFunctionOptions = Omit<MetricsFunctionProps, 'name' | 'logRetention' | 'logLevel'>;

/** A MetricsFunction with the pipeline's log settings, named after its entry (`Ingest` for `functions/ingest.ts`). */
export const pipelineFunction = (
  scope: Construct,
  name: FunctionName,
  shared: PipelineShared,
  options: PipelineFunctionOptions = {},
): MetricsFunction =>
  new MetricsFunction(scope, `${name[0]?.toUpperCase()}${name.slice(1)}`, {
    name,
    logRetention: shared.logRetention,
    logLevel: shared.logLevel,
    ...options,
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
 * Allows exactly `actions` on the table itself (not its indexes). IAM has no TransactWriteItems action: a
 * transaction needs the action of each of its items (PutItem, UpdateItem, ConditionCheckItem...).
 */
export const allowOnTable = (fn: MetricsFunction, table: dynamodb.ITable, actions: readonly TableAction[]): void => {
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }),
  );
};

/** rulePatterns in the shape of the L2 Rule, which renders `detailType` back as `detail-type` and copies values as they are. */
export const ruleEventPattern = ({ 'detail-type': detailType, ...rest }: EventPattern): events.EventPattern =>
  (detailType ? { ...rest, detailType } : rest) as events.EventPattern;
