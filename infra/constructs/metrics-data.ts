import { SLACK_WEBHOOK_PLACEHOLDER } from '@flash/app';
import { connectors } from '@flash/connectors';
import { INGEST_SOURCE } from '@flash/core';
import { tableSchema } from '@flash/store';
import { Duration, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface MetricsDataProps {
  /** Create a secret for a Slack-compatible incoming webhook URL that detractor alerts are posted to. */
  readonly slackAlerts?: boolean;
  /** How long the bus archive keeps ingested events for replay. @default 365 days */
  readonly archiveRetention?: Duration;
}

/** The keys of the webhook secrets JSON: each connector's credential variable, as ingest asks for it. */
export const webhookSecretKeys: readonly string[] = Object.values(connectors).map((c) => c.secretVariable);

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

/**
 * The stateful half of the pipeline: the table, the event bus with its replay archive, and the secrets.
 * Everything here is kept when its stack is deleted; the stateless half can be torn down and redeployed freely.
 */
export class MetricsData extends Construct {
  readonly table: dynamodb.Table;
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  /**
   * One JSON secret holding every source's credential under its variable name: WEBHOOK_SECRET_* for the
   * signing secrets, PIPEDRIVE_BASIC_AUTH (`user:password`) for Pipedrive's Basic auth.
   */
  readonly webhookSecrets: secretsmanager.Secret;
  /** The bearer token of the query API. */
  readonly apiToken: secretsmanager.Secret;
  /** The read-only token: GETs of /v1 only, for wallboards and read-only links (docs/deploy.md). */
  readonly readApiToken: secretsmanager.Secret;
  readonly alertWebhookUrl: secretsmanager.Secret | undefined;

  constructor(scope: Construct, id: string, props: MetricsDataProps = {}) {
    super(scope, id);
    const { partitionKey, sortKey, listIndex } = tableSchema;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: stringKey(partitionKey),
      sortKey: stringKey(sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: listIndex.name,
      partitionKey: stringKey(listIndex.partitionKey),
      sortKey: stringKey(listIndex.sortKey),
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.bus = new events.EventBus(this, 'Bus', { description: 'flash figures: canonical entity events and alerts' });
    // Only ingested events: replaying them rebuilds every figure, and alerts are derived from them again.
    this.archive = this.bus.archive('Archive', {
      description: 'flash figures: ingested events, for replay',
      eventPattern: { source: [INGEST_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(365),
    });
    this.archive.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // The L2 writes `KmsKeyIdentifier: ""` when no key is given (aws/aws-cdk#37847), which some regions refuse;
    // without the property the archive uses an AWS owned key, as intended.
    (this.archive.node.defaultChild as events.CfnArchive).addPropertyDeletionOverride('KmsKeyIdentifier');

    this.webhookSecrets = new secretsmanager.Secret(this, 'WebhookSecrets', {
      description: `flash figures: webhook credentials as JSON, one key per source: ${webhookSecretKeys.join(', ')}`,
      // Starts empty (every source answers 503 "not configured") until the operator puts the real values.
      secretObjectValue: {},
    });
    this.apiToken = new secretsmanager.Secret(this, 'ApiToken', {
      description: 'flash figures: bearer token of the /v1 query API',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    this.readApiToken = new secretsmanager.Secret(this, 'ReadApiToken', {
      description: 'flash figures: read-only bearer token of the /v1 query API (GETs only, never the configuration)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    this.alertWebhookUrl = props.slackAlerts
      ? new secretsmanager.Secret(this, 'AlertWebhookUrl', {
          description: 'flash figures: Slack-compatible incoming webhook URL for detractor alerts',
          // The alert function reads the placeholder as "not configured" until the operator puts the real URL.
          secretStringValue: SecretValue.unsafePlainText(SLACK_WEBHOOK_PLACEHOLDER),
        })
      : undefined;
    for (const secret of [this.webhookSecrets, this.apiToken, this.readApiToken, this.alertWebhookUrl]) {
      if (!secret) continue;
      secret.applyRemovalPolicy(RemovalPolicy.RETAIN);
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Issued by third parties (webhook providers, Slack) or shared with dashboard owners; rotated by hand as described in docs/deploy.md.',
      });
    }
  }
}
