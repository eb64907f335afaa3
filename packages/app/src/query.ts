import type { Logger } from '@aws-lambda-powertools/logger';
import { safeEqual } from '@flash/connectors';
import {
  type AggregateView,
  keys as aggregateKeys,
  currentMonth,
  DIMENSIONS,
  type Dimension,
  type EntityState,
  InvalidValueError,
  type MetricContext,
  type Month,
  metricsAggregateKeys,
  metricsReport,
  type Profile,
  parseMonth,
  pipelineFigure,
  pipelineRequirements,
  requirementsAggregateKeys,
  type User,
} from '@flash/core';
import { dashboardPage } from '@flash/dashboard';
import type { AlertRecord, ListOptions } from '@flash/store';
import { configRoutes, MAX_ID_LENGTH, PROFILES, USERS } from './config-api.js';
import { corsHeaders, preflight } from './cors.js';
import { etagOf, type HttpEvent, type HttpResult, header, problem } from './http.js';
import { coachingReport, evaluateKpis, type InsightsStore, segmentsReport } from './insights.js';
import { negotiate } from './negotiate.js';
import { type JsonSchema, openApiDocument, type RouteDoc, type SchemaName, schemaRef } from './openapi.js';
import { exposition, type MetricsReport, metricsFamilies, OPENMETRICS_TEXT, PROMETHEUS_TEXT } from './prometheus.js';
import { withReadCache } from './read-cache.js';

/** What the query function reads; DynamoStore implements it. */
export interface QueryStore extends InsightsStore {
  getAggregates(keys: readonly string[]): Promise<ReadonlyMap<string, AggregateView>>;
  listEntities(list: string, limit: number, options?: ListOptions): Promise<EntityState[]>;
  getDocuments(kind: string, ids: readonly string[]): Promise<Map<string, unknown>>;
  listDocuments(kind: string): Promise<Map<string, unknown>>;
  listAlerts(limit: number): Promise<AlertRecord[]>;
}

export interface QueryDeps {
  store: QueryStore;
  ctx: MetricContext;
  now: () => Date;
  logger: Logger;
  /** When set, `/v1/*` requires `Authorization: Bearer <token>` (on AWS the authorizer checks it instead). */
  apiToken?: string | undefined;
  /** Seconds a poller may cache an answer. */
  maxAgeSeconds?: number;
  /** Milliseconds an aggregate read is shared between requests (see withReadCache); 0 turns it off. */
  readCacheMs?: number;
  /** Origins that may call the API from a browser (`*` for any); none by default. */
  corsOrigins?: readonly string[];
}

class BadRequest extends Error {}

/** A query parameter: its documentation and its parser, which throws BadRequest with a clear message. */
interface Param<T> {
  description: string;
  schema: JsonSchema;
  required?: boolean;
  example?: string;
  parse(raw: string | undefined, deps: QueryDeps): T;
}
type Params = Record<string, Param<unknown>>;
type Parsed<P extends Params> = { [K in keyof P]: P[K] extends Param<infer T> ? T : never };

/** One representation of an answer; the first a route lists is the default. */
interface Format<A> {
  /** Without parameters: what Accept is matched against and the OpenAPI content key. */
  mediaType: string;
  contentType: string;
  schema: JsonSchema;
  render(answer: A): string;
}

interface RouteSpec<P extends Params, A> extends Omit<RouteDoc, 'params' | 'formats' | 'public'> {
  params: P;
  formats: readonly [Format<A>, ...Format<A>[]];
  /** Public routes need no bearer token (the dashboard page asks for it itself). */
  public?: boolean;
  cacheControl?: string;
  headers?: Record<string, string>;
  answer(params: Parsed<P>, deps: QueryDeps): Promise<A> | A;
}

interface Rendered {
  format: Format<unknown>;
  body: string;
  /** What the ETag covers: the answer without `asOf`, which changes on every request. */
  validator: string;
}

/** A route with its types erased, so routes of different answers sit in one table. */
interface Route extends RouteDoc {
  cacheControl?: string | undefined;
  headers?: Record<string, string> | undefined;
  respond(query: Record<string, string | undefined>, deps: QueryDeps, formatIndex: number): Promise<Rendered>;
}

