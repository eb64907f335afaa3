import { App, type CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionNames, MetricsPipeline, type MetricsPipelineProps } from '../../packages/cdk/src/index.js';
import { actionsOf, envOf, functionOf, TEST_ENV } from './support.js';

/** The construct alone in a stack of a fresh app, as a platform team uses it. */
const synthesize = (
  props: Partial<MetricsPipelineProps> = {},
  extra?: (stack: Stack) => Partial<MetricsPipelineProps>,
) => {
  const app = new App();
  const stack = new Stack(app, 'Platform', { env: TEST_ENV });
  const pipeline = new MetricsPipeline(stack, 'Figures', { sources: ['generic'], ...props, ...extra?.(stack) });
  return { stack, pipeline, template: Template.fromStack(stack) };
};

const retentionOf = (template: Template, name: string) => {
  const logGroup = (functionOf(template, name) as unknown as { LoggingConfig: { LogGroup: { Ref: string } } })
    .LoggingConfig.LogGroup.Ref;
  return (template.toJSON().Resources[logGroup] as { Properties: { RetentionInDays: number } }).Properties
    .RetentionInDays;
};

describe('defaults', () => {
  let built: ReturnType<typeof synthesize>;
  beforeAll(() => {
    built = synthesize();
  });

  it('runs every function on Node.js 24, arm64', () => {
    const fns = built.template.findResources('AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(functionNames.length);
    for (const fn of Object.values(fns))
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
  });

  it('adds no stack outputs and names its HTTP API', () => {
    expect(built.template.findOutputs('*')).toEqual({});
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'flash-figures' });
  });

  it('retains the data: the table (deletion protection on), archive, secrets, key and log groups', () => {
    built.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    for (const type of ['AWS::Events::Archive', 'AWS::SecretsManager::Secret', 'AWS::KMS::Key', 'AWS::Logs::LogGroup'])
      for (const resource of Object.values(built.template.findResources(type)))
        expect(resource.DeletionPolicy, type).toBe('Retain');
  });

  it('exposes each queue, DLQ, rule, the key, the authorizer and the functions as the resources in its template', () => {
    const { pipeline, stack, template } = built;
    const ids = Object.keys(template.toJSON().Resources);
    const logicalIdOf = (c: IConstruct | undefined) =>
      stack.resolve((c?.node.defaultChild as CfnElement | undefined)?.logicalId) as string;
    const exposed = {
      aggregateQueue: pipeline.aggregateQueue,
      aggregateDeadLetterQueue: pipeline.aggregateDeadLetterQueue,
      alertDeadLetterQueue: pipeline.alertDeadLetterQueue,
      aggregateRule: pipeline.aggregateRule,
      detractorRule: pipeline.detractorRule,
      alertsTopicRule: pipeline.alertsTopicRule,
      ...pipeline.functions,
    };
    for (const [name, construct] of Object.entries(exposed)) expect(ids, name).toContain(logicalIdOf(construct));
    expect(ids).toContain(logicalIdOf(pipeline.alertsKey));
    expect(stack.resolve(pipeline.authorizer.authorizerId)).toEqual({
      Ref: Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0],
    });
    expect(pipeline.slackRule).toBeUndefined();
    expect(Object.keys(pipeline.functions).sort()).toEqual([...functionNames].sort());
  });
});

describe('removalPolicy DESTROY (a development deployment)', () => {
  it('lets the table, archive, secrets, key and log groups go with the stack', () => {
    const { template } = synthesize({ removalPolicy: RemovalPolicy.DESTROY, slackAlerts: true });
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    for (const type of [
      'AWS::Events::Archive',
      'AWS::SecretsManager::Secret',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
    ]) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length, type).toBeGreaterThan(0);
      for (const resource of resources) expect(resource.DeletionPolicy, type).toBe('Delete');
    }
  });
});

