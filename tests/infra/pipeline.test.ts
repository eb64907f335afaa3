import { connectors } from '@flash/connectors';
import { rulePatterns } from '@flash/core';
import { tableSchema } from '@flash/store';
import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionNames, webhookSecretKeys } from '../../packages/cdk/src/index.js';
import {
  actionsOf,
  actionsOn,
  envOf,
  functionIdOf,
  functionOf,
  statementsOf,
  synthesizeApp,
  TEST_ENV,
} from './support.js';

let data: Template;
let service: Template;
let serviceStack: Stack;

beforeAll(() => {
  ({ data, service, serviceStack } = synthesizeApp());
});

const logicalIdOf = (template: Template, type: string, props: Record<string, unknown>): string => {
  const found = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(found).toHaveLength(1);
  return found[0] as string;
};
const statements = (name: string) => statementsOf(service, name);
const actions = (name: string) => actionsOf(service, name);
const env = (name: string) => envOf(service, name);
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
/** The table's ARN as the Service stack imports it from the Data stack. */
const tableArn = () => {
  const [name] = JSON.stringify(service.toJSON()).match(/[\w-]+:ExportsOutputFnGetAttDataTable\w+Arn\w+/) ?? [];
  return { 'Fn::ImportValue': name };
};
/** A function's statements on the table: their actions (sorted) and conditions. */
const onTable = (name: string) =>
  statements(name)
    .filter((s) => JSON.stringify(s.Resource) === JSON.stringify(tableArn()))
    .map((s) => ({ actions: [s.Action].flat().sort(), condition: (s as { Condition?: unknown }).Condition }));
/** The condition that confines a statement to the journal partition (packages/store, itemKeys.journalPartition). */
const journalsOnly = { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['J#'] } };
/** Actions other than writing the function's own logs and X-Ray traces. */
const ownActions = (name: string) =>
  actions(name)
    .filter((a) => !/^(logs|xray):/.test(a))
    .sort();
const queueIds = () => {
  const queueId = logicalIdOf(service, 'AWS::SQS::Queue', { RedrivePolicy: Match.anyValue() });
  const queue = service.toJSON().Resources[queueId] as {
    Properties: { RedrivePolicy: { deadLetterTargetArn: unknown } };
  };
  const dlqId = (queue.Properties.RedrivePolicy.deadLetterTargetArn as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  return { queueId, dlqId };
};

describe('event routing', () => {
  it('deploys the aggregate rule with exactly the pattern the local bus routes with', () => {
    service.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectEquals(rulePatterns.aggregate),
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
  });

  it('deploys the detractor rule with exactly the shared pattern, 2 retries, a maximum age and the alert DLQ', () => {
    const { queueId, dlqId } = queueIds();
    const [alertDlqId, ...others] = Object.keys(service.findResources('AWS::SQS::Queue')).filter(
      (id) => id !== queueId && id !== dlqId,
    );
    expect(others).toEqual([]);
    service.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectEquals(rulePatterns.detractorAlert),
      Targets: [
        Match.objectLike({
          Arn: arnOf(functionIdOf(service, 'alert')),
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 },
          DeadLetterConfig: { Arn: arnOf(alertDlqId as string) },
        }),
      ],
    });
  });

  it('routes published alerts to no Slack step without a Slack secret', () => {
    const toAlert = Object.values(service.findResources('AWS::Events::Rule')).filter((r) =>
      JSON.stringify(r.Properties.Targets).includes(JSON.stringify(arnOf(functionIdOf(service, 'alert')))),
    );
    expect(toAlert.map((r) => r.Properties.EventPattern)).toEqual([rulePatterns.detractorAlert]);
  });

  it('keeps ingested events in an archive for replay', () => {
    data.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: { source: rulePatterns.aggregate.source },
      RetentionDays: 365,
    });
  });

  it('writes no empty KmsKeyIdentifier on the archive (aws/aws-cdk#37847), so it uses an AWS owned key', () => {
    data.hasResourceProperties('AWS::Events::Archive', { KmsKeyIdentifier: Match.absent() });
  });

  it('hands the aggregator batches of up to 1,000 within a 5 s window and lets it report partial failures', () => {
    service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('gives the aggregator queue a dead-letter queue, encryption and SSL-only access', () => {
    service.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
    });
    service.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('sends detractor alerts to an encrypted SNS topic', () => {
    service.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    service.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['flash-figures.alerts'], 'detail-type': ['Detractor Detected'] },
    });
  });
});

