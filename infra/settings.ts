import { corsOriginsFromEnv } from '@flash/app';
import { connectors, historySources } from '@flash/connectors';
import { assertTimeZone, normaliseCurrency } from '@flash/core';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';
import type { MetricsPipelineProps } from '../packages/cdk/src/index.js';

/** A list from cdk.json (an array) or from `-c key=a,b` (a string). */
const list = z.union([z.array(z.string()), z.string().transform((s) => s.split(',').map((v) => v.trim()))]);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]);
const retentionDays = z.coerce
  .number()
  .refine((days) => Object.values(logs.RetentionDays).includes(days), 'not a CloudWatch Logs retention period');

/** The CDK context keys this app reads (cdk.json or `-c key=value`); docs/deploy.md lists them. */
const contextShape = z.object({
  stackPrefix: z.string().default('FlashFigures'),
  /** Where to deploy; CDK_DEPLOY_ACCOUNT / CDK_DEPLOY_REGION when not in context, never the machine's default. */
  account: z
    .string()
    .regex(/^\d{12}$/, 'an AWS account id: 12 digits')
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')
    .optional(),
  /** `destroy`: a development deployment that `cdk destroy` removes completely, data included. */
  removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
  timeZone: z.string().default('UTC'),
  baseCurrency: z.string().default('EUR'),
  sources: list.optional(),
  /** Sources the nightly history sweep reads with the API credentials secret; none unless set. */
  sweepSources: list.optional(),
  alertEmail: z.email().optional(),
  slackAlerts: flag.default(false),
  domainName: z.string().optional(),
  certificateArn: z.string().optional(),
  hostedZoneId: z.string().optional(),
  hostedZoneName: z.string().optional(),
  logRetentionDays: retentionDays.default(logs.RetentionDays.ONE_MONTH),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  throttleRateLimit: z.coerce.number().positive().default(50),
  throttleBurstLimit: z.coerce.number().int().positive().default(100),
  webhookThrottleRateLimit: z.coerce.number().positive().default(50),
  webhookThrottleBurstLimit: z.coerce.number().int().positive().default(100),
  queryThrottleRateLimit: z.coerce.number().positive().default(50),
  queryThrottleBurstLimit: z.coerce.number().int().positive().default(100),
  archiveRetentionDays: z.coerce.number().int().positive().default(365),
  /** `alerts`: the pipeline's alerts topic, which alarms notify anyway unless alarmEmail is set. */
  alarmTopic: z.literal('alerts').optional(),
  /** Alarms e-mailed to this address through a topic of their own. */
  alarmEmail: z.email().optional(),
  /** CORS_ORIGINS of the query and config functions: origins, or `*`. */
  corsOrigins: list.optional(),
  /** HubSpot connector settings (ingest's environment); HubSpot's defaults apply when unset. */
  hubspotWonStages: list.optional(),
  hubspotLostStages: list.optional(),
  hubspotCustomerProperty: z.string().trim().min(1).optional(),
  /** HubSpot's legacy v1/v2 signatures (no replay window) accepted too; off unless set. */
  hubspotAcceptLegacySignatures: flag.default(false),
});
const contextSchema = contextShape
  .refine((c) => !c.domainName === !c.certificateArn, 'domainName and certificateArn go together')
  .refine((c) => !c.hostedZoneId === !c.hostedZoneName, 'hostedZoneId and hostedZoneName go together')
  .refine((c) => !(c.alarmTopic && c.alarmEmail), 'alarmTopic and alarmEmail exclude each other');

/** A custom domain as context gives it: names and ids, which the Service stack turns into constructs. */
export interface DomainSettings {
  readonly domainName: string;
  readonly certificateArn: string;
  readonly hostedZone?: { readonly hostedZoneId: string; readonly zoneName: string };
}

export type AppSettings = Omit<MetricsPipelineProps, 'domain'> & {
  stackPrefix: string;
  env: { account: string; region: string };
  domain?: DomainSettings;
};

