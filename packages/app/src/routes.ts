import { ID_PATTERN, MONTH_PATTERN } from './documents.js';
import { htmlFormat, jsonFormat, prometheusFormats, prometheusFormatsOf } from './formats.js';
import {
  budgetParam,
  byParam,
  integerParam,
  leverParam,
  limitParam,
  ownerParam,
  pageParam,
  periodParam,
  profileParam,
  reportPeriodParam,
  seriesBoundParam,
  userParam,
} from './params.js';
import { CANONICAL_EVENTS_PATH } from './paths.js';
import { forecastFamilies, stageFamilies } from './prometheus.js';
import type { Formats, Params } from './read-route.js';
import type { JsonSchema, SchemaName } from './schemas.js';
import { csvFormat } from './series-csv.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';

/**
 * What a caller must show: a provider's signature over the delivery (checked by the ingest function), the
 * API's bearer token (on AWS the Lambda authorizer; locally the handler, when API_TOKEN is set), or nothing.
 */
export type RouteAuth = 'signature' | 'bearer' | 'public';

/** What serves a route: a Lambda function on AWS and the same handler locally, or the local stack's admin. */
export type RouteTarget = 'ingest' | 'query' | 'config' | 'local-admin';

interface RouteBase {
  method: HttpMethod;
  /** As API Gateway and OpenAPI write it: `{name}` one segment, a final `{name+}` the rest. */
  path: string;
  auth: RouteAuth;
  target: RouteTarget;
  summary: string;
  /** Why a route without the bearer token is safe to call; on AWS, the reason given to cdk-nag (APIG4). */
  why?: string;
  /**
   * The API Gateway route that carries this one when it is broader than the path: the query function's
   * reads share `GET /v1/{proxy+}`, so a new read route needs no new API Gateway route.
   */
  gatewayPath?: string;
  /** Served by the local stack only (on AWS their work is done by other means). */
  localOnly?: boolean;
}

/** A read (GET on the query function): its query parameters and its representations, documented in OpenAPI. */
export interface ReadRoute<Path extends string = string, P extends Params = Params, A = never> extends RouteBase {
  kind: 'read';
  method: 'GET';
  path: Path;
  target: 'query';
  params: P;
  formats: Formats<A>;
}

export type WriteMethod = 'PUT' | 'POST' | 'DELETE';

/**
 * A write on the config function, documented in OpenAPI: PUT stores a document under its id (200 with it),
 * POST creates one under the path (201 with it), DELETE removes one (204, no body).
 */
export interface WriteRoute<Path extends string = string, M extends WriteMethod = WriteMethod> extends RouteBase {
  kind: 'write';
  method: M;
  path: Path;
  target: 'config';
  pathParams: Record<string, JsonSchema>;
  body?: SchemaName;
  answer?: SchemaName;
  /** Answers besides success and 400 (409 for a profile still in use, 404 for an unknown token). */
  refusals?: Readonly<Record<number, string>>;
}

/** Served but not in the OpenAPI document: webhooks, CORS preflights, the local stack's own routes. */
export interface OtherRoute extends RouteBase {
  kind: 'other';
}

export type HttpRoute = ReadRoute | WriteRoute | OtherRoute;

const V1_READS = '/v1/{proxy+}';

/** A read route: behind the bearer token unless public (which says why); under /v1, carried by GET /v1/{proxy+}. */
const read = <Path extends string, P extends Params, A>(
  path: Path,
  spec: { summary: string; params: P; formats: Formats<A> } & ({ auth?: 'bearer' } | { auth: 'public'; why: string }),
): ReadRoute<Path, P, A> => ({
  kind: 'read',
  method: 'GET',
  path,
  target: 'query',
  auth: 'bearer',
  ...(path.startsWith('/v1/') ? { gatewayPath: V1_READS } : {}),
  ...spec,
});

/** A profile or user id, at most MAX_ID_LENGTH characters: what the config function takes. */
const idParam: JsonSchema = { type: 'string', pattern: ID_PATTERN };

/** A write route on the config function, behind the bearer token; each `{name}` of the path is an id. */
const write = <M extends WriteMethod, Path extends string>(
  method: M,
  path: Path,
  spec: {
    summary: string;
    body?: SchemaName;
    answer?: SchemaName;
    refusals?: Record<number, string>;
    /** Path parameters narrower than an id (a month). */
    pathParams?: Record<string, JsonSchema>;
  },
): WriteRoute<Path, M> => ({
  kind: 'write',
  method,
  path,
  target: 'config',
  auth: 'bearer',
  ...spec,
  pathParams: {
    ...Object.fromEntries([...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, idParam])),
    ...spec.pathParams,
  },
});

