import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayEvent, type HttpEvent, type HttpResult, MAX_BODY_BYTES, pathPattern } from '@flash/app';
import { LocalStackError } from './errors.js';

export type HttpHandler = (event: HttpEvent) => Promise<HttpResult>;

export interface Route {
  method: string;
  /**
   * A path pattern; `{name}` matches one segment, a final `{name+}` or `*` any rest. As on API Gateway, a path
   * without a greedy part wins over one with it, whatever their order.
   */
  path: string;
  handler: HttpHandler;
}

/**
 * How long a client may take and how many may be connected at once. A body sent a byte at a time would
 * otherwise hold a connection for minutes, and enough of them would hold the server.
 */
export interface HttpLimits {
  /** The whole request, headers and body, must arrive within this; else 408 and the connection is closed. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (at most requestTimeoutMs); else 408 and the connection is closed. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are closed as soon as they are accepted. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
};

const LIMIT_VARIABLES: Readonly<Record<keyof HttpLimits, string>> = {
  requestTimeoutMs: 'HTTP_REQUEST_TIMEOUT_MS',
  headersTimeoutMs: 'HTTP_HEADERS_TIMEOUT_MS',
  keepAliveTimeoutMs: 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
  maxConnections: 'HTTP_MAX_CONNECTIONS',
};

/** The limits from HTTP_REQUEST_TIMEOUT_MS, HTTP_HEADERS_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS, HTTP_MAX_CONNECTIONS. */
export const httpLimitsFromEnv = (env: Readonly<Record<string, string | undefined>>): HttpLimits => {
  const limits = { ...DEFAULT_HTTP_LIMITS };
  for (const [key, variable] of Object.entries(LIMIT_VARIABLES) as [keyof HttpLimits, string][]) {
    const raw = env[variable]?.trim();
    if (!raw) continue;
    if (!/^[1-9]\d{0,8}$/.test(raw))
      throw new LocalStackError(`${variable} must be a whole number from 1 to 999999999, not "${raw}"`);
    limits[key] = Number(raw);
  }
  return { ...limits, headersTimeoutMs: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) };
};

/**
 * Which `Host` headers the server answers, against DNS rebinding: a page on another site whose name was made
 * to resolve to 127.0.0.1 reaches this port as the same origin, but its requests still name that site in
 * `Host`. Paths matching `anyHost` are answered whatever the Host (webhooks: they are signed).
 */
export interface HostCheck {
  /** Host names (without port) that are answered, lower case; IPv6 in brackets: `[::1]`. */
  allowed: readonly string[];
  anyHost?: { test(path: string): boolean };
}

/** The loopback names, and the host of PUBLIC_BASE_URL when set. */
export const localHostNames = (publicBaseUrl?: string): string[] => {
  const names = ['localhost', '127.0.0.1', '[::1]'];
  if (publicBaseUrl) {
    try {
      names.push(new URL(publicBaseUrl).hostname.toLowerCase());
    } catch {
      throw new LocalStackError(`PUBLIC_BASE_URL is not a URL: "${publicBaseUrl}"`);
    }
  }
  return names;
};

/** The host name of a Host header, without its port, lower case; `[::1]:3000` gives `[::1]`. */
const hostName = (host: string): string => {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  return value.replace(/:\d*$/, '');
};

const misdirected = (host: string | undefined, check: HostCheck): HttpResult => ({
  statusCode: 403,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' },
  body: JSON.stringify({
    error:
      `Host ${host === undefined ? '(none)' : JSON.stringify(host)} is not served: without API_TOKEN this stack ` +
      `answers only ${check.allowed.join(', ')} (any port), against DNS rebinding. Use one of those names, ` +
      'set PUBLIC_BASE_URL to the name you use, or set API_TOKEN.',
  }),
});

/** Whether a path pattern ends in a greedy part, which API Gateway tries after the patterns without one. */
const isGreedy = (path: string): boolean => /(\+\}|\*)$/.test(path);

const tooLarge = (limit: number) => ({
  statusCode: 413,
  // The rest of the body is never read, so the connection cannot carry another request.
  headers: { 'content-type': 'application/json', connection: 'close' },
  body: JSON.stringify({ error: `body is over the limit of ${limit} bytes` }),
});

/**
 * The body, or undefined as soon as it is known to exceed `limit` (from Content-Length, or while reading):
 * reading stops there, so an oversized body is never held nor read to its end.
 */