describe('functions', () => {
  it('builds every function with the house defaults', () => {
    for (const name of functionNames)
      service.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: Match.anyValue() },
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: name,
            POWERTOOLS_LOG_LEVEL: 'INFO',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
    // One per function, the API's access logs, the backfill state machine's.
    service.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, functionNames.length + 2);
  });

  it('reads webhook secrets from Secrets Manager and serves only the enabled sources', () => {
    service.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'ingest',
          WEBHOOK_SECRETS_ARN: Match.anyValue(),
          ENABLED_SOURCES: Object.keys(connectors).join(','),
        }),
      },
    });
  });
});

describe('least privilege', () => {
  const writes =
    /^dynamodb:(Put|Update|Delete|BatchWrite|TransactWrite|PartiQLInsert|PartiQLUpdate|PartiQLDelete|Create)|^events:|^sqs:Send/;

  /** Reading a table's stream, which no function does. */
  const streams = /^dynamodb:(GetRecords|GetShardIterator|DescribeStream|ListStreams)$/;

  it('lets the query function batch-get and query the table and query gsi1, and nothing else', () => {
    expect(actionsOn(service, 'query', tableArn())).toEqual(['dynamodb:BatchGetItem', 'dynamodb:Query']);
    const refused = ['dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:DescribeTable'];
    expect(actions('query').filter((a) => refused.includes(a) || streams.test(a))).toEqual([]);
    const indexes = statements('query').filter((s) => JSON.stringify(s.Resource).includes('/index/'));
    expect(indexes).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [tableArn(), `/index/${tableSchema.listIndex.name}`]] },
      }),
    ]);
    expect(actions('query').filter((a) => writes.test(a))).toEqual([]);
    expect(ownActions('query').every((a) => a.startsWith('dynamodb:'))).toBe(true);
  });

  it('lets the config function put, delete, batch-get and query items on the table only, and nothing else', () => {
    const allowed = ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'];
    expect(ownActions('config')).toEqual(allowed);
    expect(actionsOn(service, 'config', tableArn())).toEqual(allowed);
    expect(actions('config').filter((a) => /Update|Transact|BatchWrite|ConditionCheck|Scan/.test(a))).toEqual([]);
  });

  it('lets the ingest function put events on its own bus and nothing else on any bus', () => {
    const events = statements('ingest').filter((s) => [s.Action].flat().some((a) => a.startsWith('events:')));
    expect(events).toHaveLength(1);
    expect(events[0]?.Action).toBe('events:PutEvents');
    expect(events[0]?.Resource).toEqual({ 'Fn::ImportValue': expect.stringMatching(/DataBus/) });
    expect(actions('ingest').filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  it('lets the aggregate function batch-get, put and update items, list and delete journals only, and not scan', () => {
    expect(onTable('aggregate')).toEqual([
      { actions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], condition: undefined },
      { actions: ['dynamodb:DeleteItem', 'dynamodb:Query'], condition: journalsOnly },
    ]);
    const refused = ['dynamodb:BatchWriteItem', 'dynamodb:Scan'];
    expect(actions('aggregate').filter((a) => refused.includes(a) || streams.test(a))).toEqual([]);
    expect(ownActions('aggregate').filter((a) => a.startsWith('dynamodb:'))).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });

  it('lets the aggregate function put events on its own bus (it announces Alert Raised), and nothing else there', () => {
    expect(env('aggregate').EVENT_BUS_NAME).toEqual({ 'Fn::ImportValue': expect.stringMatching(/OutputRefDataBus/) });
    const events = statements('aggregate').filter((s) => [s.Action].flat().some((a) => a.startsWith('events:')));
    expect(events).toEqual([
      expect.objectContaining({
        Action: 'events:PutEvents',
        Resource: { 'Fn::ImportValue': expect.stringMatching(/GetAttDataBus\w*Arn/) },
      }),
    ]);
  });

  it('grants no function a DynamoDB wildcard or a stream read', () => {
    for (const name of functionNames)
      expect(actions(name).filter((a) => a.startsWith('dynamodb:') && (a.includes('*') || streams.test(a)))).toEqual(
        [],
      );
  });

  it('lets the aggregate function send to its DLQ only (poison records), and not to its own queue', () => {
    const { queueId, dlqId } = queueIds();
    const sends = statements('aggregate').filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:Send')));
    expect(sends).toEqual([expect.objectContaining({ Action: 'sqs:SendMessage', Resource: arnOf(dlqId) })]);
    expect(actionsOn(service, 'aggregate', arnOf(dlqId))).toEqual(['sqs:SendMessage']);
    expect(actionsOn(service, 'aggregate', arnOf(queueId)).filter((a) => a.startsWith('sqs:Send'))).toEqual([]);
  });

  it('lets the alert function only record and mark alerts, read aggregates and put events', () => {
    const alertActions = actions('alert');
    expect(alertActions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(alertActions).toContain('events:PutEvents');
  });

  it('keeps the authorizer to reading its token, and personal tokens and users by key', () => {
    expect(ownActions('authorizer')).toEqual([
      'dynamodb:BatchGetItem',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    expect(actionsOn(service, 'authorizer', tableArn())).toEqual(['dynamodb:BatchGetItem']);
  });

  it('keeps the list index to the query function', () => {
    for (const name of functionNames.filter((n) => n !== 'query'))
      expect(statements(name).filter((s) => JSON.stringify(s.Resource).includes('/index/'))).toEqual([]);
  });
});

describe('service principals on the alerts key and topic', () => {
  type PolicyStatement = { Effect: string; Principal?: { Service?: string }; Condition?: Record<string, unknown> };
  // The app's explicit environment, written into the ARNs and conditions as literals.
  const { account, region } = TEST_ENV;
  // With the partition literals feature flag (cdk.json), the whole prefix is one literal string.
  const arnOfResource = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
  const alarms = { ArnLike: { 'aws:SourceArn': arnOfResource('cloudwatch', 'alarm:*') } };
  const thisAccount = { StringEquals: { 'aws:SourceAccount': account } };
  const byService = (statements: PolicyStatement[]) =>
    Object.fromEntries(statements.filter((s) => s.Principal?.Service).map((s) => [s.Principal?.Service, s]));
  const topicId = () => logicalIdOf(service, 'AWS::SNS::Topic', { DisplayName: 'flash figures alerts' });
  const topicPolicy = () =>
    Object.values(service.findResources('AWS::SNS::TopicPolicy')).find(
      (p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topicId() }]),
    )?.Properties.PolicyDocument.Statement as PolicyStatement[];

  it('lets EventBridge use the key for rules of the bus and CloudWatch for alarms, of this account only', () => {
    const [key] = Object.values(service.findResources('AWS::KMS::Key'));
    const granted = byService(key?.Properties.KeyPolicy.Statement as PolicyStatement[]);
    expect(Object.keys(granted).sort()).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    expect(granted['events.amazonaws.com']?.Condition).toEqual({
      ...thisAccount,
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            [arnOfResource('events', 'rule/'), { 'Fn::ImportValue': expect.stringMatching(/DataBus/) }, '/*'],
          ],
        },
      },
    });
    expect(granted['cloudwatch.amazonaws.com']?.Condition).toEqual({ ...thisAccount, ...alarms });
  });

  it('lets EventBridge publish to the topic for the alerts rule only, and CloudWatch for alarms of this account', () => {
    const [ruleId, ...others] = Object.keys(service.findResources('AWS::Events::Rule')).filter((id) =>
      JSON.stringify(service.toJSON().Resources[id].Properties.Targets).includes(`{"Ref":"${topicId()}"}`),
    );
    expect(others).toEqual([]);
    const granted = byService(topicPolicy());
    expect(Object.keys(granted).sort()).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    expect(granted['events.amazonaws.com']?.Condition).toEqual({
      ...thisAccount,
      ArnEquals: { 'aws:SourceArn': arnOf(ruleId as string) },
    });
    expect(granted['cloudwatch.amazonaws.com']?.Condition).toEqual({ ...thisAccount, ...alarms });
  });
});

