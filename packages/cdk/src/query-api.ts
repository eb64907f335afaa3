import { tableSchema } from '@flash/store';
import { Duration, Validations } from 'aws-cdk-lib';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { MetricsFunction } from './metrics-function.js';
import type { PipelineApi, ThrottleSettings } from './pipeline-api.js';
import { allowOnTable, type PipelineShared, pipelineFunction } from './pipeline-part.js';

export interface QueryApiProps {
  readonly shared: PipelineShared;
  readonly httpApi: PipelineApi;
  /**
   * Origins that may call the API from a browser (`['*']` for any): CORS_ORIGINS of the query and config
   * functions, which answer the preflights themselves.
   */
  readonly corsOrigins?: readonly string[] | undefined;
  /** The token bucket of `GET /v1/{proxy+}`, apart from the webhooks'. */
  readonly throttle: ThrottleSettings;
}

/**
 * The query API: `GET /v1/*` (read only) and the dashboard page at `GET /` on the query function, the KPI
 * profile and user writes on the config function, both behind one bearer-token Lambda authorizer.
 */
export class QueryApi extends Construct {
  readonly queryFunction: MetricsFunction;
  readonly authorizerFunction: MetricsFunction;
  readonly configFunction: MetricsFunction;
  readonly authorizer: HttpLambdaAuthorizer;

  constructor(scope: Construct, id: string, props: QueryApiProps) {
    super(scope, id);
    const { data, metricEnv } = props.shared;
    const { table } = data;
    const corsEnv: Record<string, string> = props.corsOrigins?.length
      ? { CORS_ORIGINS: props.corsOrigins.join(',') }
      : {};

    this.queryFunction = pipelineFunction(this, 'query', props.shared, {
      description: 'GET /v1/* (the query API), GET / (the dashboard page) and OPTIONS /v1/* (CORS preflights)',
      environment: { ...metricEnv, TABLE_NAME: table.tableName, ...corsEnv },
    });
    // Read only, and only what DynamoStore's read side calls: aggregates and documents by key (BatchGetItem),
    // aggregate partitions and document lists (Query on the table), and the ordered lists (Query on gsi1:
    // detractors, alerts, open deals). No GetItem, Scan, ConditionCheckItem or stream reads.
    allowOnTable(this.queryFunction, table, ['BatchGetItem', 'Query']);
    this.queryFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${tableSchema.listIndex.name}`],
      }),
    );
    this.authorizerFunction = pipelineFunction(this, 'authorizer', props.shared, {
      description: 'Bearer-token authorizer of /v1/*',
      environment: {
        API_TOKEN_SECRET_ARN: data.apiToken.secretArn,
        READ_API_TOKEN_SECRET_ARN: data.readApiToken.secretArn,
        TABLE_NAME: table.tableName,
      },
    });
    data.apiToken.grantRead(this.authorizerFunction);
    data.readApiToken.grantRead(this.authorizerFunction);
    // Personal tokens: the stored hash and the token's user, by key (BatchGetItem), nothing else.
    allowOnTable(this.authorizerFunction, table, ['BatchGetItem']);

    // The API's only writes (KPI profiles and users), kept apart from the read-only query function.
    this.configFunction = pipelineFunction(this, 'config', props.shared, {
      description: 'Profiles, users and personal tokens (PUT, POST, DELETE under /v1) and their CORS preflights',
      environment: { TABLE_NAME: table.tableName, ...corsEnv },
    });
    // A PUT replaces a whole document (PutItem), a DELETE removes one (DeleteItem); a user's profile must exist
    // first (BatchGetItem); a profile is deleted only when no user lists it (Query of the users).
    allowOnTable(this.configFunction, table, ['PutItem', 'DeleteItem', 'BatchGetItem', 'Query']);

    for (const f of [this.queryFunction, this.authorizerFunction, this.configFunction])
      Validations.of(f).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked synchronously by API Gateway, which returns the error to the caller; a DLQ only serves asynchronous invocations.',
      });

    const queryIntegration = new HttpLambdaIntegration('Query', this.queryFunction);
    const configIntegration = new HttpLambdaIntegration('Config', this.configFunction);
    // Simple responses: a wrong token is answered 403 by API Gateway, a missing one 401 (docs/deploy.md).
    this.authorizer = new HttpLambdaAuthorizer('ApiToken', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.minutes(5),
    });
    // The routes of the route table these functions serve: the authorizer on the bearer ones (GET /v1/{proxy+},
    // PUT /v1/profiles/{id}, PUT /v1/users/{id}); the page and the preflights public, each with its reason.
    const queryRoutes = props.httpApi.addTableRoutes('query', queryIntegration, this.authorizer);
    props.httpApi.throttleRoutes(queryRoutes.get('GET /v1/{proxy+}') ?? [], props.throttle);
    props.httpApi.addTableRoutes('config', configIntegration, this.authorizer);
  }
}
