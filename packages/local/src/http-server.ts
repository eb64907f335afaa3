import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HttpEvent, type HttpResult, MAX_BODY_BYTES } from '@flash/app';

export type HttpHandler = (event: HttpEvent) => Promise<HttpResult>;

export interface Route {
  method: string;
  /** A path pattern; `{name}` matches one segment, a trailing `*` any rest. */
  path: string;
  handler: HttpHandler;
}

const compile = (path: string): RegExp =>
  new RegExp(
    `^${path
      .replace(/[.+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')
      .replace(/\*$/, '.*')}$`,
  );

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

/** The request as API Gateway's HTTP API (payload format 2.0) hands it to Lambda, body base64-encoded. */
const toEvent = (
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  pathParameters: Record<string, string>,
  routeKey: string,
): HttpEvent => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query = Object.fromEntries(url.searchParams);
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
};

const send = (res: ServerResponse, result: HttpResult): void => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  const body =
    result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
};

/** Serves Lambda-style HTTP handlers over real HTTP, as API Gateway would in front of them. */
export const startHttpServer = async (
  routes: readonly Route[],
  { port, host = '127.0.0.1', onError }: { port: number; host?: string; onError: (error: unknown) => void },
): Promise<{ server: Server; port: number; stop(): Promise<void> }> => {
  const compiled = routes.map((r) => ({ ...r, regex: compile(r.path) }));
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
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
      send(res, await route.handler(toEvent(req, url, body, params, `${route.method} ${route.path}`)));
    } catch (error) {
      onError(error);
      if (!res.headersSent)
        send(res, {
          statusCode: 500,
          headers: { 'content-type': 'application/json' },
          body: '{"error":"internal error"}',
        });
      else res.end();
    }
  });
  server.keepAliveTimeout = 65_000;
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