describe('aggregate dead letters', () => {
  it('tells the aggregate function its DLQ, where it parks poison records with their reason', () => {
    expect(env('aggregate').DEAD_LETTER_QUEUE_URL).toEqual({ Ref: queueIds().dlqId });
  });
});

describe('operations functions', () => {
  it('gives rebuild 15 minutes, 1 GB, scans, updates and the fold of waiting journals (no index), without any trigger', () => {
    const rebuild = functionOf(service, 'rebuild');
    expect(rebuild.Timeout).toBe(900);
    expect(rebuild.MemorySize).toBe(1024);
    expect(rebuild.Environment.Variables.TABLE_NAME).toEqual(expect.anything());
    expect(rebuild.Environment.Variables.METRICS_TIMEZONE).toBe('UTC');
    expect(onTable('rebuild')).toEqual([
      { actions: ['dynamodb:BatchGetItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'], condition: undefined },
      { actions: ['dynamodb:DeleteItem', 'dynamodb:Query'], condition: journalsOnly },
    ]);
    expect(ownActions('rebuild')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
  });

  it('gives redrive the queue ARNs and exactly what a message move task needs', () => {
    const { queueId, dlqId } = queueIds();
    expect(env('redrive')).toMatchObject({ DEAD_LETTER_QUEUE_ARN: arnOf(dlqId), QUEUE_ARN: arnOf(queueId) });
    expect(actionsOn(service, 'redrive', arnOf(dlqId))).toEqual([
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:StartMessageMoveTask',
    ]);
    expect(actionsOn(service, 'redrive', arnOf(queueId))).toEqual(['sqs:SendMessage']);
    expect(ownActions('redrive').every((a) => a.startsWith('sqs:'))).toBe(true);
    expect(ownActions('redrive')).toHaveLength(5);
  });

  it('runs both only by hand: no trigger, no invoke permission, no async retry', () => {
    for (const name of ['rebuild', 'redrive']) {
      const id = functionIdOf(service, name);
      const refersTo = (r: unknown) => JSON.stringify(r).includes(`"${id}"`);
      expect(Object.values(service.findResources('AWS::Lambda::EventSourceMapping')).filter(refersTo)).toEqual([]);
      expect(Object.values(service.findResources('AWS::Lambda::Permission')).filter(refersTo)).toEqual([]);
      expect(Object.values(service.findResources('AWS::Events::Rule')).filter(refersTo)).toEqual([]);
      service.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: id },
        MaximumRetryAttempts: 0,
      });
    }
  });

  it('outputs the names of the rebuild and redrive functions and the DLQ URL', () => {
    const outputs = service.findOutputs('*');
    const outputValue = (suffix: string) =>
      Object.entries(outputs).find(([key]) => key.includes(suffix))?.[1]?.Value as unknown;
    expect(outputValue('RebuildFunctionName')).toEqual({ Ref: functionIdOf(service, 'rebuild') });
    expect(outputValue('RedriveFunctionName')).toEqual({ Ref: functionIdOf(service, 'redrive') });
    expect(outputValue('AggregateDlqUrl')).toEqual({ Ref: queueIds().dlqId });
  });
});