const readBody = (req: IncomingMessage, limit: number): Promise<Buffer | undefined> =>
  new Promise((resolveBody, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) return resolveBody(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        return resolveBody(undefined);
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/**
 * The scheme and host the request reached this server with, as API Gateway reports its own: the connection's
 * scheme and its Host; with `trustForwardedHeaders`, what the first proxy in front saw (X-Forwarded-Proto,
 * X-Forwarded-Host), for a proxy or tunnel you run.
 */
const reachedAt = (
  req: IncomingMessage,
  headers: Readonly<Record<string, string>>,
  trustForwardedHeaders: boolean,
): { scheme: 'http' | 'https'; host: string } => {
  const own = 'encrypted' in req.socket && req.socket.encrypted === true ? 'https' : 'http';
  const connection = headers.host || `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? ''}`;
  if (!trustForwardedHeaders) return { scheme: own, host: connection };
  const first = (name: string) => headers[name]?.split(',')[0]?.trim() || undefined;
  const proto = first('x-forwarded-proto')?.toLowerCase();
  return {
    scheme: proto === 'http' || proto === 'https' ? proto : own,
    host: first('x-forwarded-host') ?? connection,
  };
};

/** The request as API Gateway's HTTP API (payload format 2.0) hands it to Lambda. */
const toEvent = (
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  pathParameters: Record<string, string>,
  routeKey: string,
  trustForwardedHeaders: boolean,
): HttpEvent => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // Like API Gateway, the server says which scheme it received, whatever the client wrote there.
  const { scheme, host } = reachedAt(req, headers, trustForwardedHeaders);
  headers['x-forwarded-proto'] = scheme;
  return gatewayEvent({
    method: req.method ?? 'GET',
    path: url.pathname,
    rawQuery: url.search.slice(1),
    headers,
    body,
    routeKey,
    pathParameters,
    domainName: host,
    apiId: 'local',
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    protocol: `HTTP/${req.httpVersion}`,
  });
};

const send = (res: ServerResponse, result: HttpResult): void => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  const body =
    result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
};

export interface HttpServerOptions {
  port: number;
  host?: string;
  onError: (error: unknown) => void;
  limits?: HttpLimits;
  /** Report the scheme and host the first proxy saw (X-Forwarded-Proto/-Host), not the connection's. */
  trustForwardedHeaders?: boolean;
  /** Answer only these Host names (403 otherwise); unset answers any. */
  hostCheck?: HostCheck | undefined;
}

/** Serves Lambda-style HTTP handlers over real HTTP, as API Gateway would in front of them. */
export const startHttpServer = async (
  routes: readonly Route[],
  {
    port,
    host = '127.0.0.1',
    onError,
    limits = DEFAULT_HTTP_LIMITS,
    trustForwardedHeaders = false,
    hostCheck,
  }: HttpServerOptions,
): Promise<{ server: Server; port: number; stop(): Promise<void> }> => {
  const compiled = [...routes]
    .sort((a, b) => Number(isGreedy(a.path)) - Number(isGreedy(b.path)))
    .map((r) => ({ ...r, regex: pathPattern(r.path) }));
  const allowedHosts = new Set(hostCheck?.allowed.map((name) => name.toLowerCase()));
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often the timeouts above are checked (Node's default, 30 s, would let them overrun by that much).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    async (req, res) => {
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (hostCheck && !hostCheck.anyHost?.test(url.pathname)) {
          const given = req.headers.host;
          if (given === undefined || !allowedHosts.has(hostName(given))) {
            send(res, misdirected(given, hostCheck));
            res.once('finish', () => req.destroy());
            return;
          }
        }
        const matches = compiled.filter((r) => r.regex.test(url.pathname));
        const route = matches.find((r) => r.method === req.method);
        if (!route) {
          req.resume();
          const allowed = [...new Set(matches.map((r) => r.method))];
          return send(
            res,
            allowed.length > 0
              ? {
                  statusCode: 405,
                  headers: { allow: allowed.join(', '), 'content-type': 'application/json' },
                  body: JSON.stringify({ error: `use ${allowed.join(' or ')}` }),
                }
              : {
                  statusCode: 404,
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify({ error: `no route ${req.method} ${url.pathname}` }),
                },
          );
        }
        const body = await readBody(req, MAX_BODY_BYTES);
        if (!body) {
          send(res, tooLarge(MAX_BODY_BYTES));
          res.once('finish', () => req.destroy());
          return;
        }
        const params = { ...(route.regex.exec(url.pathname)?.groups ?? {}) };
        const event = toEvent(req, url, body, params, `${route.method} ${route.path}`, trustForwardedHeaders);
        send(res, await route.handler(event));
      } catch (error) {
        // A client that went away or ran out of time (Node answered 408 and closed): nothing to answer.
        if (req.destroyed && !req.complete) return;
        onError(error);
        if (!res.headersSent)
          send(res, {
            statusCode: 500,
            headers: { 'content-type': 'application/json' },
            body: '{"error":"internal error"}',
          });
        else res.end();
      }
    },
  );
  server.maxConnections = limits.maxConnections;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
};
