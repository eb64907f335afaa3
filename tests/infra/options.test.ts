import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { envOf, synthesizeApp } from './support.js';

/** The app with every optional setting, synthesized once for the whole file. */
let data: Template;
let service: Template;

beforeAll(() => {
  ({ data, service } = synthesizeApp(
    {
      alertEmail: 'ops@example.com',
      slackAlerts: 'true',
      alarmTopic: 'alerts',
      sources: 'generic,stripe,hubspot',
      domainName: 'figures.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      hostedZoneId: 'Z123',
      hostedZoneName: 'example.com',
      corsOrigins: 'https://dash.example.com, http://localhost:5173',
      hubspotWonStages: ['12345', 'contractsigned'],
      hubspotLostStages: '67890',
      hubspotCustomerProperty: 'company_number',
    },
    { bundle: false },
  ));
});

describe('options', () => {
  it('adds the e-mail subscription, Slack secret, custom domain and alarm actions when asked', () => {
    service.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      RedrivePolicy: Match.anyValue(),
    });
    data.resourceCountIs('AWS::SecretsManager::Secret', 3);
    service.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'figures.example.com' });
    service.resourceCountIs('AWS::Route53::RecordSet', 1);
    service.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [Match.anyValue()] });
    const outputs = Object.values(service.findOutputs('*')).map((o) => o.Value);
    expect(outputs).toContain('https://figures.example.com/webhooks/stripe');
    expect(outputs.filter((v) => typeof v === 'string' && v.includes('/webhooks/'))).toHaveLength(3);
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
      ENABLED_SOURCES: 'generic,stripe,hubspot',
      PUBLIC_BASE_URL: 'https://figures.example.com',
    });
  });
});

describe('settings refused at synthesis', () => {
  it('refuses an unknown source', () => {
    expect(() => synthesizeApp({ sources: 'generic,nosuchsource' })).toThrow(/nosuchsource/);
  });

  it('refuses a CORS origin the functions would refuse at cold start', () => {
    expect(() => synthesizeApp({ corsOrigins: 'https://dash.example.com/' })).toThrow(/CORS_ORIGINS/);
  });
});
