import { ALERT_SOURCE, DETRACTOR_DETECTED, type EventPattern, rulePatterns } from '@flash/core';
import { tableSchema } from '@flash/store';
import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { MetricsData, type MetricsDataProps } from './metrics-data.js';
import { type FunctionName, MetricsFunction } from './metrics-function.js';
import { PipelineMonitoring } from './pipeline-monitoring.js';

export interface CustomDomainProps {
  /** e.g. `figures.example.com`. */
  readonly domainName: string;
  /** A regional ACM certificate for the domain, in the stack's region. */
  readonly certificateArn: string;
  /** When given, an alias record for the domain is created in this zone. */
  readonly hostedZone?: { readonly hostedZoneId: string; readonly zoneName: string };
}

/** Settings of the HubSpot connector, passed to the ingest function as environment variables. */
export interface HubSpotSettings {
  /** Deal stage ids that count as won, besides `closedwon` (HUBSPOT_WON_STAGES). */
  readonly wonStages?: readonly string[] | undefined;
  /** Deal stage ids that count as lost, besides `closedlost` (HUBSPOT_LOST_STAGES). */
  readonly lostStages?: readonly string[] | undefined;
  /** The deal property holding our customer id (HUBSPOT_CUSTOMER_PROPERTY). @default 'customer_id' */
  readonly customerProperty?: string | undefined;
}

export interface MetricsPipelineProps extends MetricsDataProps {
  /** IANA zone that defines "this month" and "this year". @default 'UTC' */
  readonly timeZone?: string;
  /** ISO code of the headline currency. @default 'EUR' */
  readonly baseCurrency?: string;
  /** Sources served under `POST /webhooks/{source}`; the others answer 404. */
  readonly sources: readonly string[];
  /** E-mail address subscribed to the alerts topic (it must confirm the subscription). */
  readonly alertEmail?: string;
  readonly domain?: CustomDomainProps;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** POWERTOOLS_LOG_LEVEL of every function. @default 'INFO' */
  readonly logLevel?: string;
  /** Stage throttling of the HTTP API. @default 50 requests/s, bursts of 100 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Where alarms notify: an existing topic, the pipeline's alerts topic, or nowhere. @default nowhere */
  readonly alarmTopic?: sns.ITopic | 'alerts';
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
}

/** rulePatterns in the shape of the L2 Rule, which renders `detailType` back as `detail-type` and copies values as they are. */
const ruleEventPattern = ({ 'detail-type': detailType, ...rest }: EventPattern): events.EventPattern =>
  (detailType ? { ...rest, detailType } : rest) as events.EventPattern;

const AGGREGATE_TIMEOUT = Duration.seconds(60);

/** The connector settings as environment variables; unset ones are left out, so the connector's defaults apply. */
const hubspotEnv = (settings: HubSpotSettings = {}): Record<string, string> => {
  const env: Record<string, string> = {};
  if (settings.wonStages?.length) env.HUBSPOT_WON_STAGES = settings.wonStages.join(',');
  if (settings.lostStages?.length) env.HUBSPOT_LOST_STAGES = settings.lostStages.join(',');
  if (settings.customerProperty) env.HUBSPOT_CUSTOMER_PROPERTY = settings.customerProperty;
  return env;
};

/**
 * The whole flash-figures pipeline on AWS as one construct: webhook ingress on an HTTP API, the event bus
 * rules, the aggregating queue and function, the authorised query API, detractor alerts, alarms and a dashboard.
 */
export class MetricsPipeline extends Construct {
  readonly data: MetricsData;
  readonly api: apigwv2.HttpApi;
  /** Base URL of the API: the custom domain when there is one, else the execute-api endpoint. */
  readonly url: string;
  readonly functions: Readonly<Record<FunctionName, MetricsFunction>>;
  readonly aggregateQueue: sqs.Queue;
  readonly alertsTopic: sns.Topic;
  readonly monitoring: PipelineMonitoring;

