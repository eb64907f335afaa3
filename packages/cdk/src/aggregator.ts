import { AGGREGATE_BATCH_SIZE } from '@flash/app';
import { rulePatterns } from '@flash/core';
import { itemKeys } from '@flash/store';
import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MetricsFunction } from './metrics-function.js';
import {
  allowOnTable,
  deadLetterQueue,
  type PipelineShared,
  pipelineFunction,
  ruleEventPattern,
} from './pipeline-part.js';

export interface AggregatorProps {
  readonly shared: PipelineShared;
}

const AGGREGATE_TIMEOUT = Duration.seconds(60);

/**
 * The aggregating path: every canonical event on the bus → a queue → batches applied by the aggregate
 * function, which announces the detractor alerts of what it applied (`Alert Raised`) back on the bus.
 */
export class Aggregator extends Construct {
  readonly queue: sqs.Queue;
  /**
   * Events the aggregator could not take, whether SQS gave up on them, the function parked them with their
   * reason, or EventBridge could not deliver them: all carry the bus event, so redriving the DLQ retries them.
   */
  readonly deadLetterQueue: sqs.Queue;
  readonly rule: events.Rule;
  readonly function: MetricsFunction;

  constructor(scope: Construct, id: string, props: AggregatorProps) {
    super(scope, id);
    const { data, metricEnv } = props.shared;
    this.deadLetterQueue = deadLetterQueue(this, 'AggregateDlq');
    this.queue = new sqs.Queue(this, 'AggregateQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for Lambda consumers: six times the function timeout, so retries never overlap a run.
      visibilityTimeout: Duration.seconds(AGGREGATE_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    this.rule = new events.Rule(this, 'AggregateRule', {
      description: 'Every canonical entity event to the aggregator queue',
      eventBus: data.bus,
      eventPattern: ruleEventPattern(rulePatterns.aggregate),
      targets: [new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });
    this.function = pipelineFunction(this, 'aggregate', props.shared, {
      description: 'SQS batches of canonical events → entity states and aggregates',
      memorySize: 512,
      timeout: AGGREGATE_TIMEOUT,
      environment: {
        ...metricEnv,
        TABLE_NAME: data.table.tableName,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        // Where it announces detractor alerts (`Alert Raised`) once their state is applied.
        EVENT_BUS_NAME: data.bus.eventBusName,
      },
    });
    data.bus.grantPutEventsTo(this.function);
    // What DynamoStore's EntityStore calls: loadEntities, loadNodes and loadJournals (BatchGetItem); commit, one
    // TransactWriteItems of conditional Puts (entity states, their journal); the fold's lease and single
    // Updates (rollup nodes, aggregate counters). Listing journals (Query) and removing them (the Deletes of
    // endFold's transaction) only in the journal partition. Nothing that scans or reads an index.
    allowOnTable(this.function, data.table, ['BatchGetItem', 'PutItem', 'UpdateItem']);
    allowOnTable(this.function, data.table, ['Query', 'DeleteItem'], [itemKeys.journalPartition]);
    // Poison records are parked in the DLQ at once, with their reason, instead of waiting for maxReceiveCount.
    // SendMessage alone: the handler has the queue's URL, so it needs neither GetQueueUrl nor its attributes.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: AGGREGATE_BATCH_SIZE,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        // Few concurrent batches: their commits run side by side, but one process at a time folds the journals
        // (the others wait for it), and a fold coalesces more when journals of several batches wait.
        maxConcurrency: 5,
      }),
    );

    const ack = (construct: Construct, ruleId: string, reason: string) =>
      Validations.of(construct).acknowledge({ id: ruleId, reason });
    ack(
      this.function,
      'Serverless-LambdaDLQ',
      "Invoked synchronously by the SQS event source mapping; failed messages go to the queue's own DLQ.",
    );
    for (const node of this.function.node.findAll())
      if (node instanceof lambda.CfnEventSourceMapping)
        ack(
          node,
          'Serverless-LambdaEventSourceMappingDestination',
          "SQS event source mappings take no on-failure destination; the queue's redrive policy moves a message to the DLQ after 5 receives.",
        );
    ack(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', 'This queue is itself a dead-letter queue.');
  }
}
