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
 * Locally, where no authorizer stands in front: the 401 (with `WWW-Authenticate: Bearer` and `headers`) for a
 * request without the right token, or undefined to go on. Without a token configured every request goes on.
 */
export const bearerRefusal = (
  event: HttpEvent,
  apiToken: string | undefined,
  headers: Record<string, string> = {},
): HttpResult | undefined =>
  apiToken && !bearerAllows(header(event, 'authorization'), apiToken)
    ? problem(401, 'missing or wrong bearer token', { ...headers, 'www-authenticate': 'Bearer' })
    : undefined;