describe('HTTP API', () => {
  /** Every route: its authorization and the function (by service name) behind it. */
  const routes = () => {
    const resources = service.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const serviceNameOf = Object.fromEntries(
      functionNames.map((name) => [functionIdOf(service, name), name as string]),
    );
    return Object.fromEntries(
      Object.values(resources)
        .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
        .map(({ Properties: p }) => {
          const integrationId = JSON.stringify(p.Target).match(/"Ref":"([^"]+)"/)?.[1] as string;
          const uri = resources[integrationId]?.Properties.IntegrationUri as { 'Fn::GetAtt': [string, string] };
          return [
            p.RouteKey as string,
            { auth: p.AuthorizationType, authorizer: p.AuthorizerId, fn: serviceNameOf[uri['Fn::GetAtt'][0]] },
          ];
        }),
    );
  };

  it('serves exactly these routes, with the bearer-token authorizer on data and writes only', () => {
    const authorizerId = { Ref: logicalIdOf(service, 'AWS::ApiGatewayV2::Authorizer', {}) };
    const open = (fn: string) => ({ auth: 'NONE', authorizer: undefined, fn });
    const guarded = (fn: string) => ({ auth: 'CUSTOM', authorizer: authorizerId, fn });
    expect(routes()).toEqual({
      'POST /webhooks/{source}': open('ingest'),
      'POST /v1/events': guarded('ingest'),
      'GET /': open('query'),
      'OPTIONS /v1/{proxy+}': open('query'),
      'GET /v1/{proxy+}': guarded('query'),
      'PUT /v1/profiles/{id}': guarded('config'),
      'DELETE /v1/profiles/{id}': guarded('config'),
      'OPTIONS /v1/profiles/{id}': open('config'),
      'PUT /v1/users/{id}': guarded('config'),
      'DELETE /v1/users/{id}': guarded('config'),
      'OPTIONS /v1/users/{id}': open('config'),
      'POST /v1/users/{id}/tokens': guarded('config'),
      'OPTIONS /v1/users/{id}/tokens': open('config'),
      'DELETE /v1/users/{id}/tokens/{tokenId}': guarded('config'),
      'OPTIONS /v1/users/{id}/tokens/{tokenId}': open('config'),
      'PUT /v1/budgets/{month}': guarded('config'),
      'DELETE /v1/budgets/{month}': guarded('config'),
      'OPTIONS /v1/budgets/{month}': open('config'),
      'PUT /v1/stage-probabilities': guarded('config'),
      'OPTIONS /v1/stage-probabilities': open('config'),
      'PUT /v1/stages/{source}': guarded('config'),
      'OPTIONS /v1/stages/{source}': open('config'),
    });
  });

  it('uses one simple-response Lambda authorizer on the Authorization header', () => {
    service.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    service.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerUri: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([arnOf(functionIdOf(service, 'authorizer'))])],
      }),
    });
  });

  it('leaves CORS preflights to the functions: no API-level CORS, which would answer OPTIONS itself', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
  });

  it('sets no CORS_ORIGINS by default, so query and config answer without CORS headers', () => {
    expect(env('query').CORS_ORIGINS).toBeUndefined();
    expect(env('config').CORS_ORIGINS).toBeUndefined();
    expect(env('config').TABLE_NAME).toEqual(expect.anything());
  });

  it('throttles the stage and writes JSON access logs', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId"') },
    });
  });

  it('gives the webhooks, history and /v1 a token bucket each, so a flood on one cannot starve another', () => {
    const throttled = ['POST /webhooks/{source}', 'POST /v1/events', 'GET /v1/{proxy+}'];
    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: Match.objectEquals(
        Object.fromEntries(throttled.map((key) => [key, { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }])),
      ),
    });
    // API Gateway refuses settings for a route that does not exist yet.
    const [stage] = Object.values(service.findResources('AWS::ApiGatewayV2::Stage'));
    for (const key of throttled)
      expect(stage?.DependsOn).toContain(logicalIdOf(service, 'AWS::ApiGatewayV2::Route', { RouteKey: key }));
  });

  it("signs HubSpot's URL check with the API's own endpoint, never a URL from the request's headers", () => {
    expect(env('ingest').PUBLIC_BASE_URL).toEqual({
      'Fn::GetAtt': [logicalIdOf(service, 'AWS::ApiGatewayV2::Api', {}), 'ApiEndpoint'],
    });
  });

  it('outputs the API URL and one webhook URL per enabled source', () => {
    const outputs = Object.keys(service.findOutputs('*'));
    expect(outputs.filter((o) => o.includes('ApiUrl'))).toHaveLength(1);
    expect(outputs.filter((o) => o.includes('WebhookUrl'))).toHaveLength(Object.keys(connectors).length);
  });
});