/** A month in a path, as the budget routes take it. */
const monthPathParam: JsonSchema = { type: 'string', pattern: MONTH_PATTERN };

const PREFLIGHT =
  'CORS preflight: browsers send OPTIONS without credentials, so it cannot be authorised; the function answers with the allowed origins, methods and headers only and reads no data.';

/** The CORS preflight of the routes under `path`, answered by the function that serves them. */
const preflight = (path: string, target: 'query' | 'config'): OtherRoute => ({
  kind: 'other',
  method: 'OPTIONS',
  path,
  target,
  auth: 'public',
  summary: `CORS preflight of ${path}`,
  why: PREFLIGHT,
});

/** Behind API_TOKEN when it is set, because dead letters hold whole events. */
const local = (method: HttpMethod, path: string, summary: string): OtherRoute => ({
  kind: 'other',
  method,
  path,
  target: 'local-admin',
  auth: 'bearer',
  summary,
  localOnly: true,
});

/**
 * Every HTTP route of the product, once: its method, path, what the caller must show, what serves it and its
 * documentation. The local server routes by it (gatewayRoutes), `GET /v1/openapi.json` is generated from it,
 * the query function answers its read routes (query.ts binds an answer to each) and the CDK app creates the
 * API Gateway routes from it, with the authorizer on the bearer ones. A new route is one entry here, plus its
 * answer (query.ts) or its handler.
 */