const route = <P extends Params, A>(spec: RouteSpec<P, A>): Route => ({
  path: spec.path,
  summary: spec.summary,
  public: spec.public ?? false,
  params: spec.params,
  formats: spec.formats,
  cacheControl: spec.cacheControl,
  headers: spec.headers,
  respond: async (query, deps, formatIndex) => {
    const unknown = Object.keys(query).filter((name) => !Object.hasOwn(spec.params, name));
    if (unknown.length > 0) {
      const known = Object.keys(spec.params);
      throw new BadRequest(
        `unknown parameter ${unknown.map((n) => `"${n}"`).join(', ')}; ${spec.path} takes ${known.length > 0 ? known.join(', ') : 'none'}`,
      );
    }
    const parsed = Object.fromEntries(
      Object.entries(spec.params).map(([name, param]) => [name, param.parse(query[name], deps)]),
    ) as Parsed<P>;
    const answer = await spec.answer(parsed, deps);
    const format = spec.formats[formatIndex] ?? spec.formats[0];
    const figures = typeof answer === 'object' && answer !== null ? { ...answer, asOf: undefined } : answer;
    return {
      format: format as Format<unknown>,
      body: format.render(answer),
      validator: `${format.mediaType}\n${JSON.stringify(figures)}`,
    };
  },
});

const unset = (raw: string | undefined): raw is undefined => raw === undefined || raw === '';

const periodParam: Param<Month> = {
  description: 'The month, YYYY-MM; default: the current month in the configured time zone',
  schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' },
  example: '2026-11',
  parse: (raw, deps) => {
    if (unset(raw)) return currentMonth(deps.now(), deps.ctx.timeZone);
    try {
      return parseMonth(raw);
    } catch (error) {
      if (error instanceof InvalidValueError) throw new BadRequest(error.message);
      throw error;
    }
  },
};

const integerParam = (name: string, description: string, fallback: number, min: number, max: number) =>
  ({
    description: `${description}; default ${fallback}`,
    schema: { type: 'integer', minimum: min, maximum: max, default: fallback },
    parse: (raw) => {
      if (unset(raw)) return fallback;
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n < min || n > max)
        throw new BadRequest(`${name} must be a whole number from ${min} to ${max}`);
      return n;
    },
  }) satisfies Param<number>;

const limitParam = (fallback: number) => integerParam('limit', 'How many to list, newest first', fallback, 1, 500);

const ownerParam: Param<string | undefined> = {
  description: "A deal owner's id, to see that owner's pipeline only",
  schema: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH },
  parse: (raw) => {
    if (raw !== undefined && (raw === '' || raw.length > MAX_ID_LENGTH))
      throw new BadRequest(`owner must be a non-empty id of at most ${MAX_ID_LENGTH} characters`);
    return raw;
  },
};

/** A plain decimal: digits, optionally a point and more digits. No sign, exponent, hex (`0x10`) or spaces. */
const PLAIN_DECIMAL = /^\d{1,15}(\.\d{1,15})?$/;

const budgetParam: Param<number> = {
  description: 'The monthly budget in the base currency, a plain decimal such as 100000 or 2500.50',
  schema: { type: 'number', exclusiveMinimum: 0 },
  required: true,
  example: '100000',
  parse: (raw) => {
    if (unset(raw))
      throw new BadRequest('budget is required: a positive number, the monthly budget in the base currency');
    const budget = Number(raw);
    if (!PLAIN_DECIMAL.test(raw) || budget <= 0)
      throw new BadRequest(
        'budget must be a positive plain decimal (digits, optionally "." and decimals; at most 15 of each), ' +
          'the monthly budget in the base currency',
      );
    return budget;
  },
};

const byParam: Param<Dimension> = {
  description: 'What to break the figures down by',
  schema: { type: 'string', enum: [...DIMENSIONS], default: 'segment' },
  parse: (raw) => {
    if (unset(raw)) return 'segment';
    if (!(DIMENSIONS as readonly string[]).includes(raw))
      throw new BadRequest(`by must be one of ${DIMENSIONS.join(', ')}`);
    return raw as Dimension;
  },
};

const userParam: Param<string> = {
  description: 'The user whose KPIs to score (see PUT /v1/users/{id})',
  schema: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH },
  required: true,
  example: 'ann',
  parse: (raw) => {
    if (unset(raw)) throw new BadRequest('user is required: the id of a user set with PUT /v1/users/{id}');
    if (raw.length > MAX_ID_LENGTH) throw new BadRequest(`user must be an id of at most ${MAX_ID_LENGTH} characters`);
    return raw;
  },
};

const jsonFormat = <A>(schema: SchemaName): Format<A> => ({
  mediaType: 'application/json',
  contentType: 'application/json; charset=utf-8',
  schema: schemaRef(schema),
  render: (answer) => JSON.stringify(answer),
});

const textSchema: JsonSchema = { type: 'string' };
const prometheusFormats: readonly [Format<MetricsReport>, Format<MetricsReport>] = [
  {
    mediaType: 'text/plain',
    contentType: PROMETHEUS_TEXT,
    schema: textSchema,
    render: (report) => exposition(metricsFamilies(report), 'prometheus'),
  },
  {
    mediaType: 'application/openmetrics-text',
    contentType: OPENMETRICS_TEXT,
    schema: textSchema,
    render: (report) => exposition(metricsFamilies(report), 'openmetrics'),
  },
];

