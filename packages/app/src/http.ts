import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const problem = (statusCode: number, error: string, headers: Record<string, string> = {}): HttpResult =>
  json(statusCode, { error }, headers);

/** Header lookup that ignores case, as HTTP does (API Gateway lower-cases; other callers may not). */
export const header = (event: HttpEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
};

export const lowerCaseHeaders = (event: HttpEvent): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

export const rawBody = (event: HttpEvent): Buffer =>
  Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

/**
 * The public URL the provider called, for signatures that cover it (HubSpot v3). Never from forwarding headers
 * a client sets at will (`X-Forwarded-Host`): a request signed for another endpoint must not verify here because
 * it names that endpoint.
 *
 * - `publicBaseUrl` (PUBLIC_BASE_URL) when configured, followed by the path and query;
 * - else the gateway's own view: the host it was reached on, `requestContext.domainName` (set by API Gateway;
 *   the local server sets it from the connection, or from the first proxy with TRUST_FORWARDED_HEADERS), and
 *   the scheme it received, the last `X-Forwarded-Proto` entry, which the nearest gateway adds or overwrites
 *   (API Gateway: https; the local server: the connection's own scheme); https when there is none.
 */
export const publicUrl = (event: HttpEvent, publicBaseUrl?: string): string => {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  if (publicBaseUrl) return `${publicBaseUrl.replace(/\/$/, '')}${event.rawPath}${query}`;
  const received = header(event, 'x-forwarded-proto')?.split(',').at(-1)?.trim().toLowerCase();
  const scheme = received === 'http' ? 'http' : 'https';
  return `${scheme}://${event.requestContext.domainName}${event.rawPath}${query}`;
};

/** A strong ETag from the body's bytes. */
export const etagOf = (body: string): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
