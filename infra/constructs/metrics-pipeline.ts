import { Aspects, CfnOutput } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Aggregator } from './aggregator.js';
import { Alerts } from './alerts.js';
import { FlatLogicalIds } from './flat-logical-ids.js';
import { HistorySweep } from './history-sweep.js';
import { type HubSpotSettings, IngestApi } from './ingest-api.js';
import { MetricsData, type MetricsDataProps } from './metrics-data.js';
import type { FunctionName, MetricsFunction } from './metrics-function.js';
import { Operations } from './operations.js';
import { type CustomDomainProps, PipelineApi, type ThrottleSettings } from './pipeline-api.js';
import type { PipelineMonitoring } from './pipeline-monitoring.js';
import type { PipelineShared } from './pipeline-part.js';
import { QueryApi } from './query-api.js';

export type { CustomDomainProps, HubSpotSettings, ThrottleSettings };

export interface MetricsPipelineProps extends MetricsDataProps {
  /** IANA zone that defines "this month" and "this year". @default 'UTC' */
  readonly timeZone?: string;
  /** ISO code of the headline currency. @default 'EUR' */
  readonly baseCurrency?: string;
  /** Sources served under `POST /webhooks/{source}`; the others answer 404. */
  readonly sources: readonly string[];
  /** E-mail address subscribed to the alerts topic (it must confirm the subscription). */
  readonly alertEmail?: string | undefined;
  readonly domain?: CustomDomainProps;
  /** @default one month */
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
   * Stateful resources made elsewhere, e.g. in a stack of their own. When absent, the pipeline makes them
   * inside itself from the MetricsDataProps given here.
   */
  readonly data?: MetricsData;
  /** Sources the nightly history sweep reads (credentials in the API credentials secret). @default none */
  readonly sweepSources?: readonly string[];
}

const DEFAULT_THROTTLE: ThrottleSettings = { rateLimit: 50, burstLimit: 100 };

/**
 * The whole flash-figures pipeline on AWS as one construct, composed of its parts: the HTTP API (`httpApi`),
 * webhook ingress (`ingestApi`), the aggregating queue and function (`aggregator`), detractor alerts
 * (`alerts`), the authorised query API (`queryApi`), and the operator's functions, alarms and dashboard
 * (`operations`).
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
  readonly api: apigwv2.HttpApi;
  /** Base URL of the API: the custom domain when there is one, else the execute-api endpoint. */
  readonly url: string;
  readonly functions: Readonly<Record<FunctionName, MetricsFunction>>;
  readonly aggregateQueue: sqs.Queue;
  readonly alertsTopic: sns.Topic;
  readonly monitoring: PipelineMonitoring;
  readonly history: HistorySweep;

  constructor(scope: Construct, id: string, props: MetricsPipelineProps) {
    super(scope, id);
    this.data = props.data ?? new MetricsData(this, 'Data', props);
    const shared: PipelineShared = {
      data: this.data,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      logLevel: props.logLevel ?? 'INFO',
      metricEnv: { METRICS_TIMEZONE: props.timeZone ?? 'UTC', BASE_CURRENCY: props.baseCurrency ?? 'EUR' },
    };

    this.httpApi = new PipelineApi(this, 'HttpApi', {
      domain: props.domain,
      logRetention: shared.logRetention,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
    });
    this.aggregator = new Aggregator(this, 'Aggregator', { shared });
    this.alerts = new Alerts(this, 'Alerts', { shared, alertEmail: props.alertEmail });
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
      alertsTopicHasSubscriber: Boolean(props.alertEmail),
    });
    this.history = new HistorySweep(this, 'History', {
      shared,
      sources: props.sweepSources ?? [],
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

    this.api = this.httpApi.api;
    this.url = this.httpApi.url;
    this.functions = {
      ...served,
      rebuild: this.operations.rebuildFunction,
      redrive: this.operations.redriveFunction,
      backfill: this.history.function,
    };
    this.aggregateQueue = this.aggregator.queue;
    this.alertsTopic = this.alerts.topic;
    this.monitoring = this.operations.monitoring;

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the query API (/v1/...)', value: this.url });
    for (const source of props.sources)
      new CfnOutput(this, `WebhookUrl${source}`, {
        description: `Webhook URL to configure at ${source}`,
        value: `${this.url}/webhooks/${source}`,
      });
    new CfnOutput(this, 'WebhookSecretsArn', { value: this.data.webhookSecrets.secretArn });
    new CfnOutput(this, 'ApiTokenSecretArn', { value: this.data.apiToken.secretArn });
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
