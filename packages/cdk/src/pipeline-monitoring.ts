import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface PipelineMonitoringProps {
  readonly api: apigwv2.HttpApi;
  readonly functions: Readonly<Record<'ingest' | 'aggregate' | 'query' | 'alert' | 'authorizer', lambda.IFunction>>;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  /** Alarm and OK actions go here when given. */
  readonly alarmTopic?: sns.ITopic | undefined;
  /** The aggregator is behind when its oldest message is older than this. @default 15 minutes */
  readonly maxMessageAge?: Duration;
}

const FIVE_MINUTES = Duration.minutes(5);

/** The pipeline's alarms (anything at all in a DLQ, errors, 5xx, a lagging aggregator) and its dashboard. */
export class PipelineMonitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    const { api, functions, queue, deadLetterQueues } = props;
    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric, threshold = 1) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (props.alarmTopic) {
        const action = new cloudwatchActions.SnsAction(props.alarmTopic);
        created.addAlarmAction(action);
        created.addOkAction(action);
      }
      this.alarms.push(created);
    };

    const dlqDepth = (dlq: sqs.IQueue): cloudwatch.Metric =>
      dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
    for (const [name, dlq] of Object.entries(deadLetterQueues))
      alarm(`${name}DlqNotEmpty`, `Messages in the ${name} dead-letter queue: inspect, fix, redrive.`, dlqDepth(dlq));
    for (const name of ['ingest', 'aggregate', 'alert'] as const)
      alarm(
        `${name}Errors`,
        `The ${name} function failed (an exception, a timeout or throttling).`,
        functions[name].metricErrors({ period: FIVE_MINUTES }),
      );
    alarm(
      'Api5xx',
      'The HTTP API answered 5xx (an ingest or query function failure, or an integration error).',
      api.metricServerError({ period: FIVE_MINUTES }),
    );
    const maxAge = props.maxMessageAge ?? Duration.minutes(15);
    const oldestMessage = queue.metricApproximateAgeOfOldestMessage({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    });
    alarm(
      'AggregateQueueLagging',
      `The oldest event waiting for the aggregator is over ${maxAge.toHumanString()} old.`,
      oldestMessage,
      maxAge.toSeconds(),
    );

    const fns = Object.entries(functions);
    const perFunction = (title: string, metric: (f: lambda.IFunction) => cloudwatch.Metric) =>
      new cloudwatch.GraphWidget({
        title,
        width: 8,
        left: fns.map(([name, f]) => metric(f).with({ label: name })),
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'API requests and errors',
            width: 12,
            left: [api.metricCount(), api.metricClientError(), api.metricServerError()],
          }),
          new cloudwatch.GraphWidget({
            title: 'API latency (p90)',
            width: 12,
            left: [api.metricLatency({ statistic: 'p90' }), api.metricIntegrationLatency({ statistic: 'p90' })],
          }),
        ],
        [
          perFunction('Invocations', (f) => f.metricInvocations()),
          perFunction('Errors', (f) => f.metricErrors()),
          perFunction('Duration (p90)', (f) => f.metricDuration({ statistic: 'p90' })),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Aggregator queue',
            width: 12,
            left: [queue.metricApproximateNumberOfMessagesVisible()],
            right: [oldestMessage],
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queues',
            width: 12,
            left: Object.entries(deadLetterQueues).map(([name, dlq]) => dlqDepth(dlq).with({ label: name })),
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: this.alarms })],
      ],
    });
  }
}