export const httpRoutes = [
  {
    kind: 'other',
    method: 'POST',
    path: '/webhooks/{source}',
    target: 'ingest',
    auth: 'signature',
    summary: 'A delivery from a source: verified, parsed, its canonical events put on the bus',
    why: 'Webhook senders cannot send our credentials; each delivery is authenticated by its provider signature (or Basic auth), verified in constant time by the ingest function.',
  },
  {
    kind: 'other',
    method: 'POST',
    path: CANONICAL_EVENTS_PATH,
    target: 'ingest',
    auth: 'bearer',
    summary:
      'Canonical events from history (npm run backfill, npm run import): `{"events": [...]}`, at most 1,000, through the same gate as a webhook; 202 `{"accepted": n}` once on the bus',
  },
  read('/', {
    summary: 'The live dashboard (HTML)',
    auth: 'public',
    why: 'The dashboard page: static HTML and inline script holding no data; every figure it shows comes from /v1 with the bearer token, which the page asks the user for.',
    params: {
      period: pageParam(
        'The month the page opens on, YYYY-MM (read by the page itself); default: the current month',
        periodParam,
      ),
      user: pageParam('The user whose KPIs the page shows (read by the page itself)', userParam),
      by: pageParam('The breakdown the page shows (read by the page itself)', byParam),
      tv: pageParam(
        '1 for TV mode, for a wallboard: large type, no controls, sections in rotation (read by the page itself)',
        integerParam('tv', 'TV mode', 0, 0, 1),
      ),
      rotate: pageParam(
        'Seconds each section stays on screen in TV mode (read by the page itself)',
        integerParam('rotate', 'Seconds per section', 20, 1, 3600),
      ),
    },
    formats: [htmlFormat],
  }),
  read('/v1/metrics', {
    summary:
      'The flash figures of a month or a year, with their comparisons (JSON, or Prometheus/OpenMetrics text by Accept)',
    params: { period: reportPeriodParam },
    formats: [jsonFormat('Metrics'), ...prometheusFormats],
  }),
  read('/v1/metrics/series', {
    summary: 'The flash figures of each month from `from` to `to` (at most 36), each as GET /v1/metrics answers it',
    params: {
      from: seriesBoundParam('from', 'The first month'),
      to: seriesBoundParam('to', 'The last month'),
    },
    formats: [jsonFormat('Series'), csvFormat],
  }),
  read('/v1/metrics/prometheus', {
    summary: 'The headline figures as Prometheus gauges, for scraping',
    params: { period: periodParam },
    formats: prometheusFormats,
  }),
  read('/v1/pipeline', {
    summary: 'Pipeline figures of a month, for everyone or one owner',
    params: { period: periodParam, owner: ownerParam },
    formats: [jsonFormat('Pipeline')],
  }),
  read('/v1/pipeline/requirements', {
    summary:
      'What the pipeline must hold to reach a monthly budget, beside the actual figures; with what-if changes to the levers, the figures each change gives and the lever that helps most',
    params: {
      budget: budgetParam,
      period: periodParam,
      owner: ownerParam,
      months: integerParam('months', 'How many full months before the period the rates come from', 6, 1, 36),
      hitRate: leverParam('hitRate'),
      dealSize: leverParam('dealSize'),
      leadTime: leverParam('leadTime'),
      opportunities: leverParam('opportunities'),
    },
    formats: [jsonFormat('Requirements')],
  }),
  read('/v1/nps/detractors', {
    summary: 'Detractor responses of a month, newest first',
    params: { period: periodParam, limit: limitParam(100) },
    formats: [jsonFormat('Detractors')],
  }),
  read('/v1/alerts', {
    summary: 'Detractor alerts, newest first',
    params: { limit: limitParam(50) },
    formats: [jsonFormat('Alerts')],
  }),
  read('/v1/metrics/segments', {
    summary: 'NPS, billing, average basket and won value of a month by customer segment, sales channel or owner',
    params: { period: periodParam, by: byParam },
    formats: [jsonFormat('Segments')],
  }),
  read('/v1/coaching', {
    summary: 'Created and converted per source, lost reasons, open deals per stage, deals past their close date',
    params: { period: periodParam, owner: ownerParam },
    formats: [jsonFormat('Coaching')],
  }),
  read('/v1/acquisition', {
    summary:
      'Customer acquisition of a month: spend, new customers and CAC (spend ÷ new customers), in total and per channel; opportunities created and won per deal source; new customers and average basket per customer segment',
    params: { period: periodParam },
    formats: [jsonFormat('Acquisition')],
  }),
  read('/v1/pipeline/stages', {
    summary:
      'Per stage, over every deal: how long deals stay (mean and median days), how many lost deals were lost at it, and its probability learnt from closed deals, with the sample and any override',
    params: {},
    formats: [jsonFormat('Stages'), ...prometheusFormatsOf(stageFamilies)],
  }),
  read('/v1/forecast', {
    summary:
      'Per month from `from` to `to`: sold, open pipeline weighted by stage probability in its expected close month, forecast and budget, each also accumulated over the range; for the company or one owner',
    params: {
      from: seriesBoundParam('from', 'The first month'),
      to: seriesBoundParam('to', 'The last month'),
      owner: ownerParam,
    },
    formats: [jsonFormat('Forecast'), ...prometheusFormatsOf(forecastFamilies)],
  }),
  read('/v1/budgets', { summary: 'The budgets of every month', params: {}, formats: [jsonFormat('Budgets')] }),
  read('/v1/kpis', {
    summary:
      "A user's KPIs from their profile for a month (`user`), or every user of a profile side by side (`profile`): actual, target, score by the template's rule, freshness",
    params: { user: userParam, profile: profileParam, period: periodParam },
    formats: [jsonFormat('KpisAnswer')],
  }),
  read('/v1/profiles', { summary: 'KPI profiles', params: {}, formats: [jsonFormat('Profiles')] }),
  read('/v1/users', {
    summary: 'Users and the profiles they are scored against',
    params: {},
    formats: [jsonFormat('Users')],
  }),
  read('/v1/stages', {
    summary: 'The stage labels configured per source (shown beside stage ids)',
    params: {},
    formats: [jsonFormat('StageLabelsList')],
  }),
  read('/v1/openapi.json', {
    summary: 'This API described in OpenAPI 3.1',
    params: {},
    formats: [jsonFormat('OpenApi')],
  }),
  preflight(V1_READS, 'query'),
  // More specific than /v1/{proxy+}: PUT and OPTIONS on these paths go to the config function.
  write('PUT', '/v1/profiles/{id}', {
    summary: 'Create or replace a KPI profile (at most 10 KPIs)',
    body: 'ProfileBody',
    answer: 'Profile',
  }),
  write('DELETE', '/v1/profiles/{id}', {
    summary: 'Delete a KPI profile that no user is scored against',
    refusals: { 409: 'Users are still scored against the profile (the message names them): move or delete them first' },
  }),
  preflight('/v1/profiles/{id}', 'config'),
  write('PUT', '/v1/users/{id}', {
    summary: 'Create or replace a user and the profile they are scored against',
    body: 'UserBody',
    answer: 'User',
  }),
  write('DELETE', '/v1/users/{id}', { summary: 'Delete a user, revoking their personal tokens' }),
  preflight('/v1/users/{id}', 'config'),
  write('POST', '/v1/users/{id}/tokens', {
    summary:
      "Issue a personal read token for a user: it reads only the user's own pipeline, KPIs, coaching and activities (and company figures when granted). The token is in this answer only; it is stored hashed",
    body: 'TokenBody',
    answer: 'IssuedToken',
    refusals: { 404: 'No such user' },
  }),
  preflight('/v1/users/{id}/tokens', 'config'),
  write('DELETE', '/v1/users/{id}/tokens/{tokenId}', {
    summary: 'Revoke a personal token of a user',
    refusals: { 404: 'The user has no such token' },
  }),
  preflight('/v1/users/{id}/tokens/{tokenId}', 'config'),
  write('PUT', '/v1/budgets/{month}', {
    summary: "Set a month's budgets: the company's and each owner's, in one currency (replaces what was set)",
    body: 'BudgetBody',
    answer: 'Budget',
    pathParams: { month: monthPathParam },
  }),
  write('DELETE', '/v1/budgets/{month}', {
    summary: "Delete a month's budgets",
    pathParams: { month: monthPathParam },
  }),
  preflight('/v1/budgets/{month}', 'config'),
  write('PUT', '/v1/stage-probabilities', {
    summary:
      'Set stage probabilities by hand, per source and stage id (`{"probabilities": {"pipedrive": {"4": 0.4}}}`), replacing what was set; a stage left out uses the probability learnt from its source\'s closed deals',
    body: 'StageProbabilitiesBody',
    answer: 'StageProbabilities',
  }),
  preflight('/v1/stage-probabilities', 'config'),
  write('PUT', '/v1/stages/{source}', {
    summary:
      "Set the labels of a source's pipeline stages (stage id → label), replacing the source's configured ones; they win over labels learnt from the provider's API",
    body: 'StageLabelsBody',
    answer: 'StageLabels',
  }),
  preflight('/v1/stages/{source}', 'config'),
  local('GET', '/local/dead-letters', "Each queue's dead letters with their reason"),
  local('POST', '/local/redrive', 'Moves dead letters back onto their queue (`?queue=` for one)'),
] as const satisfies readonly HttpRoute[];