describe('per-function overrides and runtime', () => {
  let built: ReturnType<typeof synthesize>;
  beforeAll(() => {
    built = synthesize({ runtime: lambda.Runtime.NODEJS_22_X }, (stack) => {
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      });
      return {
        functionProps: {
          aggregate: {
            memorySize: 2048,
            timeout: Duration.seconds(90),
            reservedConcurrentExecutions: 7,
            vpc,
            logRetention: logs.RetentionDays.ONE_YEAR,
          },
          query: { memorySize: 512 },
        },
      };
    });
  });

  it('applies memory, timeout, reserved concurrency, VPC and log retention to that function only', () => {
    const { template } = built;
    expect(functionOf(template, 'aggregate')).toMatchObject({
      MemorySize: 2048,
      Timeout: 90,
      ReservedConcurrentExecutions: 7,
      VpcConfig: { SubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'] },
    });
    expect(functionOf(template, 'query').MemorySize).toBe(512);
    expect(functionOf(template, 'ingest')).toMatchObject({ MemorySize: 256, Timeout: 10 });
    expect(functionOf(template, 'ingest')).not.toHaveProperty('VpcConfig');
    expect(retentionOf(template, 'aggregate')).toBe(365);
    expect(retentionOf(template, 'ingest')).toBe(30);
  });

  it('lets the function in a VPC manage its network interfaces, and no other', () => {
    expect(actionsOf(built.template, 'aggregate')).toContain('ec2:CreateNetworkInterface');
    expect(actionsOf(built.template, 'ingest').filter((a) => a.startsWith('ec2:'))).toEqual([]);
  });

  it('runs every function on the runtime given', () => {
    for (const name of functionNames) expect(functionOf(built.template, name)).toMatchObject({ Runtime: 'nodejs22.x' });
  });

  it('leaves cdk-nag nothing unacknowledged', () => {
    for (const checks of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      const report = checks.validateScope(built.stack);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    }
  });

  it('refuses a runtime the prebuilt bundles are not built for', () => {
    expect(() => synthesize({ runtime: lambda.Runtime.NODEJS_20_X })).toThrow(/nodejs20\.x.*nodejs24\.x/);
  });
});

describe('existing secrets and topic, table props', () => {
  const WEBHOOKS = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/webhooks-AbCdEf';
  const TOKEN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/token-AbCdEf';
  const SLACK = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/slack-AbCdEf';
  const READ_TOKEN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/read-token-AbCdEf';
  const API_CREDENTIALS = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/provider-apis-AbCdEf';
  const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:platform-alerts';
  let template: Template;
  beforeAll(() => {
    ({ template } = synthesize({ tableProps: { tableName: 'platform-figures' } }, (stack) => ({
      existingWebhookSecrets: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Webhooks', WEBHOOKS),
      existingApiToken: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Token', TOKEN),
      existingReadApiToken: secretsmanager.Secret.fromSecretCompleteArn(stack, 'ReadToken', READ_TOKEN),
      existingApiCredentials: secretsmanager.Secret.fromSecretCompleteArn(stack, 'ApiCredentials', API_CREDENTIALS),
      existingAlertWebhookUrl: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Slack', SLACK),
      existingAlertsTopic: sns.Topic.fromTopicArn(stack, 'Alerts', TOPIC),
    })));
  });

  it('creates no secret, topic or key, and reads the given secrets', () => {
    for (const type of ['AWS::SecretsManager::Secret', 'AWS::SNS::Topic', 'AWS::KMS::Key'])
      template.resourceCountIs(type, 0);
    expect(envOf(template, 'ingest').WEBHOOK_SECRETS_ARN).toBe(WEBHOOKS);
    expect(envOf(template, 'authorizer').API_TOKEN_SECRET_ARN).toBe(TOKEN);
    expect(envOf(template, 'authorizer').READ_API_TOKEN_SECRET_ARN).toBe(READ_TOKEN);
    expect(envOf(template, 'backfill').API_CREDENTIALS_ARN).toBe(API_CREDENTIALS);
    expect(envOf(template, 'alert').ALERT_WEBHOOK_URL_SECRET_ARN).toBe(SLACK);
    expect(actionsOf(template, 'authorizer')).toContain('secretsmanager:GetSecretValue');
  });

  it('publishes alerts to the given topic and points the alarms there', () => {
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: TOPIC })] });
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')))
      expect(alarm.Properties.AlarmActions).toEqual([TOPIC]);
  });

  it("keeps the pipeline's key schema on a table made from tableProps", () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'platform-figures',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
  });

  it('refuses existingTable with tableProps', () => {
    expect(() =>
      synthesize({ tableProps: {} }, (stack) => ({
        existingTable: dynamodb.Table.fromTableName(stack, 'Table', 'platform-figures'),
      })),
    ).toThrow(/existingTable and tableProps/);
  });
});

describe('custom domain from a certificate and a hosted zone', () => {
  it('maps the domain with the given certificate and writes the alias in the given zone', () => {
    const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
    const { template } = synthesize({ outputs: true }, (stack) => ({
      domain: {
        domainName: 'figures.example.com',
        certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT),
        hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
          hostedZoneId: 'Z123',
          zoneName: 'example.com',
        }),
      },
    }));
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'figures.example.com',
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: CERT })],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: 'Z123', Type: 'A' });
    expect(Object.values(template.findOutputs('*')).map((o) => o.Value)).toContain(
      'https://figures.example.com/webhooks/generic',
    );
  });
});
