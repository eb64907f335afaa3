import { gatewayRoutes } from '@flash/app';
import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { FunctionName } from './functions.js';

export interface CustomDomainProps {
  /** e.g. `figures.example.com`. */
  readonly domainName: string;
  /** A regional ACM certificate for the domain, in the stack's region (e.g. `acm.Certificate.fromCertificateArn`). */
  readonly certificate: acm.ICertificate;
  /** When given, an alias record for the domain is created in this zone. */
  readonly hostedZone?: route53.IHostedZone;
}

/** A token bucket of API Gateway: steady requests per second, and the burst above it. */
export interface ThrottleSettings {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface PipelineApiProps {
  /** The HTTP API's name, as the console and CloudWatch show it. */
  readonly apiName: string;
  readonly domain?: CustomDomainProps | undefined;
  readonly logRetention: logs.RetentionDays;
  /** Of the access log group. */
  readonly removalPolicy: RemovalPolicy;
  /** The stage's default: every route without a throttle of its own (throttleRoutes). */
  readonly throttle: ThrottleSettings;
}

/**
 * The HTTP API in front of the pipeline: its `$default` stage with JSON access logs and throttling, and the
 * custom domain when there is one. The ingest and query parts add their routes to `api`.
 */
export class PipelineApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly domainName: apigwv2.DomainName | undefined;
  /** Base URL of the API: `https://` and the custom domain when there is one, else the execute-api endpoint. */
  readonly url: string;
  private readonly routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};

  constructor(scope: Construct, id: string, props: PipelineApiProps) {
    super(scope, id);
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'flash figures: webhooks and query API',
      createDefaultStage: false,
    });
    this.accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.domainName = props.domain && this.customDomain(props.domain);
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
      ...(this.domainName ? { domainMapping: { domainName: this.domainName } } : {}),
    });
    this.url = props.domain ? `https://${props.domain.domainName}` : this.api.apiEndpoint;
  }

  /**
   * Creates the API Gateway routes of the route table (`gatewayRoutes()` of @flash/app) that `target` serves:
   * the authorizer on the `bearer` ones; each other one (webhooks: `signature`; the page and the preflights:
   * `public`) acknowledged to cdk-nag with the reason the table gives. Returns them by route key.
   */
  addTableRoutes(
    target: FunctionName,
    integration: apigwv2.HttpRouteIntegration,
    authorizer?: apigwv2.IHttpRouteAuthorizer,
  ): Map<string, apigwv2.HttpRoute[]> {
    const created = new Map<string, apigwv2.HttpRoute[]>();
    for (const route of gatewayRoutes().filter((r) => r.target === target)) {
      if (route.auth === 'bearer' && !authorizer)
        throw new Error(`${route.method} ${route.path} needs the bearer-token authorizer`);
      const routes = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
        ...(route.auth === 'bearer' ? { authorizer } : {}),
      });
      if (route.auth !== 'bearer')
        for (const r of routes)
          Validations.of(r).acknowledge({ id: 'AwsSolutions-APIG4', reason: route.why ?? route.auth });
      created.set(`${route.method} ${route.path}`, routes);
    }
    return created;
  }

  /**
   * Gives `routes` a token bucket of their own on the stage (RouteSettings, by route key), instead of the
   * stage's default, so a flood on one route cannot use up another's.
   */
  throttleRoutes(routes: readonly apigwv2.HttpRoute[], throttle: ThrottleSettings): void {
    const stage = this.stage.node.defaultChild as apigwv2.CfnStage;
    for (const route of routes) {
      const { routeKey } = route.node.defaultChild as apigwv2.CfnRoute;
      this.routeSettings[routeKey] = {
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
      };
      // API Gateway refuses settings for a route key that does not exist yet.
      stage.node.addDependency(route);
    }
    stage.routeSettings = this.routeSettings;
  }

  private customDomain(domain: CustomDomainProps): apigwv2.DomainName {
    const domainName = new apigwv2.DomainName(this, 'Domain', {
      domainName: domain.domainName,
      certificate: domain.certificate,
    });
    if (domain.hostedZone)
      new route53.ARecord(this, 'DomainRecord', {
        zone: domain.hostedZone,
        recordName: domain.domainName,
        target: route53.RecordTarget.fromAlias(
          new route53Targets.ApiGatewayv2DomainProperties(
            domainName.regionalDomainName,
            domainName.regionalHostedZoneId,
          ),
        ),
      });
    return domainName;
  }
}
