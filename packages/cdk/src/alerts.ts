import { ALERT_SOURCE, DETRACTOR_DETECTED, rulePatterns } from '@flash/core';
import { ArnFormat, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MetricsFunction } from './metrics-function.js';
import {
  allowOnTable,
  deadLetterQueue,
  type PipelineShared,
  pipelineFunction,
  ruleEventPattern,
} from './pipeline-part.js';

export interface AlertsProps {
  readonly shared: PipelineShared;
  /** E-mail address subscribed to the alerts topic (it must confirm the subscription). */
  readonly alertEmail?: string | undefined;
  /**
   * A topic made elsewhere for the alerts, instead of one of the pipeline's own (and its key). Its owner
   * lets `events.amazonaws.com` publish to it (and use its key, if encrypted). @default a topic of its own
   */
  readonly existingTopic?: sns.ITopic | undefined;
}

/** The account a service acts for, as conditions of a statement that grants that service. */
const sourceAccount = (scope: Construct) => ({ StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } });

/**
 * targets.SnsTopic, except that the topic policy lets EventBridge publish for this rule of this account only
 * (`aws:SourceArn`, `aws:SourceAccount`), and grants nothing on the topic's key (the key allows it separately:
 * a key policy naming the rule would make a cycle, key → rule → topic → key).
 */
class SnsTopicOfRule implements events.IRuleTarget {
  constructor(
    private readonly topic: sns.ITopic,
    private readonly props: targets.SnsTopicProps,
  ) {}

  bind(rule: events.IRuleRef): events.RuleTargetConfig {
    const { ruleArn } = rule.ruleRef;
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ...sourceAccount(rule), ArnEquals: { 'aws:SourceArn': ruleArn } },
      }),
    );
    if (this.props.deadLetterQueue) targets.addToDeadLetterQueueResourcePolicy(rule, this.props.deadLetterQueue);
    return {
      ...targets.bindBaseTargetConfig(this.props),
      arn: this.topic.topicArn,
      input: this.props.message,
      targetResource: this.topic,
    };
  }
}

/**
 * Lets CloudWatch alarms of this account publish to `topic`, encrypted with `key`: `cloudwatch.amazonaws.com`
 * on the topic and the key, for alarm ARNs of this account and region only.
 */
export const allowAlarmsToPublish = (topic: sns.ITopic, key: kms.IKey): void => {
  const stack = Stack.of(topic);
  const alarms = stack.formatArn({
    service: 'cloudwatch',
    resource: 'alarm',
    resourceName: '*',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
  const conditions = { ...sourceAccount(topic), ArnLike: { 'aws:SourceArn': alarms } };
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [cloudwatch],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions,
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [cloudwatch],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions,
    }),
  );
};

/** A key for one of the pipeline's topics, rotated, with the pipeline's removal policy. */
export const topicKey = (scope: Construct, id: string, topic: string, removalPolicy: RemovalPolicy): kms.Key =>
  new kms.Key(scope, id, { description: `flash figures: ${topic} topic`, enableKeyRotation: true, removalPolicy });

/**
 * Detractor alerts: `Alert Raised` from the aggregator → the alert function, which records each alert once and
 * puts `Detractor Detected` on the bus → a KMS-encrypted SNS topic (e-mail subscription optional) and, with
 * Slack configured, back to the alert function's Slack step, retried on its own.
 */
export class Alerts extends Construct {
  /** Alerts that reached nobody: failed alert invocations, undeliverable rule targets and e-mails. */
  readonly deadLetterQueue: sqs.Queue;
  readonly function: MetricsFunction;
  readonly detractorRule: events.Rule;
  /** `Detractor Detected` → the alert function's Slack step; only with a Slack webhook secret. */
  readonly slackRule: events.Rule | undefined;
  /**
   * Alert messages carry comments and e-mail addresses, so the pipeline's own topic is encrypted with a key of
   * its own; none with an existing topic.
   */
  readonly key: kms.Key | undefined;
  readonly topic: sns.ITopic;
  readonly topicRule: events.Rule;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    const { data, metricEnv } = props.shared;
    const { table, bus } = data;
    this.deadLetterQueue = deadLetterQueue(this, 'AlertDlq');

