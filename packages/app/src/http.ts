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

/** A forwarding header's value as the first proxy saw it (proxies append: `https, http`). */
const forwarded = (event: HttpEvent, name: string): string | undefined =>
  header(event, name)?.split(',')[0]?.trim() || undefined;

/** The public URL the caller used, from the Host and forwarding headers (or a configured base URL). */
export const publicUrl = (event: HttpEvent, publicBaseUrl?: string): string => {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  if (publicBaseUrl) return `${publicBaseUrl.replace(/\/$/, '')}${event.rawPath}${query}`;
  const proto = forwarded(event, 'x-forwarded-proto') ?? 'https';
  const host = forwarded(event, 'x-forwarded-host') ?? header(event, 'host') ?? event.requestContext.domainName;
  return `${proto}://${host}${event.rawPath}${query}`;
};

/** A strong ETag from the body's bytes. */
export const etagOf = (body: string): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
