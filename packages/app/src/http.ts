import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** What an HTTP request carries, as API Gateway sees it, before it becomes a function's event. */
export interface GatewayRequest {
  method: string;
  /** The path, without the query. */
  path: string;
  /** The query string as received, without the "?". */
  rawQuery?: string;
  /** Header names lower-case, as API Gateway hands them on. */
  headers?: Record<string, string>;
  body?: Buffer;
  /** The route that matched, `POST /webhooks/{source}`, and the values of its parameters. */
  routeKey: string;
  pathParameters?: Record<string, string>;
  /** The host the gateway was reached on: its own domain on AWS, never a header a client sets. */
  domainName: string;
  apiId: string;
  sourceIp: string;
  protocol?: string;
  /** When the gateway received it. */
  at?: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `requestContext.time` as API Gateway writes it: `30/Nov/2026:10:00:00 +0000`. */
const gatewayTime = (at: Date): string => {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`;
};

/**
 * The event API Gateway's HTTP API (payload format 2.0) hands to Lambda for a request, body base64-encoded:
 * the local server's and the tests' one way to build it.
 */
export const gatewayEvent = (request: GatewayRequest): HttpEvent => {
  const rawQuery = request.rawQuery ?? '';
  // Format 2.0 has no multi-value fields: API Gateway joins a repeated parameter's values with commas.
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQuery))
    query[name] = name in query ? `${query[name]},${value}` : value;
  const headers = request.headers ?? {};
  const at = request.at ?? new Date();
  return {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath: request.path,
    rawQueryString: rawQuery,
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    pathParameters: request.pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: request.apiId,
      domainName: request.domainName,
      domainPrefix: request.domainName.split(/[.:]/)[0] ?? request.domainName,
      http: {
        method: request.method,
        path: request.path,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: request.routeKey,
      stage: '$default',
      time: gatewayTime(at),
      timeEpoch: at.getTime(),
    },
    body: (request.body ?? Buffer.alloc(0)).toString('base64'),
    isBase64Encoded: true,
  };
};

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
