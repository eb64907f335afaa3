import { SLACK_WEBHOOK_PLACEHOLDER } from '@flash/app';
import { connectors } from '@flash/connectors';
import { INGEST_SOURCE } from '@flash/core';
import { tableSchema } from '@flash/store';
import { Duration, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The table's own settings a deployment may choose; the key schema and the list index are the pipeline's. */
export type MetricsTableProps = Omit<dynamodb.TableProps, 'partitionKey' | 'sortKey'>;

export interface MetricsDataProps {
  /**
   * A table made elsewhere, with the pipeline's key schema and list index (`tableSchema`, listed in
   * docs/deploy.md); nothing else is created for it.
   * @default a table of the pipeline's own, from tableProps
   */
  readonly existingTable?: dynamodb.ITable;
  /** Settings of the table the pipeline creates (billing, encryption...); not with existingTable. */
  readonly tableProps?: MetricsTableProps;
  /**
   * A bus made elsewhere. Its owner decides whether it is archived: archive the ingested events (the source
   * in docs/deploy.md) to keep the option of replaying them. @default a bus of the pipeline's own, archived
   */
  readonly existingEventBus?: events.IEventBus;
  /** How long the archive of the pipeline's own bus keeps ingested events for replay. @default 365 days */
  readonly archiveRetention?: Duration;
  /** The webhook credentials JSON made elsewhere (see webhookSecretKeys). @default a secret of its own, empty */
  readonly existingWebhookSecrets?: secretsmanager.ISecret;
  /** The bearer token of the query API, made elsewhere. @default a generated secret */
  readonly existingApiToken?: secretsmanager.ISecret;
  /** The read-only token (GETs of /v1 only, for wallboards), made elsewhere. @default a generated secret */
  readonly existingReadApiToken?: secretsmanager.ISecret;
  /** Create a secret for a Slack-compatible incoming webhook URL that detractor alerts are posted to. */
  readonly slackAlerts?: boolean;
  /** That secret, made elsewhere (implies slackAlerts). */
  readonly existingAlertWebhookUrl?: secretsmanager.ISecret;
  /**
   * What happens to the table, the archive and the secrets the pipeline creates when they leave the stack:
   * RETAIN (with the table's deletion protection) keeps production data; DESTROY lets a development
   * deployment be deleted completely. @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The keys of the webhook secrets JSON: each connector's credential variable, as ingest asks for it. */
export const webhookSecretKeys: readonly string[] = Object.values(connectors).map((c) => c.secretVariable);

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

/**
 * The stateful half of the pipeline: the table, the event bus with its replay archive, and the secrets, each
 * either given (`existing*`) or created here. What is created here is retained when its stack is deleted unless
 * `removalPolicy` says DESTROY; the stateless half can be torn down and redeployed freely.
 */
export class MetricsData extends Construct {
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
  /** The archive of the pipeline's own bus; none for an existing bus. */
  readonly archive: events.Archive | undefined;
  /**
   * One JSON secret holding every source's credential under its variable name: WEBHOOK_SECRET_* for the
   * signing secrets, PIPEDRIVE_BASIC_AUTH (`user:password`) for Pipedrive's Basic auth.
   */
  readonly webhookSecrets: secretsmanager.ISecret;
  /** The bearer token of the query API. */
  readonly apiToken: secretsmanager.ISecret;
  /** The read-only token: GETs of /v1 only, for wallboards and read-only links (docs/deploy.md). */
  readonly readApiToken: secretsmanager.ISecret;
  readonly alertWebhookUrl: secretsmanager.ISecret | undefined;

  constructor(scope: Construct, id: string, props: MetricsDataProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.existingTable && props.tableProps) throw new Error('existingTable and tableProps exclude each other');
    this.table = props.existingTable ?? this.createTable(removalPolicy, props.tableProps);

    if (props.existingEventBus) {
      this.bus = props.existingEventBus;
      this.archive = undefined;
    } else {
      const bus = new events.EventBus(this, 'Bus', {
        description: 'flash figures: canonical entity events and alerts',
      });
      // Only ingested events: replaying them rebuilds every figure, and alerts are derived from them again.
      const archive = bus.archive('Archive', {
        description: 'flash figures: ingested events, for replay',
        eventPattern: { source: [INGEST_SOURCE] },
        retention: props.archiveRetention ?? Duration.days(365),
      });
      archive.applyRemovalPolicy(removalPolicy);
      // The L2 writes `KmsKeyIdentifier: ""` when no key is given (aws/aws-cdk#37847), which some regions refuse;
      // without the property the archive uses an AWS owned key, as intended.
      (archive.node.defaultChild as events.CfnArchive).addPropertyDeletionOverride('KmsKeyIdentifier');
      this.bus = bus;
      this.archive = archive;
    }

    const created: secretsmanager.Secret[] = [];
    const own = <T extends secretsmanager.Secret>(secret: T): T => {
      created.push(secret);
      return secret;
    };
    this.webhookSecrets =
      props.existingWebhookSecrets ??
      own(
        new secretsmanager.Secret(this, 'WebhookSecrets', {
          description: `flash figures: webhook credentials as JSON, one key per source: ${webhookSecretKeys.join(', ')}`,
          // Starts empty (every source answers 503 "not configured") until the operator puts the real values.
          secretObjectValue: {},
        }),
      );
    this.apiToken =
      props.existingApiToken ??
      own(
        new secretsmanager.Secret(this, 'ApiToken', {
          description: 'flash figures: bearer token of the /v1 query API',
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
        }),
      );
    this.readApiToken =
      props.existingReadApiToken ??
      own(
        new secretsmanager.Secret(this, 'ReadApiToken', {
          description:
            'flash figures: read-only bearer token of the /v1 query API (GETs only, never the configuration)',
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
        }),
      );
    this.alertWebhookUrl =
      props.existingAlertWebhookUrl ??
      (props.slackAlerts
        ? own(
            new secretsmanager.Secret(this, 'AlertWebhookUrl', {
              description: 'flash figures: Slack-compatible incoming webhook URL for detractor alerts',
              // The alert function reads the placeholder as "not configured" until the operator puts the real URL.
              secretStringValue: SecretValue.unsafePlainText(SLACK_WEBHOOK_PLACEHOLDER),
            }),
          )
        : undefined);
    for (const secret of created) {
      secret.applyRemovalPolicy(removalPolicy);
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Issued by third parties (webhook providers, Slack) or shared with dashboard owners; rotated by hand as described in docs/deploy.md.',
      });
    }
  }

  private createTable(removalPolicy: RemovalPolicy, tableProps: MetricsTableProps = {}): dynamodb.Table {
    const { partitionKey, sortKey, listIndex } = tableSchema;
    const table = new dynamodb.Table(this, 'Table', {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // A development deployment (DESTROY) must be deletable in one go; production keeps its table.
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
      ...tableProps,
      partitionKey: stringKey(partitionKey),
      sortKey: stringKey(sortKey),
    });
    table.addGlobalSecondaryIndex({
      indexName: listIndex.name,
      partitionKey: stringKey(listIndex.partitionKey),
      sortKey: stringKey(listIndex.sortKey),
      projectionType: dynamodb.ProjectionType.ALL,
    });
    return table;
  }
}
