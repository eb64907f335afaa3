import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerResult } from 'aws-lambda';
import { bearerAllows } from './bearer.js';

export interface AuthorizerDeps {
  /** The API token; on AWS a cached read of its secret (see cachedSecretString). */
  apiToken: () => Promise<string>;
  logger: Logger;
}

/**
 * HTTP API Lambda authorizer (simple responses) of the `bearer` routes: allows exactly
 * `Authorization: Bearer <token>`, compared in constant time (bearerAllows). An empty token allows nobody, so a
 * blank secret never opens the API.
 */
export const makeAuthorizer =
  (deps: AuthorizerDeps) =>
  async (event: APIGatewayRequestAuthorizerEventV2): Promise<APIGatewaySimpleAuthorizerResult> => {
    const token = await deps.apiToken();
    const isAuthorized = bearerAllows(event.headers?.authorization, token);
    if (!isAuthorized) deps.logger.warn('request refused: missing or wrong bearer token', { path: event.rawPath });
    return { isAuthorized };
  };