  constructor(scope: Construct, id: string, props: MetricsPipelineProps) {
    super(scope, id);
    const data = props.data ?? new MetricsData(this, 'Data', props);
    this.data = data;
    const { table, bus } = data;
    // The aggregator and the alert function never touch the list index; a view of the table without indexes
    // keeps their grants (and the query function's) off `index/*`.
    const tableOnly = dynamodb.Table.fromTableArn(this, 'TableWithoutIndexes', table.tableArn);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const logLevel = props.logLevel ?? 'INFO';
    const metricEnv = { METRICS_TIMEZONE: props.timeZone ?? 'UTC', BASE_CURRENCY: props.baseCurrency ?? 'EUR' };
    const corsEnv: Record<string, string> = props.corsOrigins?.length
      ? { CORS_ORIGINS: props.corsOrigins.join(',') }
      : {};
    const fn = (
      name: FunctionName,
      options: Omit<ConstructorParameters<typeof MetricsFunction>[2], 'name' | 'logRetention' | 'logLevel'> = {},
    ) =>
      new MetricsFunction(this, `${name[0]?.toUpperCase()}${name.slice(1)}`, {
        name,
        logRetention,
        logLevel,
        ...options,
      });

    const deadLetterQueue = (queueId: string) =>
      new sqs.Queue(this, queueId, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    // Events the aggregator could not take, whether SQS gave up on them or EventBridge could not deliver them:
    // both carry the bus event, so redriving the DLQ into the queue retries them all.
    const aggregateDlq = deadLetterQueue('AggregateDlq');
    // Alerts that reached nobody: failed alert invocations, undeliverable rule targets and e-mails.
    const alertDlq = deadLetterQueue('AlertDlq');

    // --- ingest: verify, parse, put on the bus
    const baseUrl = props.domain ? `https://${props.domain.domainName}` : undefined;
    const ingest = fn('ingest', {
      description: 'POST /webhooks/{source}: verifies and parses a webhook, puts canonical events on the bus',
      environment: {
        ...metricEnv,
        EVENT_BUS_NAME: bus.eventBusName,
        WEBHOOK_SECRETS_ARN: data.webhookSecrets.secretArn,
        ENABLED_SOURCES: props.sources.join(','),
        ...(baseUrl ? { PUBLIC_BASE_URL: baseUrl } : {}),
        // Settings only; every credential (PIPEDRIVE_BASIC_AUTH included) is a key of the webhook secrets JSON.
        ...hubspotEnv(props.hubspot),
      },
    });
    bus.grantPutEventsTo(ingest);
    data.webhookSecrets.grantRead(ingest);

    // --- aggregate: bus → queue → batches
    this.aggregateQueue = new sqs.Queue(this, 'AggregateQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for Lambda consumers: six times the function timeout, so retries never overlap a run.
      visibilityTimeout: Duration.seconds(AGGREGATE_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: aggregateDlq, maxReceiveCount: 5 },
    });
    new events.Rule(this, 'AggregateRule', {
      description: 'Every canonical entity event to the aggregator queue',
      eventBus: bus,
      eventPattern: ruleEventPattern(rulePatterns.aggregate),
      targets: [new targets.SqsQueue(this.aggregateQueue, { deadLetterQueue: aggregateDlq })],
    });
    const aggregate = fn('aggregate', {
      description: 'SQS batches of canonical events → entity states and aggregates',
      memorySize: 512,
      timeout: AGGREGATE_TIMEOUT,
      environment: { ...metricEnv, TABLE_NAME: table.tableName, DEAD_LETTER_QUEUE_URL: aggregateDlq.queueUrl },
    });
    tableOnly.grantReadWriteData(aggregate);
    // Poison records are parked in the DLQ at once, with their reason, instead of waiting for maxReceiveCount.
    // SendMessage alone: the handler has the queue's URL, so it needs neither GetQueueUrl nor its attributes.
    aggregate.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [aggregateDlq.queueArn] }),
    );
    aggregate.addEventSource(
      new SqsEventSource(this.aggregateQueue, {
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        // Few concurrent batches: hot aggregates conflict less, and each batch sums its deltas before writing.
        maxConcurrency: 5,
      }),
    );

    // --- alerts: detractor rule → alert function → bus → SNS
    const alert = fn('alert', {
      description: 'Raises one alert per detractor response',
      environment: {
        TABLE_NAME: table.tableName,
        EVENT_BUS_NAME: bus.eventBusName,
        ...metricEnv,
        ...(data.alertWebhookUrl ? { ALERT_WEBHOOK_URL_SECRET_ARN: data.alertWebhookUrl.secretArn } : {}),
      },
      retryAttempts: 2,
      onFailure: new SqsDestination(alertDlq),
    });
    // Records an alert once (conditional put, read back when it exists), marks it notified, and reads the
    // customer's stake (billing this year, open pipeline) from the aggregates.
    tableOnly.grant(alert, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem');
    bus.grantPutEventsTo(alert);
    data.alertWebhookUrl?.grantRead(alert);
    new events.Rule(this, 'DetractorAlertRule', {
      description: 'Survey responses scored 0-6 to the alert function',
      eventBus: bus,
      eventPattern: ruleEventPattern(rulePatterns.detractorAlert),
      targets: [
        // EventBridge retries only what it could not hand to Lambda (throttling, service errors); the function's
        // own failures are retried by Lambda's async invocation (2) and then land in the same DLQ.
        new targets.LambdaFunction(alert, {
          deadLetterQueue: alertDlq,
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });

    // Alert messages carry comments and e-mail addresses, so the topic is encrypted with a key of its own.
    const alertsKey = new kms.Key(this, 'AlertsKey', {
      description: 'flash figures: alerts topic',
      enableKeyRotation: true,
    });
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com'])
      alertsKey.grant(new iam.ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alertsTopic = new sns.Topic(this, 'AlertsTopic', {
      displayName: 'flash figures alerts',
      masterKey: alertsKey,
      enforceSSL: true,
    });
    if (props.alertEmail)
      this.alertsTopic.addSubscription(
        new subscriptions.EmailSubscription(props.alertEmail, { deadLetterQueue: alertDlq }),
      );
    const field = (path: string) => events.EventField.fromPath(`$.detail.${path}`);
    new events.Rule(this, 'AlertsToTopicRule', {
      description: 'Detractor alerts to the alerts topic',
      eventBus: bus,
      eventPattern: { source: [ALERT_SOURCE], detailType: [DETRACTOR_DETECTED] },
      targets: [
        new targets.SnsTopic(this.alertsTopic, {
          deadLetterQueue: alertDlq,
          message: events.RuleTargetInput.fromText(
            `Detractor: score ${field('score')} from ${field('contact')} (customer ${field('customerId')}, ${field('source')} response ${field('responseId')}): ${field('comment')}`,
          ),
        }),
      ],
    });

    // --- query API with a bearer-token authorizer
    const query = fn('query', {
      description: 'GET /v1/* (the query API), GET / (the dashboard page) and OPTIONS /v1/* (CORS preflights)',
      environment: { ...metricEnv, TABLE_NAME: table.tableName, ...corsEnv },
    });
    // Read only: GetItem, BatchGetItem, Query (aggregate partitions, documents) and Scan on the table.
    tableOnly.grantReadData(query);
    query.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${tableSchema.listIndex.name}`],
      }),
    );
    const authorizerFn = fn('authorizer', {
      description: 'Bearer-token authorizer of /v1/*',
      environment: { API_TOKEN_SECRET_ARN: data.apiToken.secretArn },
    });
    data.apiToken.grantRead(authorizerFn);

    // --- config: the API's only writes (KPI profiles and users), kept apart from the read-only query function
    const config = fn('config', {
      description: 'PUT /v1/profiles/{id}, PUT /v1/users/{id} and their CORS preflights',
      environment: { TABLE_NAME: table.tableName, ...corsEnv },
    });
    // A PUT replaces a whole document (PutItem); a user's profile must exist first (BatchGetItem).
    tableOnly.grant(config, 'dynamodb:PutItem', 'dynamodb:BatchGetItem');

    // --- operations, invoked by hand (docs/deploy.md): no trigger, and no async retry of a manual run
    const rebuild = fn('rebuild', {
      description:
        'By hand, {"mode":"verify"|"rebuild"}: scans the table and reports or rewrites drifted rollups and aggregates',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      retryAttempts: 0,
      environment: { ...metricEnv, TABLE_NAME: table.tableName },
    });
    tableOnly.grantReadWriteData(rebuild);
    const redrive = fn('redrive', {
      description: "By hand: moves the aggregator's dead letters back onto its queue (SQS StartMessageMoveTask)",
      retryAttempts: 0,
      environment: { DEAD_LETTER_QUEUE_ARN: aggregateDlq.queueArn, QUEUE_ARN: this.aggregateQueue.queueArn },
    });
    // What a message move task needs from its caller: read and delete on the source, send on the destination.
    redrive.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sqs:StartMessageMoveTask', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [aggregateDlq.queueArn],
      }),
    );
    redrive.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.aggregateQueue.queueArn] }),
    );

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'flash figures: webhooks and query API',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention });
    const domainName = props.domain && this.customDomain(props.domain);
    const throttle = props.throttle ?? { rateLimit: 50, burstLimit: 100 };
    new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
      ...(domainName ? { domainMapping: { domainName } } : {}),
    });
    // Routes without the authorizer, each acknowledged with why it needs no API credentials.
    const publicRoutes = (
      options: { path: string; method: apigwv2.HttpMethod; integration: HttpLambdaIntegration },
      reason: string,
    ) => {
      for (const route of this.api.addRoutes({ ...options, methods: [options.method] }))
        Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    };
    const ingestIntegration = new HttpLambdaIntegration('Ingest', ingest);
    const queryIntegration = new HttpLambdaIntegration('Query', query);
    const configIntegration = new HttpLambdaIntegration('Config', config);
    const apiToken = new HttpLambdaAuthorizer('ApiToken', authorizerFn, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.minutes(5),
    });
    const preflightReason =
      'CORS preflight: browsers send OPTIONS without credentials, so it cannot be authorised; the function answers with the allowed origins, methods and headers only and reads no data.';

    publicRoutes(
      { path: '/webhooks/{source}', method: apigwv2.HttpMethod.POST, integration: ingestIntegration },
      'Webhook senders cannot send our credentials; each delivery is authenticated by its provider signature (or Basic auth), verified in constant time by the ingest function.',
    );
    // The dashboard page is static HTML with no figures in it; it asks for the token and sends it on /v1.
    publicRoutes(
      { path: '/', method: apigwv2.HttpMethod.GET, integration: queryIntegration },
      'The dashboard page: static HTML and inline script holding no data; every figure it shows comes from /v1 with the bearer token, which the page asks the user for.',
    );
    publicRoutes(
      { path: '/v1/{proxy+}', method: apigwv2.HttpMethod.OPTIONS, integration: queryIntegration },
      preflightReason,
    );
    this.api.addRoutes({
      path: '/v1/{proxy+}',
      methods: [apigwv2.HttpMethod.GET],
      integration: queryIntegration,
      authorizer: apiToken,
    });
    // More specific than /v1/{proxy+}, so PUT and OPTIONS on these paths go to the config function.
    for (const path of ['/v1/profiles/{id}', '/v1/users/{id}']) {
      this.api.addRoutes({
        path,
        methods: [apigwv2.HttpMethod.PUT],
        integration: configIntegration,
        authorizer: apiToken,
      });
      publicRoutes({ path, method: apigwv2.HttpMethod.OPTIONS, integration: configIntegration }, preflightReason);
    }

    this.functions = { ingest, aggregate, query, alert, authorizer: authorizerFn, config, rebuild, redrive };
    this.url = baseUrl ?? this.api.apiEndpoint;
    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      api: this.api,
      functions: this.functions,
      queue: this.aggregateQueue,
      deadLetterQueues: { aggregate: aggregateDlq, alert: alertDlq },
      alarmTopic: props.alarmTopic === 'alerts' ? this.alertsTopic : props.alarmTopic,
    });

    this.acknowledgeFindings({ aggregateDlq, alertDlq });

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the query API (/v1/...)', value: this.url });
    for (const source of props.sources)
      new CfnOutput(this, `WebhookUrl${source}`, {
        description: `Webhook URL to configure at ${source}`,
        value: `${this.url}/webhooks/${source}`,
      });
    new CfnOutput(this, 'WebhookSecretsArn', { value: data.webhookSecrets.secretArn });
    new CfnOutput(this, 'ApiTokenSecretArn', { value: data.apiToken.secretArn });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alertsTopic.topicArn });
    new CfnOutput(this, 'RebuildFunctionName', {
      description: 'aws lambda invoke --payload \'{"mode":"verify"}\' (or "rebuild"): drift of rollups and aggregates',
      value: rebuild.functionName,
    });
    new CfnOutput(this, 'RedriveFunctionName', {
      description: "aws lambda invoke: moves the aggregator's dead letters back onto its queue",
      value: redrive.functionName,
    });
    new CfnOutput(this, 'AggregateDlqUrl', {
      description: "The aggregator's dead-letter queue (poison records carry their reason as message attributes)",
      value: aggregateDlq.queueUrl,
    });
  }

  /** The cdk-nag findings this design accepts, each with its reason (docs/deploy.md lists them). */
  private acknowledgeFindings(dlqs: { aggregateDlq: sqs.Queue; alertDlq: sqs.Queue }): void {
    const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    const { ingest, query, authorizer, aggregate, alert, config, rebuild, redrive } = this.functions;
    for (const f of [ingest, query, authorizer, config])
      ack(
        f,
        'Serverless-LambdaDLQ',
        'Invoked synchronously by API Gateway, which returns the error to the caller; a DLQ only serves asynchronous invocations.',
      );
    for (const f of [rebuild, redrive]) {
      const invokeConfig = f.node.tryFindChild('EventInvokeConfig');
      if (invokeConfig)
        ack(
          invokeConfig,
          'Serverless-LambdaAsyncFailureDestination',
          'Operator tools with async retries off (a manual run is not repeated behind the operator): a failed run is in the function log and is simply run again; there is no event to keep.',
        );
      ack(
        f,
        'Serverless-LambdaDLQ',
        'Run by hand, synchronously (aws lambda invoke), by an operator who gets the result or the error; a DLQ only serves asynchronous invocations, whose retries are off for these functions.',
      );
    }
    ack(
      aggregate,
      'Serverless-LambdaDLQ',
      "Invoked synchronously by the SQS event source mapping; failed messages go to the queue's own DLQ.",
    );
    ack(
      alert,
      'Serverless-LambdaDLQ',
      'Asynchronous failures go to an on-failure destination (the alert DLQ), which supersedes a DeadLetterConfig.',
    );
    for (const node of aggregate.node.findAll())
      if (node instanceof lambda.CfnEventSourceMapping)
        ack(
          node,
          'Serverless-LambdaEventSourceMappingDestination',
          "SQS event source mappings take no on-failure destination; the queue's redrive policy moves a message to the DLQ after 5 receives.",
        );
    for (const dlq of Object.values(dlqs))
      ack(dlq, 'Serverless-SQSRedrivePolicy', 'This queue is itself a dead-letter queue.');
    ack(
      dlqs.alertDlq,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter queue (of the alert function, the alert rules and the e-mail subscription), which cdk-nag only recognises through redrive policies.',
    );
  }

  private customDomain(domain: CustomDomainProps): apigwv2.DomainName {
    const domainName = new apigwv2.DomainName(this, 'Domain', {
      domainName: domain.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
    });
    if (domain.hostedZone)
      new route53.ARecord(this, 'DomainRecord', {
        zone: route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', domain.hostedZone),
        recordName: domain.domainName,
        target: route53.RecordTarget.fromAlias(
          new route53Targets.ApiGatewayv2DomainProperties(
            domainName.regionalDomainName,
            domainName.regionalHostedZoneId,
          ),
        ),
      });
    return domainName;
  }
}
