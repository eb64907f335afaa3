import { gatewayRoutes, type HttpEvent, json, type RouteTarget } from '@flash/app';
import { startHttpServer } from '@flash/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The local server routes by the route table as API Gateway does: the most specific route wins whatever the
 * order (a `{name+}` path last), and each handler gets the route key and path parameters API Gateway would
 * give it.
 */
describe('the local server over the route table', () => {
  let url: string;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    const handler = (target: RouteTarget) => async (event: HttpEvent) =>
      json(200, { target, routeKey: event.routeKey, pathParameters: event.pathParameters });
    const http = await startHttpServer(
      gatewayRoutes({ local: true }).map(({ method, path, target }) => ({ method, path, handler: handler(target) })),
      { port: 0, onError: () => undefined },
    );
    url = `http://127.0.0.1:${http.port}`;
    stop = http.stop;
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = async (method: string, path: string) => {
    const response = await fetch(`${url}${path}`, { method });
    return { status: response.status, allow: response.headers.get('allow'), body: await response.json() };
  };

  it('gives each route to the function the table names, with API Gateway route key and path parameters', async () => {
    expect((await call('GET', '/v1/metrics/segments')).body).toEqual({
      target: 'query',
      routeKey: 'GET /v1/{proxy+}',
      pathParameters: { proxy: 'metrics/segments' },
    });
    expect((await call('GET', '/')).body).toMatchObject({ target: 'query', routeKey: 'GET /' });
    expect((await call('POST', '/webhooks/stripe')).body).toEqual({
      target: 'ingest',
      routeKey: 'POST /webhooks/{source}',
      pathParameters: { source: 'stripe' },
    });
    expect((await call('GET', '/local/dead-letters')).body).toMatchObject({ target: 'local-admin' });
    expect((await call('POST', '/local/redrive')).body).toMatchObject({ target: 'local-admin' });
  });

  it('prefers the specific route to /v1/{proxy+}, as API Gateway does', async () => {
    expect((await call('PUT', '/v1/users/ann')).body).toMatchObject({
      target: 'config',
      routeKey: 'PUT /v1/users/{id}',
    });
    expect((await call('OPTIONS', '/v1/profiles/sales')).body).toMatchObject({
      target: 'config',
      routeKey: 'OPTIONS /v1/profiles/{id}',
    });
    expect((await call('OPTIONS', '/v1/metrics')).body).toMatchObject({
      target: 'query',
      routeKey: 'OPTIONS /v1/{proxy+}',
    });
  });

  it('answers 405 with the methods a path has, and 404 where nothing is routed', async () => {
    expect(await call('PUT', '/v1/metrics')).toMatchObject({ status: 405, allow: 'GET, OPTIONS' });
    expect(await call('PATCH', '/v1/users/ann')).toMatchObject({ status: 405, allow: 'PUT, DELETE, OPTIONS, GET' });
    expect(await call('GET', '/v1')).toMatchObject({ status: 404 });
    expect(await call('GET', '/nope')).toMatchObject({ status: 404 });
  });
});
