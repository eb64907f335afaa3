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

/** The field of the authorizer's context (simple response) that carries the scope (access.ts) to the function. */
export const SCOPE_CONTEXT = 'scope';

/**
 * The access the Lambda authorizer granted, from the scope it passed in its context: the API token's `full`;
 * the read-only and personal tokens' `read` (a personal token's narrower reach is the query function's to
 * enforce).
 */
export const authorizerAccess = (event: HttpEvent): Access | undefined => {
  const passed = (event.requestContext as { authorizer?: { lambda?: Record<string, unknown> } }).authorizer?.lambda?.[
    SCOPE_CONTEXT
  ];
  if (typeof passed !== 'string') return undefined;
  return (JSON.parse(passed) as { kind?: unknown }).kind === 'admin' ? 'full' : 'read';
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