/**
 * The account and region to deploy to, from context (`-c account=… -c region=…`) or CDK_DEPLOY_ACCOUNT /
 * CDK_DEPLOY_REGION. Never the CLI's CDK_DEFAULT_*, which depend on the machine's credentials (and are
 * us-east-1 offline), so the same command gives the same templates everywhere.
 */
const envOf = (c: { account?: string | undefined; region?: string | undefined }) => {
  const account = c.account ?? process.env.CDK_DEPLOY_ACCOUNT;
  const region = c.region ?? process.env.CDK_DEPLOY_REGION;
  if (!account || !region)
    throw new Error(
      `Say where to deploy: the account and region (missing: ${[!account && 'account', !region && 'region'].filter(Boolean).join(', ')}), ` +
        'as `-c account=123456789012 -c region=eu-west-1` (or in cdk.json) or CDK_DEPLOY_ACCOUNT and CDK_DEPLOY_REGION',
    );
  const checked = contextShape.pick({ account: true, region: true }).parse({ account, region });
  return { account: checked.account as string, region: checked.region as string };
};

/** Reads and checks the app's settings from CDK context; a wrong value fails synthesis with its key named. */
export const settingsFromContext = (node: Node): AppSettings => {
  const c = contextSchema.parse(
    Object.fromEntries(contextShape.keyof().options.map((key) => [key, node.tryGetContext(key)])),
  );
  const env = envOf(c);
  assertTimeZone(c.timeZone);
  const sources = c.sources ?? Object.keys(connectors);
  const unknown = sources.filter((s) => !Object.hasOwn(connectors, s));
  if (unknown.length > 0) throw new Error(`unknown sources in context "sources": ${unknown.join(', ')}`);
  const sweepSources = c.sweepSources?.filter(Boolean) ?? [];
  const unswept = sweepSources.filter((s) => !Object.hasOwn(historySources, s));
  if (unswept.length > 0)
    throw new Error(
      `context "sweepSources" names sources without a history API: ${unswept.join(', ')} (one of ${Object.keys(historySources).join(', ')})`,
    );
  // The function's own parser, so a value it would refuse at cold start fails synthesis instead.
  const corsOrigins = c.corsOrigins && corsOriginsFromEnv({ CORS_ORIGINS: c.corsOrigins.join(',') });
  const stages = (value: string[] | undefined) => value?.filter(Boolean);
  const hubspot = {
    wonStages: stages(c.hubspotWonStages),
    lostStages: stages(c.hubspotLostStages),
    customerProperty: c.hubspotCustomerProperty,
    acceptLegacySignatures: c.hubspotAcceptLegacySignatures,
  };
  return {
    stackPrefix: c.stackPrefix,
    env,
    removalPolicy: c.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    outputs: true,
    timeZone: c.timeZone,
    baseCurrency: normaliseCurrency(c.baseCurrency),
    sources,
    sweepSources,
    slackAlerts: c.slackAlerts,
    logRetention: c.logRetentionDays,
    logLevel: c.logLevel,
    throttle: { rateLimit: c.throttleRateLimit, burstLimit: c.throttleBurstLimit },
    webhookThrottle: { rateLimit: c.webhookThrottleRateLimit, burstLimit: c.webhookThrottleBurstLimit },
    queryThrottle: { rateLimit: c.queryThrottleRateLimit, burstLimit: c.queryThrottleBurstLimit },
    archiveRetention: Duration.days(c.archiveRetentionDays),
    alertEmail: c.alertEmail,
    alarmTopic: c.alarmTopic,
    alarmEmail: c.alarmEmail,
    ...(corsOrigins?.length ? { corsOrigins } : {}),
    hubspot,
    ...(c.domainName && c.certificateArn
      ? {
          domain: {
            domainName: c.domainName,
            certificateArn: c.certificateArn,
            ...(c.hostedZoneId && c.hostedZoneName
              ? { hostedZone: { hostedZoneId: c.hostedZoneId, zoneName: c.hostedZoneName } }
              : {}),
          },
        }
      : {}),
  };
};
