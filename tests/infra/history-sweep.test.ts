import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { HistorySweep } from '../../packages/cdk/src/history-sweep.js';
import { MetricsData } from '../../packages/cdk/src/metrics-data.js';

/** The history sweep as its own construct: schedule, function, permissions, state machine loop and alarm. */
const synth = () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'History');
  const data = new MetricsData(stack, 'Data', {});
  const alarmTopic = new sns.Topic(stack, 'Alarms');
  new HistorySweep(stack, 'History', {
    shared: {
      data,
      runtime: lambda.Runtime.NODEJS_24_X,
      logRetention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
      logLevel: 'INFO',
      metricEnv: { METRICS_TIMEZONE: 'UTC' },
      functionProps: {},
    },
    sources: ['stripe', 'hubspot'],
    alarmTopic,
  });
  return Template.fromStack(stack);
};

describe('history sweep on AWS', () => {
  const template = synth();

  it('schedules one nightly sweep per source, starting the state machine for the last 3 days', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    for (const source of ['stripe', 'hubspot'])
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(30 2 * * ? *)',
        Target: Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('HistoryBackfillRuns') },
          Input: JSON.stringify({ source, sinceDays: 3 }),
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
        }),
      });
  });

  it('runs the backfill function for up to 15 minutes a leg, looping with its checkpoint until done', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'backfill',
          EVENT_BUS_NAME: Match.anyValue(),
          API_CREDENTIALS_ARN: { Ref: Match.stringLikeRegexp('HistoryApiCredentials') },
        }),
      },
    });
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
      Properties: { DefinitionString: unknown };
    };
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('\\"Variable\\":\\"$.done\\",\\"BooleanEquals\\":true');
    expect(definition).toContain('\\"checkpoint.$\\":\\"$.checkpoint\\"');
    expect(definition).toContain('\\"MaxAttempts\\":3');
  });

  it('grants the function only reading its credentials and putting events on the bus; the scheduler only starting the machine', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p) =>
      JSON.stringify((p as { Properties: unknown }).Properties),
    );
    const fnPolicy = policies.find((p) => p.includes('events:PutEvents'));
    expect(fnPolicy).toContain('secretsmanager:GetSecretValue');
    expect(fnPolicy).not.toMatch(/dynamodb:|sqs:|secretsmanager:PutSecretValue/);
    const schedulerPolicy = policies.find((p) => p.includes('states:StartExecution'));
    expect(schedulerPolicy).toBeDefined();
    expect(schedulerPolicy).not.toMatch(/lambda:|events:PutEvents|secretsmanager/);
  });

  it('alarms on a failed, timed out or aborted run', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failed + timedOut + aborted' })]),
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
    });
  });
});
