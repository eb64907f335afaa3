import { Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import type { MetricsFunction } from './metrics-function.js';
import type { PipelineApi, ThrottleSettings } from './pipeline-api.js';
import { type PipelineShared, pipelineFunction } from './pipeline-part.js';

/** Settings of the HubSpot connector, passed to the ingest function as environment variables. */
export interface HubSpotSettings {
  /** Deal stage ids that count as won, besides `closedwon` (HUBSPOT_WON_STAGES). */
  readonly wonStages?: readonly string[] | undefined;
  /** Deal stage ids that count as lost, besides `closedlost` (HUBSPOT_LOST_STAGES). */
  readonly lostStages?: readonly string[] | undefined;
  /** The deal property holding our customer id (HUBSPOT_CUSTOMER_PROPERTY). @default 'customer_id' */
  readonly customerProperty?: string | undefined;
  /**
   * Also accept HubSpot's legacy v1/v2 signatures, which carry no timestamp, so a captured request replays
   * forever (HUBSPOT_ACCEPT_LEGACY_SIGNATURES). Only for apps that cannot send v3. @default false
   */
  readonly acceptLegacySignatures?: boolean | undefined;
}

export interface IngestApiProps {
  readonly shared: PipelineShared;
  readonly httpApi: PipelineApi;
  /** Sources served under `POST /webhooks/{source}`; the others answer 404. */
  readonly sources: readonly string[];
  readonly hubspot?: HubSpotSettings | undefined;
  /** The webhook route's own token bucket, apart from /v1's. */
  readonly throttle: ThrottleSettings;
  /** The bearer-token authorizer, for `POST /v1/events` (history clients). */
  readonly authorizer: apigwv2.IHttpRouteAuthorizer;
}

/** The connector settings as environment variables; unset ones are left out, so the connector's defaults apply. */
const hubspotEnv = (settings: HubSpotSettings = {}): Record<string, string> => {
  const env: Record<string, string> = {};
  if (settings.wonStages?.length) env.HUBSPOT_WON_STAGES = settings.wonStages.join(',');
  if (settings.lostStages?.length) env.HUBSPOT_LOST_STAGES = settings.lostStages.join(',');
  if (settings.customerProperty) env.HUBSPOT_CUSTOMER_PROPERTY = settings.customerProperty;
  if (settings.acceptLegacySignatures) env.HUBSPOT_ACCEPT_LEGACY_SIGNATURES = 'true';
  return env;
};

/**
 * Ingress: `POST /webhooks/{source}` → the ingest function, which verifies, parses and puts events on the bus;
 * and `POST /v1/events`, canonical events from history clients, behind the bearer-token authorizer.
 */
export class IngestApi extends Construct {
  readonly function: MetricsFunction;
  readonly routes: apigwv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);
    const { data, metricEnv } = props.shared;
    this.function = pipelineFunction(this, 'ingest', props.shared, {
      description: 'POST /webhooks/{source}: verifies and parses a webhook, puts canonical events on the bus',
      environment: {
        ...metricEnv,
        EVENT_BUS_NAME: data.bus.eventBusName,
        WEBHOOK_SECRETS_ARN: data.webhookSecrets.secretArn,
        ENABLED_SOURCES: props.sources.join(','),
        // The URL that signatures covering it (HubSpot v3) are checked against: the API's own, never one
        // taken from the request's Host or X-Forwarded-* headers.
        PUBLIC_BASE_URL: props.httpApi.url,
        // Settings only; every credential (PIPEDRIVE_BASIC_AUTH included) is a key of the webhook secrets JSON.
        ...hubspotEnv(props.hubspot),
      },
    });
    data.bus.grantPutEventsTo(this.function);
    data.webhookSecrets.grantRead(this.function);
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by API Gateway, which returns the error to the caller; a DLQ only serves asynchronous invocations.',
    });

    // From the route table: POST /webhooks/{source} without authorizer (each delivery is verified by its
    // signature), POST /v1/events behind it.
    this.routes = [
      ...props.httpApi
        .addTableRoutes('ingest', new HttpLambdaIntegration('Ingest', this.function), props.authorizer)
        .values(),
    ].flat();
    props.httpApi.throttleRoutes(this.routes, props.throttle);
  }
}
