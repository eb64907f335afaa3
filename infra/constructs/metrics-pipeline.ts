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
   * Stateful resources made elsewhere, e.g. in a stack of their own. When absent, the pipeline makes them
   * inside itself from the MetricsDataProps given here.
   */
  readonly data?: MetricsData;
}

/** rulePatterns in the shape of the L2 Rule, which renders `detailType` back as `detail-type` and copies values as they are. */
const ruleEventPattern = ({ 'detail-type': detailType, ...rest }: EventPattern): events.EventPattern =>
  (detailType ? { ...rest, detailType } : rest) as events.EventPattern;

const AGGREGATE_TIMEOUT = Duration.seconds(60);

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
    aggregateDlq.grantSendMessages(aggregate);
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
        ...(data.alertWebhookUrl ? { ALERT_WEBHOOK_URL_SECRET_ARN: data.alertWebhookUrl.secretArn } : {}),
      },
      retryAttempts: 2,
      onFailure: new SqsDestination(alertDlq),
    });
    tableOnly.grant(alert, 'dynamodb:PutItem');
    bus.grantPutEventsTo(alert);
    data.alertWebhookUrl?.grantRead(alert);
    new events.Rule(this, 'DetractorAlertRule', {
      description: 'Survey responses scored 0-6 to the alert function',
      eventBus: bus,
      eventPattern: ruleEventPattern(rulePatterns.detractorAlert),
      targets: [
        new targets.LambdaFunction(alert, {
          deadLetterQueue: alertDlq,
          retryAttempts: 8,
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
      description: 'GET /v1/*: the query API',
      environment: { ...metricEnv, TABLE_NAME: table.tableName },
    });
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
    const [webhookRoute] = this.api.addRoutes({
      path: '/webhooks/{source}',
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Ingest', ingest),
    });
    if (webhookRoute)
      Validations.of(webhookRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Webhook senders cannot send our credentials; each delivery is authenticated by its provider signature (or Basic auth), verified in constant time by the ingest function.',
      });
    this.api.addRoutes({
      path: '/v1/{proxy+}',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('Query', query),
      authorizer: new HttpLambdaAuthorizer('ApiToken', authorizerFn, {
        responseTypes: [HttpLambdaResponseType.SIMPLE],
        identitySource: ['$request.header.Authorization'],
        resultsCacheTtl: Duration.minutes(5),
      }),
    });

    this.functions = { ingest, aggregate, query, alert, authorizer: authorizerFn };
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
  }

  /** The cdk-nag findings this design accepts, each with its reason (docs/deploy.md lists them). */
  private acknowledgeFindings(dlqs: { aggregateDlq: sqs.Queue; alertDlq: sqs.Queue }): void {
    const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    const { ingest, query, authorizer, aggregate, alert } = this.functions;
    for (const f of [ingest, query, authorizer])
      ack(
        f,
        'Serverless-LambdaDLQ',
        'Invoked synchronously by API Gateway, which returns the error to the caller; a DLQ only serves asynchronous invocations.',
      );
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