type TableRoute = (typeof httpRoutes)[number];
/** The read routes, each with its own parameter and answer types (query.ts binds their answers). */
export type ReadRoutes = Extract<TableRoute, { kind: 'read' }>;
/** The writes of the config function, as `METHOD path`. */
export type WriteKey =
  Extract<TableRoute, { kind: 'write' }> extends infer R
    ? R extends { method: infer M extends string; path: infer P extends string }
      ? `${M} ${P}`
      : never
    : never;

const isRead = (route: HttpRoute): route is ReadRoute => route.kind === 'read';
const isWrite = (route: HttpRoute): route is WriteRoute => route.kind === 'write';

/** The read routes: GET on the query function. */
export const queryRoutes: readonly ReadRoute[] = (httpRoutes as readonly HttpRoute[]).filter(isRead);
/** The write routes of the config function. */
export const configRoutes: readonly WriteRoute[] = (httpRoutes as readonly HttpRoute[]).filter(isWrite);

/** A route as API Gateway holds it (and the local server, standing in for it). */
export interface GatewayRoute {
  method: HttpMethod;
  path: string;
  auth: RouteAuth;
  target: RouteTarget;
  why?: string;
}

/**
 * The routes API Gateway needs, in table order: each route on its gateway path, those that share one merged
 * (they must agree on what serves them and how they are let in). The CDK app creates these, attaching the
 * authorizer to the `bearer` ones; with `local`, the local stack's own routes too, which the local server
 * serves.
 */
export const gatewayRoutes = (
  { local = false }: { local?: boolean } = {},
  routes: readonly HttpRoute[] = httpRoutes,
): GatewayRoute[] => {
  const byKey = new Map<string, GatewayRoute>();
  for (const route of routes) {
    if (route.localOnly && !local) continue;
    const path = route.gatewayPath ?? route.path;
    const key = `${route.method} ${path}`;
    const seen = byKey.get(key);
    if (seen && (seen.auth !== route.auth || seen.target !== route.target))
      throw new Error(`${key} carries routes with different auth or target (${route.path})`);
    if (!seen)
      byKey.set(key, {
        method: route.method,
        path,
        auth: route.auth,
        target: route.target,
        ...(route.why ? { why: route.why } : {}),
      });
  }
  return [...byKey.values()];
};