    this.function = pipelineFunction(this, 'alert', props.shared, {
      description: 'Raises one alert per detractor response',
      environment: {
        TABLE_NAME: table.tableName,
        EVENT_BUS_NAME: bus.eventBusName,
        ...metricEnv,
        ...(data.alertWebhookUrl ? { ALERT_WEBHOOK_URL_SECRET_ARN: data.alertWebhookUrl.secretArn } : {}),
      },
      retryAttempts: 2,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    // Records an alert once (conditional put, read back when it exists), marks it published, reads the
    // customer's stake (billing this year, open pipeline) from the aggregates; the Slack step reads the alert
    // and marks it delivered.
    allowOnTable(this.function, table, ['PutItem', 'GetItem', 'UpdateItem', 'BatchGetItem']);
    bus.grantPutEventsTo(this.function);
    data.alertWebhookUrl?.grantRead(this.function);
    // EventBridge retries only what it could not hand to Lambda (throttling, service errors); the function's
    // own failures are retried by Lambda's async invocation (2) and then land in the same DLQ.
    const toAlertFunction = () =>
      new targets.LambdaFunction(this.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      });
    this.detractorRule = new events.Rule(this, 'DetractorAlertRule', {
      description: 'Applied detractor states (Alert Raised, scored 0-6) to the alert function',
      eventBus: bus,
      eventPattern: ruleEventPattern(rulePatterns.detractorAlert),
      targets: [toAlertFunction()],
    });
    // The Slack step is an invocation of its own: a Slack outage retries and dead-letters the POST alone, and
    // never publishes (or e-mails) the alert again.
    this.slackRule = data.alertWebhookUrl
      ? new events.Rule(this, 'SlackAlertRule', {
          description: 'Published detractor alerts (Detractor Detected) to the Slack step of the alert function',
          eventBus: bus,
          eventPattern: ruleEventPattern(rulePatterns.slackAlert),
          targets: [toAlertFunction()],
        })
      : undefined;

    if (props.existingTopic) {
      this.key = undefined;
      this.topic = props.existingTopic;
    } else {
      const key = topicKey(this, 'AlertsKey', 'alerts', props.shared.removalPolicy);
      // EventBridge encrypts what the rules of our bus publish to the topic. Rules of the bus, not the one rule:
      // the key cannot name the rule's ARN, which depends on the topic, which depends on the key.
      const stack = Stack.of(this);
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: {
            ...sourceAccount(this),
            ArnLike: {
              'aws:SourceArn': stack.formatArn({
                service: 'events',
                resource: 'rule',
                resourceName: `${bus.eventBusName}/*`,
              }),
            },
          },
        }),
      );
      this.key = key;
      this.topic = new sns.Topic(this, 'AlertsTopic', {
        displayName: 'flash figures alerts',
        masterKey: key,
        enforceSSL: true,
      });
    }
    if (props.alertEmail)
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(props.alertEmail, { deadLetterQueue: this.deadLetterQueue }),
      );
    const field = (path: string) => events.EventField.fromPath(`$.detail.${path}`);
    this.topicRule = new events.Rule(this, 'AlertsToTopicRule', {
      description: 'Detractor alerts to the alerts topic',
      eventBus: bus,
      eventPattern: { source: [ALERT_SOURCE], detailType: [DETRACTOR_DETECTED] },
      targets: [
        new SnsTopicOfRule(this.topic, {
          deadLetterQueue: this.deadLetterQueue,
          message: events.RuleTargetInput.fromText(
            `Detractor: score ${field('score')} from ${field('contact')} (customer ${field('customerId')}, ${field('source')} response ${field('responseId')}): ${field('comment')}`,
          ),
        }),
      ],
    });

    const ack = (construct: Construct, ruleId: string, reason: string) =>
      Validations.of(construct).acknowledge({ id: ruleId, reason });
    ack(
      this.function,
      'Serverless-LambdaDLQ',
      'Asynchronous failures go to an on-failure destination (the alert DLQ), which supersedes a DeadLetterConfig.',
    );
    ack(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', 'This queue is itself a dead-letter queue.');
    ack(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter queue (of the alert function, the alert rules and the e-mail subscription), which cdk-nag only recognises through redrive policies.',
    );
  }
}