describe('ingest settings and secrets', () => {
  it('passes no HubSpot setting by default, so the connector keeps its own defaults', () => {
    expect(Object.keys(env('ingest')).filter((k) => k.startsWith('HUBSPOT_'))).toEqual([]);
  });

  it('keeps every webhook credential (PIPEDRIVE_BASIC_AUTH too) out of every environment', () => {
    expect(webhookSecretKeys).toEqual(expect.arrayContaining(['PIPEDRIVE_BASIC_AUTH', 'WEBHOOK_SECRET_STRIPE']));
    for (const name of functionNames)
      expect(Object.keys(env(name)).filter((k) => webhookSecretKeys.includes(k))).toEqual([]);
  });

  it('names every key of the webhook secrets JSON in the secret description', () => {
    const [secret] = Object.values(data.findResources('AWS::SecretsManager::Secret')).filter((s) =>
      String(s.Properties.Description).includes('webhook credentials'),
    );
    for (const key of webhookSecretKeys) expect(secret?.Properties.Description).toContain(key);
  });
});

describe('table', () => {
  it('uses the shared key schema, on demand, with PITR, deletion protection and the list index, without a TTL nothing writes', () => {
    const { partitionKey, sortKey, listIndex } = tableSchema;
    data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: Match.absent(),
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: listIndex.name,
            KeySchema: [
              { AttributeName: listIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: listIndex.sortKey, KeyType: 'RANGE' },
            ],
          }),
        ],
      }),
    });
  });
});

