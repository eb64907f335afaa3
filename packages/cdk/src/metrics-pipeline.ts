import { Aspects, CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type { HttpLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Aggregator } from './aggregator.js';
import { Alerts } from './alerts.js';
import { FlatLogicalIds } from './flat-logical-ids.js';
import type { FunctionName } from './functions.js';
import { HistorySweep } from './history-sweep.js';
import { type HubSpotSettings, IngestApi } from './ingest-api.js';
import { MetricsData, type MetricsDataProps } from './metrics-data.js';
import { type FunctionOverrides, type MetricsFunction, supportedRuntimes } from './metrics-function.js';
import { Operations } from './operations.js';
import { type CustomDomainProps, PipelineApi, type ThrottleSettings } from './pipeline-api.js';
import type { PipelineMonitoring } from './pipeline-monitoring.js';
import type { PipelineShared } from './pipeline-part.js';
import { QueryApi } from './query-api.js';

export type { CustomDomainProps, FunctionOverrides, HubSpotSettings, ThrottleSettings };

export interface MetricsPipelineProps extends MetricsDataProps {
  /** Sources served under `POST /webhooks/{source}`; the others answer 404. */
  readonly sources: readonly string[];
  /** IANA zone that defines "this month" and "this year". @default 'UTC' */
  readonly timeZone?: string;
  /** ISO code of the headline currency. @default 'EUR' */
  readonly baseCurrency?: string;
  /** The Lambda runtime of every function: Node.js 24 or 22, which the prebuilt bundles run on. @default NODEJS_24_X */
  readonly runtime?: lambda.Runtime;
  /** Per function (by name: `ingest`, `aggregate`, `query`...), what to change over the pipeline's defaults. */
  readonly functionProps?: Partial<Record<FunctionName, FunctionOverrides>>;
  /** The HTTP API's name. @default 'flash-figures' */
  readonly apiName?: string;
  /** E-mail address subscribed to the alerts topic (it must confirm the subscription). */
  readonly alertEmail?: string | undefined;
  /**
   * A topic made elsewhere that detractor alerts are published to, instead of the pipeline's own encrypted
   * topic; its owner lets `events.amazonaws.com` (and, for alarms, `cloudwatch.amazonaws.com`) publish to it.
   */
  readonly existingAlertsTopic?: sns.ITopic;
  readonly domain?: CustomDomainProps;
  /** Of every function's log group and the API's access logs (a function's own functionProps come first). @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** POWERTOOLS_LOG_LEVEL of every function. @default 'INFO' */
  readonly logLevel?: string;
  /**
   * The stage's default throttling: every route without its own (the dashboard page, preflights, the PUTs).
   * @default 50 requests/s, bursts of 100
   */
  readonly throttle?: ThrottleSettings;
  /** Throttling of `POST /webhooks/{source}` alone, so /v1 traffic cannot starve webhooks. @default 50 requests/s, bursts of 100 */
  readonly webhookThrottle?: ThrottleSettings;
  /** Throttling of `GET /v1/{proxy+}` alone, so a webhook flood cannot starve the API. @default 50 requests/s, bursts of 100 */
  readonly queryThrottle?: ThrottleSettings;
  /**
   * Where alarms notify: an existing topic, or the pipeline's alerts topic. Without a subscriber on the alerts
   * topic (alertEmail) and without alarmEmail, synthesis warns that nobody hears the alarms.
   * @default the alerts topic, unless alarmEmail is given
   */
  readonly alarmTopic?: sns.ITopic | 'alerts' | undefined;
  /** E-mail address alarms go to, through a topic of their own (it must confirm the subscription); not with alarmTopic. */
  readonly alarmEmail?: string | undefined;
  /**
   * Origins that may call the API from a browser (`['*']` for any): CORS_ORIGINS of the query and config
   * functions, which answer the preflights themselves. @default none: no CORS headers
   */
  readonly corsOrigins?: readonly string[];
  /** HubSpot connector settings; HubSpot's own defaults apply to those not given. */
  readonly hubspot?: HubSpotSettings;
  /**
   * Stack outputs: the API URL, one webhook URL per source, the secrets' ARNs, the alerts topic, the operator
   * functions and the aggregator's DLQ. Off by default, so the construct adds nothing to its stack's outputs
   * unless asked; every value is also a property of the construct. @default false
   */
  readonly outputs?: boolean;
  /** Sources the nightly history sweep reads (credentials in the API credentials secret). @default none */
  readonly sweepSources?: readonly string[];
  /** The provider API credentials JSON of the backfill, made elsewhere. @default a secret of its own, empty */
  readonly existingApiCredentials?: secretsmanager.ISecret;
}

const DEFAULT_THROTTLE: ThrottleSettings = { rateLimit: 50, burstLimit: 100 };

/**
 * The whole flash-figures pipeline on AWS as one construct, composed of its parts: the stateful resources
 * (`data`: given or created), the HTTP API (`httpApi`), webhook ingress (`ingestApi`), the aggregating queue
 * and function (`aggregator`), detractor alerts (`alerts`), the authorised query API (`queryApi`), and the
 * operator's functions, alarms and dashboard (`operations`). The resources a platform team wires to are also
 * properties of the construct itself.
 *
 * The parts group their resources in the construct tree, but every resource keeps the logical id it had when
 * the pipeline was one construct (FlatLogicalIds), so deployed stacks update in place.
 */
export class MetricsPipeline extends Construct {
  readonly data: MetricsData;
  readonly httpApi: PipelineApi;
  readonly ingestApi: IngestApi;
  readonly aggregator: Aggregator;
  readonly alerts: Alerts;
  readonly queryApi: QueryApi;
  readonly operations: Operations;
  readonly table: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  /** The bus archive, when the pipeline made the bus. */
  readonly archive: events.Archive | undefined;
  readonly api: apigwv2.HttpApi;
  /** Base URL of the API: the custom domain when there is one, else the execute-api endpoint. */
  readonly url: string;
  readonly authorizer: HttpLambdaAuthorizer;
  readonly functions: Readonly<Record<FunctionName, MetricsFunction>>;
  readonly aggregateQueue: sqs.Queue;
  /** The aggregator's dead letters (undeliverable, poison or exhausted events); the redrive function empties it. */
  readonly aggregateDeadLetterQueue: sqs.Queue;
  /** Alerts that reached nobody (failed alert invocations, undeliverable alert rule targets and e-mails). */
  readonly alertDeadLetterQueue: sqs.Queue;
  /** Canonical events → the aggregate queue. */
  readonly aggregateRule: events.Rule;
  /** Applied detractor states → the alert function. */
  readonly detractorRule: events.Rule;
  /** Published alerts → the alert function's Slack step, with a Slack secret. */
  readonly slackRule: events.Rule | undefined;
  /** Published alerts → the alerts topic. */
  readonly alertsTopicRule: events.Rule;
  readonly alertsTopic: sns.ITopic;
  /** The key of the pipeline's own alerts topic (and alarms topic); none with existingAlertsTopic. */
  readonly alertsKey: kms.IKey | undefined;
  /** Where the alarms notify. */
  readonly alarmTopic: sns.ITopic;
  readonly monitoring: PipelineMonitoring;
  readonly history: HistorySweep;

  constructor(scope: Construct, id: string, props: MetricsPipelineProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.data = new MetricsData(this, 'Data', props);
    const shared: PipelineShared = {
      data: this.data,
      runtime: props.runtime ?? (supportedRuntimes[0] as lambda.Runtime),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy,
      logLevel: props.logLevel ?? 'INFO',
      metricEnv: { METRICS_TIMEZONE: props.timeZone ?? 'UTC', BASE_CURRENCY: props.baseCurrency ?? 'EUR' },
      functionProps: props.functionProps ?? {},
    };

    this.httpApi = new PipelineApi(this, 'HttpApi', {
      apiName: props.apiName ?? 'flash-figures',
      domain: props.domain,
      logRetention: shared.logRetention,
      removalPolicy,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
    });
    this.aggregator = new Aggregator(this, 'Aggregator', { shared });
    this.alerts = new Alerts(this, 'Alerts', {
      shared,
      alertEmail: props.alertEmail,
      existingTopic: props.existingAlertsTopic,
    });
    this.queryApi = new QueryApi(this, 'QueryApi', {
      shared,
      httpApi: this.httpApi,
      corsOrigins: props.corsOrigins,
      throttle: props.queryThrottle ?? DEFAULT_THROTTLE,
    });
    this.ingestApi = new IngestApi(this, 'IngestApi', {
      shared,
      httpApi: this.httpApi,
      sources: props.sources,
      hubspot: props.hubspot,
      throttle: props.webhookThrottle ?? DEFAULT_THROTTLE,
      authorizer: this.queryApi.authorizer,
    });
    const { queryFunction, authorizerFunction, configFunction } = this.queryApi;
    const served = {
      ingest: this.ingestApi.function,
      aggregate: this.aggregator.function,
      query: queryFunction,
      alert: this.alerts.function,
      authorizer: authorizerFunction,
      config: configFunction,
    };
    this.operations = new Operations(this, 'Operations', {
      shared,
      api: this.httpApi.api,
      aggregator: this.aggregator,
      alerts: this.alerts,
      functions: served,
      alarmTopic: props.alarmTopic,
      alarmEmail: props.alarmEmail,
      alertsTopicHasSubscriber: Boolean(props.alertEmail || props.existingAlertsTopic),
    });
    this.history = new HistorySweep(this, 'History', {
      shared,
      sources: props.sweepSources ?? [],
      existingCredentials: props.existingApiCredentials,
      alarmTopic: this.operations.alarmTopic,
    });
    Aspects.of(this).add(
      new FlatLogicalIds(this, [
        this.httpApi,
        this.ingestApi,
        this.aggregator,
        this.alerts,
        this.queryApi,
        this.operations,
      ]),
    );

    this.table = this.data.table;
    this.eventBus = this.data.bus;
    this.archive = this.data.archive;
    this.api = this.httpApi.api;
    this.url = this.httpApi.url;
    this.authorizer = this.queryApi.authorizer;
    this.functions = {
      ...served,
      rebuild: this.operations.rebuildFunction,
      redrive: this.operations.redriveFunction,
      snapshot: this.operations.snapshotFunction,
      backfill: this.history.function,
    };
    this.aggregateQueue = this.aggregator.queue;
    this.aggregateDeadLetterQueue = this.aggregator.deadLetterQueue;
    this.alertDeadLetterQueue = this.alerts.deadLetterQueue;
    this.aggregateRule = this.aggregator.rule;
    this.detractorRule = this.alerts.detractorRule;
    this.slackRule = this.alerts.slackRule;
    this.alertsTopicRule = this.alerts.topicRule;
    this.alertsTopic = this.alerts.topic;
    this.alertsKey = this.alerts.key;
    this.alarmTopic = this.operations.alarmTopic;
    this.monitoring = this.operations.monitoring;
    if (props.outputs) this.addOutputs(props.sources);
  }

  private addOutputs(sources: readonly string[]): void {
    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the query API (/v1/...)', value: this.url });
    for (const source of sources)
      new CfnOutput(this, `WebhookUrl${source}`, {
        description: `Webhook URL to configure at ${source}`,
        value: `${this.url}/webhooks/${source}`,
      });
    new CfnOutput(this, 'WebhookSecretsArn', { value: this.data.webhookSecrets.secretArn });
    new CfnOutput(this, 'ApiTokenSecretArn', { value: this.data.apiToken.secretArn });
    new CfnOutput(this, 'ReadApiTokenSecretArn', { value: this.data.readApiToken.secretArn });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alertsTopic.topicArn });
    new CfnOutput(this, 'RebuildFunctionName', {
      description: 'aws lambda invoke --payload \'{"mode":"verify"}\' (or "rebuild"): drift of rollups and aggregates',
      value: this.functions.rebuild.functionName,
    });
    new CfnOutput(this, 'RedriveFunctionName', {
      description: "aws lambda invoke: moves the aggregator's dead letters back onto its queue",
      value: this.functions.redrive.functionName,
    });
    new CfnOutput(this, 'BackfillStateMachineArn', {
      description:
        'aws stepfunctions start-execution --input \'{"source":"stripe"}\' (or "since"): backfill one source (docs/deploy.md)',
      value: this.history.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'ApiCredentialsSecretArn', { value: this.history.credentials.secretArn });
    new CfnOutput(this, 'AggregateDlqUrl', {
      description: "The aggregator's dead-letter queue (poison records carry their reason as message attributes)",
      value: this.aggregator.deadLetterQueue.queueUrl,
    });
  }
}
