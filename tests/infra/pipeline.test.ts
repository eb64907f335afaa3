import { connectors } from '@flash/connectors';
import { rulePatterns } from '@flash/core';
import { tableSchema } from '@flash/store';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionNames } from '../../infra/constructs/metrics-function.js';
import { synthesizeApp } from './support.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

let data: Template;
let service: Template;

beforeAll(() => {
  ({ data, service } = synthesizeApp());
});

const logicalIdOf = (template: Template, type: string, props: Record<string, unknown>): string => {
  const found = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(found).toHaveLength(1);
  return found[0] as string;
};

/** Every IAM statement on the role of the function whose Powertools service name is `name`. */
const statementsOf = (name: string): { Action: string | string[]; Resource: unknown }[] => {
  const fnId = logicalIdOf(service, 'AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: name }) },
  });
  const fn = service.toJSON().Resources[fnId] as Resource;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = Object.values(
    service.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } }),
  ) as Resource[];
  return policies.flatMap(
    (p) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
  );
};
const actionsOf = (name: string): string[] => statementsOf(name).flatMap((s) => [s.Action].flat());

describe('event routing', () => {
  it('deploys the aggregate rule with exactly the pattern the local bus routes with', () => {
    service.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectEquals(rulePatterns.aggregate),
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
  });

  it('deploys the detractor rule with exactly the shared pattern, with retries and a DLQ', () => {
    service.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectEquals(rulePatterns.detractorAlert),
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });

  it('keeps ingested events in an archive for replay', () => {
    data.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: { source: rulePatterns.aggregate.source },
      RetentionDays: 365,
    });
  });

  it('hands the aggregator batches of 100 and lets it report partial failures', () => {
    service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100,
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
        Runtime: 'nodejs22.x',
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
    service.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, functionNames.length + 1);
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
  const writes = /^dynamodb:(Put|Update|Delete|BatchWrite|TransactWrite|Create)|^events:|^sqs:Send/;

  it('lets the query function only read the table', () => {
    const actions = actionsOf('query');
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => writes.test(a))).toEqual([]);
  });

  it('lets the ingest function put events on its own bus and nothing else on any bus', () => {
    const events = statementsOf('ingest').filter((s) => [s.Action].flat().some((a) => a.startsWith('events:')));
    expect(events).toHaveLength(1);
    expect(events[0]?.Action).toBe('events:PutEvents');
    expect(events[0]?.Resource).toEqual({ 'Fn::ImportValue': expect.stringMatching(/DataBus/) });
    expect(actionsOf('ingest').filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  it('lets the alert function only add alert records and put events', () => {
    const actions = actionsOf('alert');
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:PutItem']);
    expect(actions).toContain('events:PutEvents');
  });

  it('keeps the authorizer to reading its token', () => {
    expect(
      actionsOf('authorizer')
        .filter((a) => !/^(logs|xray):/.test(a))
        .sort(),
    ).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
  });
});

describe('HTTP API', () => {
  it('guards /v1 with the Lambda authorizer and leaves /webhooks to signatures', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
    });
    service.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /v1/{proxy+}',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: Match.anyValue(),
    });
    service.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /webhooks/{source}',
      AuthorizationType: 'NONE',
      AuthorizerId: Match.absent(),
    });
  });

  it('throttles the stage and writes JSON access logs', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId"') },
    });
  });

  it('outputs the API URL and one webhook URL per enabled source', () => {
    const outputs = Object.keys(service.findOutputs('*'));
    expect(outputs.filter((o) => o.includes('ApiUrl'))).toHaveLength(1);
    expect(outputs.filter((o) => o.includes('WebhookUrl'))).toHaveLength(Object.keys(connectors).length);
  });
});

describe('table', () => {
  it('uses the shared key schema, on demand, with PITR, deletion protection, TTL and the list index', () => {
    const { partitionKey, sortKey, listIndex, ttlAttribute } = tableSchema;
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
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
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
});

describe('options', () => {
  it('adds the e-mail subscription, Slack secret, custom domain and alarm actions when asked', () => {
    const custom = synthesizeApp({
      alertEmail: 'ops@example.com',
      slackAlerts: 'true',
      alarmTopic: 'alerts',
      sources: 'generic,stripe',
      domainName: 'figures.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      hostedZoneId: 'Z123',
      hostedZoneName: 'example.com',
    });
    custom.service.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      RedrivePolicy: Match.anyValue(),
    });
    custom.data.resourceCountIs('AWS::SecretsManager::Secret', 3);
    custom.service.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'figures.example.com' });
    custom.service.resourceCountIs('AWS::Route53::RecordSet', 1);
    custom.service.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [Match.anyValue()] });
    const outputs = Object.values(custom.service.findOutputs('*')).map((o) => o.Value);
    expect(outputs).toContain('https://figures.example.com/webhooks/stripe');
    expect(outputs.filter((v) => typeof v === 'string' && v.includes('/webhooks/'))).toHaveLength(2);
  });

  it('refuses an unknown source at synthesis', () => {
    expect(() => synthesizeApp({ sources: 'generic,nosuchsource' })).toThrow(/nosuchsource/);
  });
});
