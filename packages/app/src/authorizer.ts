import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { resolveScope, type ScopeDocuments } from './access.js';
import { SCOPE_CONTEXT } from './bearer.js';

export interface AuthorizerDeps {
  /** The API token; on AWS a cached read of its secret (see cachedSecretString). */
  apiToken: () => Promise<string>;
  /** The read-only token, when one is configured (READ_API_TOKEN_SECRET_ARN). */
  readApiToken?: () => Promise<string | undefined>;
  /** Where personal tokens and users are kept (the table's documents). */
  documents: ScopeDocuments;
  logger: Logger;
}

/**
 * HTTP API Lambda authorizer (simple responses) of the `bearer` routes. The API token (compared in constant
 * time; an empty one allows nobody, so a blank secret never opens the API) may call every route; the
 * read-only token and a personal token only read (GET), and the query function narrows what a personal token
 * sees by the scope this passes on in the context (`scope`, JSON). API Gateway caches an answer by the
 * Authorization header alone, so every function that writes refuses a scope other than `admin` itself.
 */
export const makeAuthorizer =
  (deps: AuthorizerDeps) =>
  async (
    event: APIGatewayRequestAuthorizerEventV2,
  ): Promise<APIGatewaySimpleAuthorizerWithContextResult<Record<string, string>>> => {
    const tokens = { full: await deps.apiToken(), read: await deps.readApiToken?.() };
    const scope = await resolveScope(event.headers?.authorization, tokens, deps.documents);
    const isAuthorized = scope !== undefined && (scope.kind === 'admin' || event.routeKey?.startsWith('GET ') === true);
    if (!isAuthorized)
      deps.logger.warn('request refused: missing or wrong bearer token, or a read-only or personal token on a write', {
        path: event.rawPath,
      });
    return { isAuthorized, context: isAuthorized ? { [SCOPE_CONTEXT]: JSON.stringify(scope) } : {} };
  };
