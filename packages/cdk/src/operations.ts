import { itemKeys } from '@flash/store';
import { Annotations, Duration, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { Aggregator } from './aggregator.js';
import { type Alerts, allowAlarmsToPublish, topicKey } from './alerts.js';
import type { FunctionName } from './functions.js';
import type { MetricsFunction } from './metrics-function.js';
import { PipelineMonitoring } from './pipeline-monitoring.js';
import { allowOnTable, type PipelineShared, pipelineFunction } from './pipeline-part.js';

/** The id of the warning a deployment whose alarms reach nobody gets; acknowledge it with Annotations.acknowledgeWarning. */
export const ALARMS_UNHEARD_WARNING = '@flash-figures/cdk:alarmsUnheard';

export interface OperationsProps {
  readonly shared: PipelineShared;
  readonly api: apigwv2.HttpApi;
  readonly aggregator: Aggregator;
  readonly alerts: Alerts;
  /** The functions of the other parts, for the alarms and the dashboard. */
  readonly functions: Readonly<
    Record<Exclude<FunctionName, 'rebuild' | 'redrive' | 'snapshot' | 'backfill'>, MetricsFunction>
  >;
  /** Where alarms notify: an existing topic, or the pipeline's alerts topic. @default the alerts topic */
  readonly alarmTopic?: sns.ITopic | 'alerts' | undefined;
  /** An address that alarms are e-mailed to, through a topic of their own; not with alarmTopic. */
  readonly alarmEmail?: string | undefined;
  /** Whether someone is subscribed to the alerts topic (alertEmail), which alarms notify by default. */
  readonly alertsTopicHasSubscriber: boolean;
}

/** How often the "now" figures are snapshotted: the last run of a day stands for its end (docs/metrics.md). */
export const SNAPSHOT_INTERVAL: Duration = Duration.minutes(15);

/**
 * What operators run and watch: the rebuild and redrive functions (by hand, no trigger), the snapshot of the
 * "now" figures (on a schedule), the alarms with their destination, and the dashboard.
 */
export class Operations extends Construct {
  readonly rebuildFunction: MetricsFunction;
  readonly redriveFunction: MetricsFunction;
  /** Writes today's snapshot of the "now" figures, every SNAPSHOT_INTERVAL. */
  readonly snapshotFunction: MetricsFunction;
  readonly snapshotRule: events.Rule;
  /** The topic alarms notify (and their return to OK). */
  readonly alarmTopic: sns.ITopic;
  /** The topic of `alarmEmail`, when given. */
  readonly alarmsTopic: sns.Topic | undefined;
  readonly monitoring: PipelineMonitoring;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { data, metricEnv } = props.shared;
    const { aggregator, alerts } = props;

    // Invoked by hand (docs/deploy.md): no trigger, and no async retry of a manual run.
    this.rebuildFunction = pipelineFunction(this, 'rebuild', props.shared, {
      description:
        'By hand, {"mode":"verify"|"rebuild"}: scans the table and reports or rewrites drifted rollups and aggregates',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      retryAttempts: 0,
      environment: { ...metricEnv, TABLE_NAME: data.table.tableName },
    });
    // scanEntities and scanDerived (Scan), replaceNode and replaceAggregate (UpdateItem), and the fold of the
    // journals still waiting before it scans (the aggregate function's fold actions, journals only for Query
    // and DeleteItem); nothing else.
    allowOnTable(this.rebuildFunction, data.table, ['BatchGetItem', 'Scan', 'UpdateItem']);
    allowOnTable(this.rebuildFunction, data.table, ['Query', 'DeleteItem'], [itemKeys.journalPartition]);
    this.redriveFunction = pipelineFunction(this, 'redrive', props.shared, {
      description: "By hand: moves the aggregator's dead letters back onto its queue (SQS StartMessageMoveTask)",
      retryAttempts: 0,
      environment: {
        DEAD_LETTER_QUEUE_ARN: aggregator.deadLetterQueue.queueArn,
        QUEUE_ARN: aggregator.queue.queueArn,
      },
    });
    // What a message move task needs from its caller: read and delete on the source, send on the destination.
    this.redriveFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sqs:StartMessageMoveTask', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [aggregator.deadLetterQueue.queueArn],
      }),
    );
    this.redriveFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [aggregator.queue.queueArn] }),
    );
    for (const f of [this.rebuildFunction, this.redriveFunction]) {
      const invokeConfig = f.node.tryFindChild('EventInvokeConfig');
      if (invokeConfig)
        Validations.of(invokeConfig).acknowledge({
          id: 'Serverless-LambdaAsyncFailureDestination',
          reason:
            'Operator tools with async retries off (a manual run is not repeated behind the operator): a failed run is in the function log and is simply run again; there is no event to keep.',
        });
      Validations.of(f).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Run by hand, synchronously (aws lambda invoke), by an operator who gets the result or the error; a DLQ only serves asynchronous invocations, whose retries are off for these functions.',
      });
    }

    // A past month's active customers, prospects and open pipeline are the snapshot of its last day. A missed
    // run only leaves that day's snapshot older and the next one replaces it: no DLQ, no retries needed.
    this.snapshotFunction = pipelineFunction(this, 'snapshot', props.shared, {
      description:
        'Every 15 minutes: writes today\'s snapshot of the "now" figures (active customers, prospects, open pipeline)',
      retryAttempts: 0,
      environment: { ...metricEnv, TABLE_NAME: data.table.tableName },
    });
    // takeSnapshot: the live aggregates (BatchGetItem) and the day's snapshot item (PutItem); nothing else.
    allowOnTable(this.snapshotFunction, data.table, ['BatchGetItem', 'PutItem']);
    this.snapshotRule = new events.Rule(this, 'SnapshotSchedule', {
      description: 'flash figures: snapshot of the "now" figures',
      schedule: events.Schedule.rate(SNAPSHOT_INTERVAL),
      targets: [new targets.LambdaFunction(this.snapshotFunction, { retryAttempts: 0 })],
    });
    Validations.of(this.snapshotRule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'A scheduled snapshot that cannot be delivered is superseded by the next run 15 minutes later; there is no event to keep.',
    });
    const snapshotInvokeConfig = this.snapshotFunction.node.tryFindChild('EventInvokeConfig');
    if (snapshotInvokeConfig)
      Validations.of(snapshotInvokeConfig).acknowledge({
        id: 'Serverless-LambdaAsyncFailureDestination',
        reason:
          'A scheduled snapshot that fails is replaced by the next run 15 minutes later; failures show in the function error alarm.',
      });
    Validations.of(this.snapshotFunction).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Scheduled every 15 minutes with nothing to keep: a failed run is superseded by the next, and errors alarm.',
    });

    // Alarms always notify somewhere: the given topic, a topic e-mailing alarmEmail, or the alerts topic.
    if (props.alarmTopic && props.alarmEmail)
      throw new Error('alarmTopic and alarmEmail exclude each other: alarmEmail makes a topic of its own');
    if (props.alarmTopic && props.alarmTopic !== 'alerts') {
      this.alarmTopic = props.alarmTopic;
    } else if (props.alarmEmail) {
      // The alerts key when the pipeline has one; with an existing alerts topic, a key of its own.
      const key = alerts.key ?? topicKey(this, 'AlarmsKey', 'alarms', props.shared.removalPolicy);
      this.alarmsTopic = new sns.Topic(this, 'AlarmsTopic', {
        displayName: 'flash figures alarms',
        masterKey: key,
        enforceSSL: true,
      });
      this.alarmsTopic.addSubscription(
        new subscriptions.EmailSubscription(props.alarmEmail, { deadLetterQueue: alerts.deadLetterQueue }),
      );
      allowAlarmsToPublish(this.alarmsTopic, key);
      this.alarmTopic = this.alarmsTopic;
    } else {
      // An existing alerts topic's owner allows CloudWatch to publish to it, as the props say.
      if (alerts.key) allowAlarmsToPublish(alerts.topic, alerts.key);
      this.alarmTopic = alerts.topic;
      if (!props.alertsTopicHasSubscriber)
        Annotations.of(this).addWarningV2(
          ALARMS_UNHEARD_WARNING,
          'Alarms notify the alerts topic, which nobody is subscribed to: nobody hears about dead letters, failing ' +
            'functions or a lagging aggregator. Set alarmEmail (or alertEmail), pass alarmTopic, or subscribe to the ' +
            'alerts topic outside this app and acknowledge this warning.',
        );
    }

    // Every function on the dashboard, in this order (the backfill's runs are watched by HistorySweep's alarm).
    const functions: Readonly<Record<Exclude<FunctionName, 'backfill'>, MetricsFunction>> = {
      ...props.functions,
      rebuild: this.rebuildFunction,
      redrive: this.redriveFunction,
      snapshot: this.snapshotFunction,
    };
    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      api: props.api,
      functions,
      queue: aggregator.queue,
      deadLetterQueues: { aggregate: aggregator.deadLetterQueue, alert: alerts.deadLetterQueue },
      alarmTopic: this.alarmTopic,
    });
  }
}
