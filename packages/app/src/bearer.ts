import { safeEqual } from '@flash/connectors';
import { type HttpEvent, type HttpResult, header, problem } from './http.js';

/**
 * Whether an Authorization header is exactly `Bearer <token>`, compared in constant time. An empty token
 * allows nobody, so a blank secret never opens the API. The one bearer check: the Lambda authorizer on AWS,
 * the query, config and local admin handlers locally.
 */
export const bearerAllows = (authorization: string | undefined, token: string): boolean =>
  token !== '' && safeEqual(authorization ?? '', `Bearer ${token}`);

/**
 * What a token lets its holder do: `full` (API_TOKEN) every `/v1` route; `read` (READ_API_TOKEN, for
 * wallboards and read-only links) the GETs of `/v1` only, never the configuration routes (PUT) nor the local
 * stack's own routes.
 */
export type Access = 'full' | 'read';

/** The tokens the API takes; without `full` the API is open (locally only; on AWS a token always exists). */
export interface ApiTokens {
  full: string | undefined;
  read?: string | undefined;
}

/** The access an Authorization header grants (both tokens compared, in constant time), or undefined. */
export const accessOf = (authorization: string | undefined, tokens: ApiTokens): Access | undefined => {
  const full = bearerAllows(authorization, tokens.full ?? '');
  const read = bearerAllows(authorization, tokens.read ?? '');
  return full ? 'full' : read ? 'read' : undefined;
};

/**
 * Who a request speaks for. One scheme for every bearer token of the API:
 * - `admin`: the API token (API_TOKEN; on AWS its secret), everything, as before;
 * - `read`: the read-only token (READ_API_TOKEN; for wallboards and read-only links): every read, no write;
 * - `personal`: a user's read token, issued and revoked through `/v1/users/{id}/tokens`: reads only, limited to
 *   the user's own pipeline, KPIs, coaching and activities (their owner ids), and to company-wide figures only
 *   when the token was issued with `companyFigures`.
 */
export type Scope =
  | { kind: 'admin' }
  | { kind: 'read' }
  | { kind: 'personal'; userId: string; ownerIds: string[]; companyFigures: boolean };

/** The field of the authorizer's context (simple response) that carries the scope to the function. */
export const SCOPE_CONTEXT = 'scope';

/**
 * The scope the Lambda authorizer passed on, if any. API Gateway caches the authorizer's answer by the
 * Authorization header alone, so an answer given for a GET may be reused for a write: every function that
 * writes refuses a scope other than `admin` itself.
 */
export const authorizerScope = (event: HttpEvent): Scope | undefined => {
  const passed = (event.requestContext as { authorizer?: { lambda?: Record<string, unknown> } }).authorizer?.lambda?.[
    SCOPE_CONTEXT
  ];
  return typeof passed === 'string' ? (JSON.parse(passed) as Scope) : undefined;
};

/**
 * The access the Lambda authorizer granted, from the scope it passed on: the API token's `full`; the read-only
 * and personal tokens' `read` (a personal token's narrower reach is the query function's to enforce).
 */
export const authorizerAccess = (event: HttpEvent): Access | undefined => {
  const scope = authorizerScope(event);
  return scope === undefined ? undefined : scope.kind === 'admin' ? 'full' : 'read';
};

/**
 * The refusal of a request that lacks the access a route needs, or undefined to go on. Locally (no authorizer
 * in front) its token is checked here: 401 without a right token. On AWS the authorizer has checked it and
 * says which token it was: a read-only token on a route that needs `full` is 403 here, whatever the
 * authorizer's cache answered. Without a token configured every request goes on (locally).
 */
export const bearerRefusal = (
  event: HttpEvent,
  tokens: ApiTokens,
  headers: Record<string, string> = {},
  needs: Access = 'full',
): HttpResult | undefined => {
  const granted = authorizerAccess(event) ?? (tokens.full ? accessOf(header(event, 'authorization'), tokens) : 'full');
  if (granted === undefined)
    return problem(401, 'missing or wrong bearer token', { ...headers, 'www-authenticate': 'Bearer' });
  if (needs === 'full' && granted === 'read')
    return problem(403, 'this token can only read: the configuration needs the API token', headers);
  return undefined;
};
