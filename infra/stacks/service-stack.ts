import { Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { type MetricsData, MetricsPipeline, type MetricsPipelineProps } from '../../packages/cdk/src/index.js';
import type { DomainSettings } from '../settings.js';

export interface ServiceStackProps
  extends StackProps,
    Omit<MetricsPipelineProps, 'domain' | 'existingTable' | 'existingEventBus'> {
  /** The Data stack's resources, passed to the pipeline as existing ones. */
  readonly data: MetricsData;
  readonly domain?: DomainSettings | undefined;
}

/** The stateless stack: functions, rules, queues, API, alerts, alarms; safe to destroy and redeploy. */
export class ServiceStack extends Stack {
  readonly pipeline: MetricsPipeline;

  constructor(scope: Construct, id: string, { data, domain, ...props }: ServiceStackProps) {
    super(scope, id, props);
    this.pipeline = new MetricsPipeline(this, 'Pipeline', {
      ...props,
      existingTable: data.table,
      existingEventBus: data.bus,
      existingWebhookSecrets: data.webhookSecrets,
      existingApiToken: data.apiToken,
      ...(data.alertWebhookUrl ? { existingAlertWebhookUrl: data.alertWebhookUrl } : {}),
      ...(domain
        ? {
            domain: {
              domainName: domain.domainName,
              certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
              ...(domain.hostedZone
                ? { hostedZone: route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', domain.hostedZone) }
                : {}),
            },
          }
        : {}),
    });
  }
}
