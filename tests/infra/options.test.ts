import { SLACK_WEBHOOK_PLACEHOLDER } from '@flash/app';
import { rulePatterns } from '@flash/core';
import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { envOf, functionIdOf, synthesizeApp, TEST_ENV } from './support.js';

/** The app with every optional setting, synthesized once for the whole file. */
let data: Template;
let service: Template;
let serviceStack: Stack;

const nobodyHears = Match.stringLikeRegexp('nobody hears');

beforeAll(() => {
  ({ data, service, serviceStack } = synthesizeApp({
    alertEmail: 'ops@example.com',
    slackAlerts: 'true',
    alarmTopic: 'alerts',
    sources: 'generic,stripe,hubspot',
    sweepSources: 'stripe,typeform',
    domainName: 'figures.example.com',
    certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
    hostedZoneId: 'Z123',
    hostedZoneName: 'example.com',
    corsOrigins: 'https://dash.example.com, http://localhost:5173',
    hubspotWonStages: ['12345', 'contractsigned'],
    hubspotLostStages: '67890',
    hubspotCustomerProperty: 'company_number',
    hubspotAcceptLegacySignatures: 'true',
    webhookThrottleRateLimit: 20,
    webhookThrottleBurstLimit: '40',
    queryThrottleRateLimit: '10',
    queryThrottleBurstLimit: 15,
  }));
});

describe('options', () => {
  it('sweeps the sources named in context every night, and none by default', () => {
    const inputs = Object.values(service.findResources('AWS::Scheduler::Schedule')).map(
      (r) => (r as { Properties: { Target: { Input: string } } }).Properties.Target.Input,
    );
    expect(inputs.map((i) => JSON.parse(i).source).sort()).toEqual(['stripe', 'typeform']);
    synthesizeApp({}).service.resourceCountIs('AWS::Scheduler::Schedule', 0);
  });

  it('adds the e-mail subscription, Slack secret, custom domain and alarm actions when asked', () => {
    service.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      RedrivePolicy: Match.anyValue(),
    });
    // Webhook credentials, API token, read-only token, Slack URL.
    data.resourceCountIs('AWS::SecretsManager::Secret', 4);
    service.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'figures.example.com' });
    service.resourceCountIs('AWS::Route53::RecordSet', 1);
    service.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [Match.anyValue()] });
    const outputs = Object.values(service.findOutputs('*')).map((o) => o.Value);
    expect(outputs).toContain('https://figures.example.com/webhooks/stripe');
    expect(outputs.filter((v) => typeof v === 'string' && v.includes('/webhooks/'))).toHaveLength(3);
  });

  it('routes published alerts back to the Slack step of the alert function, retried on its own', () => {
    const alertArn = { 'Fn::GetAtt': [functionIdOf(service, 'alert'), 'Arn'] };
    service.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectEquals(rulePatterns.slackAlert),
      Targets: [
        Match.objectLike({
          Arn: alertArn,
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
    expect(envOf(service, 'alert').ALERT_WEBHOOK_URL_SECRET_ARN).toEqual(expect.anything());
  });

  it('creates the Slack secret with the placeholder the alert function reads as "not configured"', () => {
    data.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: SLACK_WEBHOOK_PLACEHOLDER });
  });

  it('keeps the logical id of the API mapping of the custom domain', () => {
    expect(Object.keys(service.findResources('AWS::ApiGatewayV2::ApiMapping'))).toEqual([
      'PipelineStageFlashFiguresServicePipelineDomainundefinedCF862766',
    ]);
  });

  it('throttles the webhooks and /v1 as set, each on its own', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: {
        'POST /webhooks/{source}': { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
        'GET /v1/{proxy+}': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 15 },
      },
    });
  });

  it('does not warn about unheard alarms when someone is subscribed to the alerts topic', () => {
    Annotations.fromStack(serviceStack).hasNoWarning('*', nobodyHears);
  });

  it('passes corsOrigins as CORS_ORIGINS to the query and config functions only', () => {
    const origins = 'https://dash.example.com,http://localhost:5173';
    expect(envOf(service, 'query').CORS_ORIGINS).toBe(origins);
    expect(envOf(service, 'config').CORS_ORIGINS).toBe(origins);
    for (const name of ['ingest', 'aggregate', 'alert', 'authorizer', 'rebuild', 'redrive'])
      expect(envOf(service, name).CORS_ORIGINS).toBeUndefined();
  });

  it('passes the HubSpot connector settings to the ingest function', () => {
    expect(envOf(service, 'ingest')).toMatchObject({
      HUBSPOT_WON_STAGES: '12345,contractsigned',
      HUBSPOT_LOST_STAGES: '67890',
      HUBSPOT_CUSTOMER_PROPERTY: 'company_number',
      HUBSPOT_ACCEPT_LEGACY_SIGNATURES: 'true',
      ENABLED_SOURCES: 'generic,stripe,hubspot',
      PUBLIC_BASE_URL: 'https://figures.example.com',
    });
  });
});

describe('alarmEmail', () => {
  let alarmed: Template;
  let stack: Stack;
  beforeAll(() => {
    ({ service: alarmed, serviceStack: stack } = synthesizeApp({ alarmEmail: 'oncall@example.com' }));
  });
  const logicalIdOf = (displayName: string) =>
    Object.keys(alarmed.findResources('AWS::SNS::Topic', { Properties: { DisplayName: displayName } }))[0] as string;

  it('sends the alarms to a topic of their own, e-mailed to alarmEmail and encrypted with the alerts key', () => {
    const topic = logicalIdOf('flash figures alarms');
    const alertsKey = Object.keys(alarmed.findResources('AWS::KMS::Key'))[0] as string;
    alarmed.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'flash figures alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [alertsKey, 'Arn'] },
    });
    alarmed.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: topic },
    });
    for (const alarm of Object.values(alarmed.findResources('AWS::CloudWatch::Alarm')))
      expect(alarm.Properties).toMatchObject({ AlarmActions: [{ Ref: topic }], OKActions: [{ Ref: topic }] });
  });

  it("lets CloudWatch publish to it for this account's alarms only", () => {
    alarmed.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalIdOf('flash figures alarms') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': TEST_ENV.account },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  it('does not warn: someone hears the alarms', () => {
    Annotations.fromStack(stack).hasNoWarning('*', nobodyHears);
  });
});

describe('settings refused at synthesis', () => {
  it('refuses alarmTopic and alarmEmail together', () => {
    expect(() => synthesizeApp({ alarmTopic: 'alerts', alarmEmail: 'oncall@example.com' })).toThrow(
      /alarmTopic and alarmEmail/,
    );
  });

  it('refuses an unknown source', () => {
    expect(() => synthesizeApp({ sources: 'generic,nosuchsource' })).toThrow(/nosuchsource/);
  });

  it('refuses a sweep source that has no history API', () => {
    expect(() => synthesizeApp({ sweepSources: 'stripe,generic' })).toThrow(/sweepSources.*generic/);
  });

  it('refuses a CORS origin the functions would refuse at cold start', () => {
    expect(() => synthesizeApp({ corsOrigins: 'https://dash.example.com/' })).toThrow(/CORS_ORIGINS/);
  });
});
