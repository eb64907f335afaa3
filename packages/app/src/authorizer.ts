import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { type Access, accessOf } from './bearer.js';

export interface AuthorizerDeps {
  /** The API token; on AWS a cached read of its secret (see cachedSecretString). */
  apiToken: () => Promise<string>;
  /** The read-only token, when one is configured (READ_API_TOKEN_SECRET_ARN). */
  readApiToken?: () => Promise<string | undefined>;
  logger: Logger;
}

/**
 * HTTP API Lambda authorizer (simple responses) of the `bearer` routes: allows exactly
 * `Authorization: Bearer <token>`, compared in constant time, for the API token on every route and the
 * read-only token on GETs only. An empty token allows nobody, so a blank secret never opens the API. It
 * passes the access granted in its context: API Gateway caches an answer by the Authorization header alone,
 * so the configuration function refuses `read` itself (bearerRefusal) even if a cached answer let it through.
 */
export const makeAuthorizer =
  (deps: AuthorizerDeps) =>
  async (
    event: APIGatewayRequestAuthorizerEventV2,
  ): Promise<APIGatewaySimpleAuthorizerWithContextResult<{ access: Access | 'none' }>> => {
    const tokens = { full: await deps.apiToken(), read: await deps.readApiToken?.() };
    const access = accessOf(event.headers?.authorization, tokens);
    const isRead = event.requestContext?.http?.method === 'GET';
    const isAuthorized = access === 'full' || (access === 'read' && isRead);
    if (!isAuthorized)
      deps.logger.warn(
        access === 'read'
          ? 'request refused: read-only token on a write'
          : 'request refused: missing or wrong bearer token',
        { path: event.rawPath },
      );
    return { isAuthorized, context: { access: isAuthorized && access ? access : 'none' } };
  };
