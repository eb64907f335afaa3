import {
  configRoutes,
  gatewayRoutes,
  type HttpRoute,
  httpRoutes,
  ID_PATTERN,
  MAX_ID_LENGTH,
  MONTH_PATTERN,
  openApiDocument,
  queryRoutes,
} from '@flash/app';
import { describe, expect, it } from 'vitest';

/**
 * The HTTP route table: every route of the product once, with what a caller must show and what serves it. The
 * CDK app creates the API Gateway routes from gatewayRoutes(), the local server serves
 * gatewayRoutes({ local: true }), and the OpenAPI document is generated from the table.
 */

const routes: readonly HttpRoute[] = httpRoutes;
const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('the HTTP route table', () => {
  it('declares each route once', () => {
    expect(new Set(routes.map(key)).size).toBe(routes.length);
  });

  it('puts every /v1 read and write behind the bearer token; the page and the preflights are public', () => {
    const auth = Object.fromEntries(routes.map((r) => [key(r), r.auth]));
    expect(auth).toMatchObject({
      'POST /webhooks/{source}': 'signature',
      'GET /': 'public',
      'OPTIONS /v1/{proxy+}': 'public',
      'OPTIONS /v1/profiles/{id}': 'public',
      'OPTIONS /v1/users/{id}': 'public',
      'GET /local/dead-letters': 'bearer',
      'POST /local/redrive': 'bearer',
    });
    for (const route of routes.filter((r) => r.path.startsWith('/v1/') && r.method !== 'OPTIONS'))
      expect(route.auth, key(route)).toBe('bearer');
    // Every route without the token says why that is safe (on AWS, the reason cdk-nag is given).
    for (const route of routes.filter((r) => r.auth !== 'bearer'))
      expect(route.why?.length ?? 0, key(route)).toBeGreaterThan(40);
  });

  it('deploys as exactly these API Gateway routes, with their function and auth', () => {
    expect(gatewayRoutes().map(({ method, path, auth, target }) => [`${method} ${path}`, target, auth])).toEqual([
      ['POST /webhooks/{source}', 'ingest', 'signature'],
      ['POST /v1/events', 'ingest', 'bearer'],
      ['GET /', 'query', 'public'],
      ['GET /v1/{proxy+}', 'query', 'bearer'],
      ['OPTIONS /v1/{proxy+}', 'query', 'public'],
      ['PUT /v1/profiles/{id}', 'config', 'bearer'],
      ['DELETE /v1/profiles/{id}', 'config', 'bearer'],
      ['OPTIONS /v1/profiles/{id}', 'config', 'public'],
      ['PUT /v1/users/{id}', 'config', 'bearer'],
      ['DELETE /v1/users/{id}', 'config', 'bearer'],
      ['OPTIONS /v1/users/{id}', 'config', 'public'],
      ['POST /v1/users/{id}/tokens', 'config', 'bearer'],
      ['OPTIONS /v1/users/{id}/tokens', 'config', 'public'],
      ['DELETE /v1/users/{id}/tokens/{tokenId}', 'config', 'bearer'],
      ['OPTIONS /v1/users/{id}/tokens/{tokenId}', 'config', 'public'],
      ['PUT /v1/budgets/{month}', 'config', 'bearer'],
      ['DELETE /v1/budgets/{month}', 'config', 'bearer'],
      ['OPTIONS /v1/budgets/{month}', 'config', 'public'],
      ['PUT /v1/stage-probabilities', 'config', 'bearer'],
      ['OPTIONS /v1/stage-probabilities', 'config', 'public'],
      ['PUT /v1/stages/{source}', 'config', 'bearer'],
      ['OPTIONS /v1/stages/{source}', 'config', 'public'],
    ]);
    // Every read under /v1 rides on GET /v1/{proxy+}: a new one needs no new API Gateway route.
    expect(queryRoutes.filter((r) => r.path !== '/').every((r) => r.gatewayPath === '/v1/{proxy+}')).toBe(true);
  });

  it('serves locally what API Gateway serves, and the local admin routes', () => {
    const local = gatewayRoutes({ local: true });
    expect(local.slice(0, gatewayRoutes().length)).toEqual(gatewayRoutes());
    expect(local.slice(gatewayRoutes().length).map((r) => [key(r), r.target, r.auth])).toEqual([
      ['GET /local/dead-letters', 'local-admin', 'bearer'],
      ['POST /local/redrive', 'local-admin', 'bearer'],
    ]);
  });

  it('refuses to carry routes that disagree on auth or function on one API Gateway route', () => {
    const [page] = queryRoutes;
    if (!page) throw new Error('no read route');
    const reads = { ...page, gatewayPath: '/v1/{proxy+}' };
    expect(() =>
      gatewayRoutes({}, [
        { ...reads, path: '/v1/a', auth: 'bearer' },
        { ...reads, path: '/v1/b', auth: 'public', why: 'none' },
      ]),
    ).toThrow('GET /v1/{proxy+} carries routes with different auth or target (/v1/b)');
  });

  it('is what the OpenAPI document describes: the reads as GET, the writes by their method, nothing else', () => {
    const doc = openApiDocument(httpRoutes);
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual([...queryRoutes, ...configRoutes].map(key).sort());
    const get = (path: string) => (doc.paths[path] as { get: { security?: unknown[] } }).get;
    expect(get('/').security).toEqual([]);
    expect(get('/v1/metrics').security).toBeUndefined();
  });

  it('documents path ids with the length the API takes, MAX_ID_LENGTH, and months as months', () => {
    const doc = openApiDocument(httpRoutes);
    for (const route of configRoutes) {
      const operation = (
        doc.paths[route.path] as Record<string, { parameters: { name: string; schema: { pattern: string } }[] }>
      )[route.method.toLowerCase()];
      expect(operation?.parameters).toEqual(
        [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
          name,
          in: 'path',
          required: true,
          schema: { type: 'string', pattern: name === 'month' ? MONTH_PATTERN : ID_PATTERN },
        })),
      );
    }
    const id = new RegExp(ID_PATTERN);
    expect(MAX_ID_LENGTH).toBe(256);
    expect(id.test('a'.repeat(MAX_ID_LENGTH))).toBe(true);
    expect(id.test('a'.repeat(MAX_ID_LENGTH + 1))).toBe(false);
    expect(id.test('ann@example.com')).toBe(true);
    expect(id.test('a b')).toBe(false);
  });
});