const metricsAnswer = async ({ period }: { period: Month }, deps: QueryDeps): Promise<MetricsReport> =>
  metricsReport(period, await deps.store.getAggregates(metricsAggregateKeys(period)), deps.ctx, deps.now());

/**
 * The query API, one entry per route: its parameters, its representations and its answer. The handler and
 * `GET /v1/openapi.json` both follow this table, so a new route is one entry here.
 */
export const queryRoutes: readonly Route[] = [
  route({
    path: '/',
    summary: 'The live dashboard (HTML)',
    public: true,
    params: {
      period: {
        description: 'The month the page opens on, YYYY-MM (read by the page itself); default: the current month',
        schema: periodParam.schema,
        parse: () => undefined,
      },
      user: {
        description: 'The user whose KPIs the page shows (read by the page itself)',
        schema: userParam.schema,
        parse: () => undefined,
      },
      by: {
        description: 'The breakdown the page shows (read by the page itself)',
        schema: byParam.schema,
        parse: () => undefined,
      },
    },
    formats: [{ mediaType: 'text/html', contentType: 'text/html; charset=utf-8', schema: textSchema, render: String }],
    // Revalidated each load (a 304 is cheap), so a deploy shows at once.
    cacheControl: 'no-cache',
    headers: {
      'content-security-policy': dashboardPage.contentSecurityPolicy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    answer: () => dashboardPage.html,
  }),
  route({
    path: '/v1/metrics',
    summary: 'The flash figures of a month (JSON, or Prometheus/OpenMetrics text by Accept)',
    params: { period: periodParam },
    formats: [jsonFormat('Metrics'), ...prometheusFormats],
    answer: metricsAnswer,
  }),
  route({
    path: '/v1/metrics/prometheus',
    summary: 'The headline figures as Prometheus gauges, for scraping',
    params: { period: periodParam },
    formats: prometheusFormats,
    answer: metricsAnswer,
  }),
  route({
    path: '/v1/pipeline',
    summary: 'Pipeline figures of a month, for everyone or one owner',
    params: { period: periodParam, owner: ownerParam },
    formats: [jsonFormat('Pipeline')],
    answer: async ({ period, owner }, deps) => {
      const aggregates = await deps.store.getAggregates([
        aggregateKeys.pipeline(period, owner),
        aggregateKeys.openPipeline(owner),
      ]);
      return {
        period,
        owner: owner ?? null,
        currency: deps.ctx.baseCurrency,
        ...pipelineFigure(period, aggregates, deps.ctx, owner),
      };
    },
  }),
  route({
    path: '/v1/pipeline/requirements',
    summary: 'What the pipeline must hold to reach a monthly budget, beside the actual figures',
    params: {
      budget: budgetParam,
      period: periodParam,
      owner: ownerParam,
      months: integerParam('months', 'How many full months before the period the rates come from', 6, 1, 36),
    },
    formats: [jsonFormat('Requirements')],
    answer: async (input, deps) =>
      pipelineRequirements(input, await deps.store.getAggregates(requirementsAggregateKeys(input)), deps.ctx),
  }),
  route({
    path: '/v1/nps/detractors',
    summary: 'Detractor responses of a month, newest first',
    params: { period: periodParam, limit: limitParam(100) },
    formats: [jsonFormat('Detractors')],
    answer: async ({ period, limit }, deps) => {
      const states = await deps.store.listEntities(`detractors#${period}`, limit);
      const detractors = states.flatMap((s) =>
        s.entity === 'survey_response'
          ? [
              {
                id: s.id,
                source: s.source,
                score: s.data.score,
                comment: s.data.comment,
                contact: s.data.email,
                customerId: s.data.customerId,
                submittedAt: s.data.submittedAt,
              },
            ]
          : [],
      );
      return { period, detractors };
    },
  }),
  route({
    path: '/v1/alerts',
    summary: 'Detractor alerts, newest first',
    params: { limit: limitParam(50) },
    formats: [jsonFormat('Alerts')],
    answer: async ({ limit }, deps) => ({ alerts: await deps.store.listAlerts(limit) }),
  }),
  route({
    path: '/v1/metrics/segments',
    summary: 'NPS, billing, average basket and won value of a month by customer segment, sales channel or owner',
    params: { period: periodParam, by: byParam },
    formats: [jsonFormat('Segments')],
    answer: ({ period, by }, deps) => segmentsReport(deps.store, period, by, deps.ctx),
  }),
  route({
    path: '/v1/coaching',
    summary: 'Created and converted per source, lost reasons, open deals per stage, deals past their close date',
    params: { period: periodParam, owner: ownerParam },
    formats: [jsonFormat('Coaching')],
    answer: ({ period, owner }, deps) => coachingReport(deps.store, period, owner, deps.ctx, deps.now()),
  }),
  route({
    path: '/v1/kpis',
    summary: "A user's KPIs from their profile: actual, target, score (actual / target in percent), freshness",
    params: { user: userParam },
    formats: [jsonFormat('Kpis')],
    answer: async ({ user: userId }, deps) => {
      const user = (await deps.store.getDocuments(USERS, [userId])).get(userId) as User | undefined;
      if (!user) throw new BadRequest(`user "${userId}" does not exist; PUT /v1/users/${userId} first`);
      const profile = (await deps.store.getDocuments(PROFILES, [user.profileId])).get(user.profileId) as
        | Profile
        | undefined;
      if (!profile) throw new BadRequest(`profile "${user.profileId}" of user "${userId}" does not exist`);
      return evaluateKpis(userId, user, profile, deps.store, deps.ctx, deps.now());
    },
  }),
  route({
    path: '/v1/profiles',
    summary: 'KPI profiles',
    params: {},
    formats: [jsonFormat('Profiles')],
    answer: async (_params, deps) => ({
      profiles: [...(await deps.store.listDocuments(PROFILES))].map(([id, p]) => ({ id, ...(p as Profile) })),
    }),
  }),
  route({
    path: '/v1/users',
    summary: 'Users and the profiles they are scored against',
    params: {},
    formats: [jsonFormat('Users')],
    answer: async (_params, deps) => ({
      users: [...(await deps.store.listDocuments(USERS))].map(([id, u]) => ({
        id,
        ...(u as User),
        ownerIds: (u as User).ownerIds ?? [id],
      })),
    }),
  }),
  route({
    path: '/v1/openapi.json',
    summary: 'This API described in OpenAPI 3.1',
    params: {},
    formats: [jsonFormat('OpenApi')],
    answer: () => openApiDocument(queryRoutes, configRoutes),
  }),
];

const routesByPath = new Map(queryRoutes.map((r) => [r.path, r]));

const withVary = (headers: Record<string, string>, ...names: string[]): Record<string, string> => {
  const vary = [headers.vary, ...names].filter(Boolean).join(', ');
  return vary ? { ...headers, vary } : headers;
};

/**
 * The query API and the dashboard page. Every answer carries an ETag (a matching If-None-Match gets 304) and
 * a Cache-Control, so polling dashboards cost little; CORS follows `corsOrigins`.
 */
export const makeQueryHandler = (options: QueryDeps) => {
  const deps = { ...options, store: withReadCache(options.store, options.readCacheMs ?? 250) };
  const origins = deps.corsOrigins ?? [];
  const maxAge = `max-age=${deps.maxAgeSeconds ?? 5}`;
  return async (event: HttpEvent): Promise<HttpResult> => {
    const cors = corsHeaders(header(event, 'origin'), origins);
    const fail = (status: number, message: string, extra: Record<string, string> = {}) =>
      problem(status, message, { ...cors, 'cache-control': 'no-store', ...extra });

    const target = routesByPath.get(event.rawPath);
    const method = event.requestContext.http.method;
    if (method === 'OPTIONS' && target) return preflight(event, origins);
    if (!target) return fail(404, `no route ${event.rawPath}`);
    if (method !== 'GET') return fail(405, 'only GET is supported', { allow: 'GET, OPTIONS' });
    if (!target.public && deps.apiToken) {
      const given = header(event, 'authorization') ?? '';
      if (!safeEqual(given, `Bearer ${deps.apiToken}`))
        return fail(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
    }
    const formatIndex = negotiate(
      header(event, 'accept'),
      target.formats.map((f) => f.mediaType),
    );
    if (formatIndex === undefined)
      return fail(406, `this route answers ${target.formats.map((f) => f.mediaType).join(' or ')}`);

    try {
      const { format, body, validator } = await target.respond(event.queryStringParameters ?? {}, deps, formatIndex);
      // The ETag covers the figures, not the moment they were read: a weak validator.
      const etag = `W/${etagOf(validator)}`;
      const headers = withVary(
        { ...cors, ...target.headers, etag, 'cache-control': target.cacheControl ?? maxAge },
        ...(target.formats.length > 1 ? ['Accept'] : []),
      );
      if (
        header(event, 'if-none-match')
          ?.split(/\s*,\s*/)
          .includes(etag)
      )
        return { statusCode: 304, headers };
      return { statusCode: 200, headers: { ...headers, 'content-type': format.contentType }, body };
    } catch (error) {
      if (error instanceof BadRequest) return fail(400, error.message);
      deps.logger.error('query failed', { error, path: event.rawPath });
      return fail(500, 'internal error');
    }
  };
};