describe('alarms', () => {
  const alarmOn = (metricName: string, threshold: number) =>
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricName,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });

  it('alarms on any message in a DLQ, on errors, on 5xx and on a lagging aggregator', () => {
    service.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { MetricName: 'ApproximateNumberOfMessagesVisible' },
      2,
    );
    alarmOn('ApproximateNumberOfMessagesVisible', 1);
    alarmOn('Errors', 1);
    alarmOn('5xx', 1);
    alarmOn('ApproximateAgeOfOldestMessage', 900);
    service.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('notifies the alerts topic by default, of each alarm and of its return to OK', () => {
    const topic = { Ref: logicalIdOf(service, 'AWS::SNS::Topic', { DisplayName: 'flash figures alerts' }) };
    const alarms = Object.values(service.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(8);
    for (const alarm of alarms) expect(alarm.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
  });

  it('warns at synthesis when nobody is subscribed to where the alarms go', () => {
    Annotations.fromStack(serviceStack).hasWarning(
      '/FlashFigures-Service/Pipeline/Operations',
      Match.stringLikeRegexp('nobody hears about dead letters'),
    );
  });
});

describe('logical ids', () => {
  it('keeps those the pipeline had as one construct, so a deployed stack updates in place', () => {
    const ids = Object.keys(service.toJSON().Resources);
    expect(ids).toEqual(
      expect.arrayContaining([
        // A new API would be a new URL for every webhook; new queues, topic and key would lose messages,
        // subscriptions and what the key encrypts; a second event source mapping on the queue is refused.
        'PipelineApi16735E58',
        'PipelineStageCAF031A1',
        'PipelineApiPOSTwebhookssource5C2A2D72',
        'PipelineApiGETv1proxy56322F07',
        'PipelineApiApiTokenF8A4122E',
        'PipelineApiFlashFiguresServicePipelineApiApiToken0EB47B1APermissionB2382A78',
        'PipelineApiAccessLogsB823281D',
        'PipelineAggregateQueueB44A3281',
        'PipelineAggregateDlq11969EF0',
        'PipelineAlertDlqFFB62C29',
        'PipelineAggregateRuleC2C53569',
        'PipelineDetractorAlertRule94748998',
        'PipelineDetractorAlertRuleAllowEventRuleFlashFiguresServicePipelineAlert35398BA4DD019704',
        'PipelineAlertsToTopicRuleAACAA8A5',
        'PipelineAlertsKey4A146103',
        'PipelineAlertsTopic25CA5339',
        'PipelineAggregateSqsEventSourceFlashFiguresServicePipelineAggregateQueueB056F0BF6FA00C02',
        'PipelineIngestBCF0D6C9',
        'PipelineAggregate3C3CFC44',
        'PipelineQueryD5099B18',
        'PipelineAlertDCF0FF5E',
        'PipelineAuthorizerD2377A1E',
        'PipelineConfig63890EF1',
        'PipelineRebuild9BC9DA4B',
        'PipelineRedriveE1195B81',
        'PipelineIngestLogs98982B34',
        'PipelineMonitoringaggregateDlqNotEmpty51A12FE1',
        'PipelineMonitoringDashboard9CCBCC06',
      ]),
    );
  });
});
