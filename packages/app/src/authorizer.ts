import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { resolveScope, SCOPE_CONTEXT, type ScopeDocuments } from './access.js';

export interface AuthorizerDeps {
  /** The API token; on AWS a cached read of its secret (see cachedSecretString). */
  apiToken: () => Promise<string>;
  /** Where personal tokens and users are kept (the table's documents). */
  documents: ScopeDocuments;
  logger: Logger;
}

/**
 * HTTP API Lambda authorizer (simple responses) of the `bearer` routes. The API token (compared in constant
 * time; an empty one allows nobody, so a blank secret never opens the API) may call every route; a personal
 * token only reads (GET), and the query function narrows what it sees by the scope this passes on in the
 * context (`scope`, JSON).
 */
export const makeAuthorizer =
  (deps: AuthorizerDeps) =>
  async (
    event: APIGatewayRequestAuthorizerEventV2,
  ): Promise<APIGatewaySimpleAuthorizerWithContextResult<Record<string, string>>> => {
    const token = await deps.apiToken();
    const scope = await resolveScope(event.headers?.authorization, token, deps.documents);
    const isAuthorized = scope !== undefined && (scope.kind === 'admin' || event.routeKey?.startsWith('GET ') === true);
    if (!isAuthorized)
      deps.logger.warn('request refused: missing or wrong bearer token, or a personal token on a write', {
        path: event.rawPath,
      });
    return { isAuthorized, context: isAuthorized ? { [SCOPE_CONTEXT]: JSON.stringify(scope) } : {} };
  };
