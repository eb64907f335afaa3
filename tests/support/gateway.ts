import { gatewayEvent, type HttpEvent } from '@flash/app';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';

export interface TestRequest {
  method?: string;
  path: string;
  /** The query: parameters, or a string taken as the raw query exactly as sent (signatures may cover it). */
  query?: Record<string, string> | string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The route API Gateway matched; `<method> <path>` unless given. */
  routeKey?: string;
  pathParameters?: Record<string, string>;
  /** What a Lambda authorizer answered (`requestContext.authorizer.lambda`), as API Gateway passes it on. */
  authorizer?: Record<string, unknown>;
  host?: string;
  at?: Date;
}

/**
 * A request to the deployed API as a function receives it, built like the local server builds it
 * (`gatewayEvent`): every test that calls a handler directly starts from this one.
 */
export const apiEvent = ({
  method = 'GET',
  path,
  query,
  headers = {},
  body,
  routeKey,
  pathParameters,
  authorizer,
  host = 'api.example.com',
  at,
}: TestRequest): HttpEvent => {
  const event = gatewayEvent({
    method,
    path,
    rawQuery: typeof query === 'string' ? query : new URLSearchParams(query).toString(),
    headers: {
      host,
      'x-forwarded-proto': 'https',
      ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
    },
    body: body === undefined ? undefined : Buffer.from(body),
    routeKey: routeKey ?? `${method} ${path}`,
    pathParameters,
    domainName: host,
    apiId: 'test',
    sourceIp: '203.0.113.7',
    at,
  });
  // HttpEvent's type carries no authorizer; the functions behind one read its answer (bearer.ts).
  return authorizer
    ? ({ ...event, requestContext: { ...event.requestContext, authorizer: { lambda: authorizer } } } as HttpEvent)
    : event;
};

/** The event API Gateway hands a Lambda request authorizer (payload format 2.0) for a request to the API. */
export const authorizerEvent = ({
  method = 'GET',
  path = '/v1/metrics',
  authorization,
  routeKey = `${method} /v1/{proxy+}`,
}: {
  method?: string;
  path?: string;
  authorization?: string;
  routeKey?: string;
}): APIGatewayRequestAuthorizerEventV2 => {
  const event = apiEvent({
    method,
    path,
    routeKey,
    headers: authorization === undefined ? {} : { authorization },
  });
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:eu-west-1:000000000000:test/$default/${method}${path}`,
    identitySource: authorization === undefined ? [] : [authorization],
    routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    cookies: [],
    headers: event.headers,
    queryStringParameters: event.queryStringParameters,
    requestContext: event.requestContext,
    pathParameters: event.pathParameters,
    stageVariables: {},
  };
};
