import { type CfnElement, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { uniqueIdOf } from './flat-logical-ids.js';
import type { MetricsFunction } from './metrics-function.js';
import { type PipelineShared, pipelineFunction } from './pipeline-part.js';

export interface HistorySweepProps {
  readonly shared: PipelineShared;
  /** Sources swept every night (each needs its credential in the API credentials secret). @default none */
  readonly sources: readonly string[];
  /** How many days back the nightly sweep reads (`since`). @default 3 */
  readonly sweepDays?: number;
  /** When the sweep starts, in UTC. @default 02:30 every night */
  readonly schedule?: scheduler.ScheduleExpression;
  /** Where a failed run is alarmed. */
  readonly alarmTopic: sns.ITopic;
  /** The provider API credentials JSON, made elsewhere. @default a secret of its own, empty */
  readonly existingCredentials?: secretsmanager.ISecret | undefined;
}

/**
 * History on AWS: the backfill function (the runner of `npm run backfill`, putting events on the bus), a
 * state machine that invokes it again with its checkpoint until the provider's list is read (one invocation
 * has 15 minutes), a nightly EventBridge Scheduler schedule per source that starts it for the last few days
 * (healing webhooks lost for good), the read credentials in their own secret, and an alarm on a failed run.
 * A full backfill is the same state machine started by hand (docs/deploy.md).
 */
export class HistorySweep extends Construct {
  readonly function: MetricsFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly credentials: secretsmanager.ISecret;
  readonly schedules: scheduler.Schedule[];
  readonly failedRunAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: HistorySweepProps) {
    super(scope, id);
    const { data, metricEnv } = props.shared;

    this.credentials = props.existingCredentials ?? this.createCredentials(props.shared.removalPolicy);

    this.function = pipelineFunction(this, 'backfill', props.shared, {
      description: 'Reads a provider list API from a checkpoint and puts canonical events on the bus (history)',
      memorySize: 512,
      timeout: Duration.minutes(15),
      // The state machine retries a failed leg from its checkpoint; Lambda's own async retries never apply.
      retryAttempts: 0,
      environment: {
        ...metricEnv,
        EVENT_BUS_NAME: data.bus.eventBusName,
        API_CREDENTIALS_ARN: this.credentials.secretArn,
      },
    });
    this.credentials.grantRead(this.function);
    data.bus.grantPutEventsTo(this.function);

    const leg = new tasks.LambdaInvoke(this, 'ReadPages', {
      lambdaFunction: this.function,
      comment: 'Reads pages from the checkpoint on and puts their events on the bus',
      payloadResponseOnly: true,
    });
    // A 429/5xx storm or a bus outage that outlasted the function's own retries: resume from the checkpoint
    // the state still holds (the failed leg changed nothing that a retry does not overwrite).
    leg.addRetry({
      errors: ['States.ALL'],
      interval: Duration.minutes(1),
      backoffRate: 2,
      maxAttempts: 3,
    });
    const finished = new sfn.Succeed(this, 'Done');
    const loop = leg.next(
      new sfn.Choice(this, 'ListRead').when(sfn.Condition.booleanEquals('$.done', true), finished).otherwise(
        new sfn.Pass(this, 'NextLeg', {
          parameters: { 'source.$': '$.source', 'since.$': '$.since', 'checkpoint.$': '$.checkpoint' },
        }).next(leg),
      ),
    );
    this.stateMachine = new sfn.StateMachine(this, 'BackfillRuns', {
      comment: 'flash figures: backfill one source ({"source": "stripe", "since": "2025-01-01"} or {"sinceDays": 3})',
      definitionBody: sfn.DefinitionBody.fromChainable(loop),
      timeout: Duration.hours(24),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'StateMachineLogs', {
          retention: props.shared.logRetention,
          removalPolicy: props.shared.removalPolicy,
        }),
        level: sfn.LogLevel.ALL,
      },
    });

    // The finding names the function by its logical id: CDK's unique id of its path in the stack (this construct
    // is not one of the pipeline's flattened groups), wherever the pipeline is placed.
    const backfill = this.function.node.defaultChild as CfnElement;
    const scopes = backfill.node.scopes;
    const backfillLogicalId = uniqueIdOf(scopes.slice(scopes.indexOf(Stack.of(this)) + 1).map((s) => s.node.id));
    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${backfillLogicalId}.Arn>:*]`,
        reason:
          'lambda:InvokeFunction on the backfill function and its versions (LambdaInvoke grants both), nothing else.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments and the log delivery actions of Step Functions support no resource-level permissions.',
      },
    );
    const invokeConfig = this.function.node.tryFindChild('EventInvokeConfig');
    if (invokeConfig)
      Validations.of(invokeConfig).acknowledge({
        id: 'Serverless-LambdaAsyncFailureDestination',
        reason:
          'Invoked synchronously by its state machine (or by hand); async retries are off. A failed leg is retried by the state machine and alarmed (BackfillFailed).',
      });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by its state machine, which retries from the checkpoint and alarms on failure; a DLQ only serves asynchronous invocations.',
    });

    const sweepDays = props.sweepDays ?? 3;
    this.schedules = props.sources.map(
      (source) =>
        new scheduler.Schedule(this, `Sweep${source[0]?.toUpperCase()}${source.slice(1)}`, {
          description: `flash figures: nightly sweep of ${source}, the last ${sweepDays} days`,
          schedule:
            props.schedule ?? scheduler.ScheduleExpression.cron({ minute: '30', hour: '2', timeZone: undefined }),
          target: new targets.StepFunctionsStartExecution(this.stateMachine, {
            input: scheduler.ScheduleTargetInput.fromObject({ source, sinceDays: sweepDays }),
            retryAttempts: 3,
          }),
        }),
    );

    this.failedRunAlarm = new cloudwatch.Alarm(this, 'BackfillFailed', {
      alarmDescription:
        'A backfill or nightly sweep failed (or timed out) after its retries: see the execution, fix, start it again (docs/deploy.md).',
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ statistic: 'Sum', period: Duration.hours(1) }),
          timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum', period: Duration.hours(1) }),
          aborted: this.stateMachine.metricAborted({ statistic: 'Sum', period: Duration.hours(1) }),
        },
        period: Duration.hours(1),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failedRunAlarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    this.failedRunAlarm.addOkAction(new actions.SnsAction(props.alarmTopic));
  }

  private createCredentials(removalPolicy: RemovalPolicy): secretsmanager.Secret {
    const credentials = new secretsmanager.Secret(this, 'ApiCredentials', {
      description:
        'flash figures: read-only provider API credentials for backfill, a JSON object by variable name (STRIPE_API_KEY, HUBSPOT_ACCESS_TOKEN, PIPEDRIVE_API_TOKEN, TYPEFORM_TOKEN, TYPEFORM_FORM_IDS, DELIGHTED_API_KEY)',
      secretObjectValue: {},
    });
    credentials.applyRemovalPolicy(removalPolicy);
    Validations.of(credentials).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Issued by the providers (API keys, private app tokens); rotated by hand as described in docs/deploy.md.',
    });
    return credentials;
  }
}
