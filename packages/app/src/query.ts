import type { Logger } from '@aws-lambda-powertools/logger';
import {
  keys as aggregateKeys,
  type Budget,
  currentMonth,
  LEVERS,
  localDateOf,
  type MetricContext,
  type Month,
  metricsReport,
  monthCount,
  monthRange,
  type Period,
  type Profile,
  pipelineFigure,
  pipelineRequirements,
  type QueryStore,
  readReport,
  reportReads,
  requirementsAggregateKeys,
  type StageLabels,
  type StageOverrides,
  type StageProbabilities,
  type User,
} from '@flash/core';
import { dashboardPage } from '@flash/dashboard';
import { scopeOf } from './access.js';
import { makeAnswerCache } from './answer-cache.js';
import type { Scope } from './bearer.js';
import { corsHeaders, preflight } from './cors.js';
import { BUDGETS, PROFILES, SETTINGS, STAGE_PROBABILITIES_ID, STAGES, USERS } from './documents.js';
import { etagOf, type HttpEvent, type HttpResult, header, problem } from './http.js';
import {
  acquisitionReport,
  coachingReport,
  evaluateKpis,
  forecastAnswer,
  segmentsReport,
  stagesAnswer,
} from './insights.js';
import { alertsWithNames, readNames } from './names.js';
import { negotiate } from './negotiate.js';
import { openApiDocument } from './openapi.js';
import { refusedAsBadRequest, SERIES_MAX_MONTHS } from './params.js';
import type { MetricsReport } from './prometheus.js';
import { withReadCache } from './read-cache.js';
import { BadRequest, type Params, type ParseContext, type Parsed, parseParams, render } from './read-route.js';
import { httpRoutes, type ReadRoute, type ReadRoutes } from './routes.js';
import type { SeriesAnswer } from './series-csv.js';

export interface QueryDeps extends ParseContext {
  store: QueryStore;
  ctx: MetricContext;
  now: () => Date;
  logger: Logger;
  /** When set, the read routes marked `bearer` (all of /v1) require it (on AWS the authorizer checks it instead). */
  apiToken?: string | undefined;
  /** READ_API_TOKEN: a token that reads the same routes (wallboards); locally only, on AWS the authorizer checks it. */
  readApiToken?: string | undefined;
  /** Seconds a poller may cache an answer. */
  maxAgeSeconds?: number;
  /** Milliseconds an aggregate read is shared between requests (see withReadCache); 0 turns it off. */
  readCacheMs?: number;
  /** Origins that may call the API from a browser (`*` for any); none by default. */
  corsOrigins?: readonly string[];
}

/** How the query function answers a read route: the answer, and the response headers it sets itself. */
interface Answer<P, A> {
  answer: (params: P, deps: QueryDeps) => Promise<A> | A;
  cacheControl?: string;
  headers?: Record<string, string>;
  /**
   * The answer reads the clock only to stamp `asOf`, which its ETag leaves out, and to learn today's local date,
   * which the answer cache's identity holds: it may be reused (answer-cache.ts).
   */
  clockForDateAndAsOf?: true;
}
type AnswerOf<R> = R extends ReadRoute<string, infer P, infer A> ? Answer<Parsed<P>, A> : never;

/** One answer per read route of the table: a route without one, or an answer without a route, does not compile. */
type Answers = { [R in ReadRoutes as R['path']]: AnswerOf<R> };

/** The reports of some periods, from one read of everything they need (`reportReads`). */
const reports = async (periods: readonly Period[], deps: QueryDeps): Promise<MetricsReport[]> => {
  const now = deps.now();
  const inputs = await readReport(deps.store, reportReads(periods, localDateOf(now, deps.ctx.timeZone)));
  return periods.map((period) => metricsReport(period, inputs, deps.ctx, now));
};

const metricsAnswer = async ({ period }: { period: Period }, deps: QueryDeps): Promise<MetricsReport> =>
  (await reports([period], deps))[0] as MetricsReport;

/** Refuses a range of months that is reversed or longer than a series may be. */
const checkMonthRange = (from: Month, to: Month): void => {
  const count = monthCount(from, to);
  if (count < 1) throw new BadRequest(`from (${from}) must not be after to (${to})`);
  if (count > SERIES_MAX_MONTHS)
    throw new BadRequest(`a series spans at most ${SERIES_MAX_MONTHS} months; ${from} to ${to} is ${count}`);
};

/** A series element: the month's report without what the series says once for all (time zone, currency, asOf). */
const seriesAnswer = async ({ from, to }: { from: Month; to: Month }, deps: QueryDeps): Promise<SeriesAnswer> => {
  checkMonthRange(from, to);
  const months = await reports(monthRange(from, to), deps);
  return {
    from,
    to,
    timezone: deps.ctx.timeZone,
    currency: deps.ctx.baseCurrency,
    asOf: deps.now().toISOString(),
    months: months.map(({ timezone: _zone, currency: _currency, asOf: _asOf, ...month }) => month),
  };
};

/** The stage probabilities set by hand (`PUT /v1/stage-probabilities`), by source and stage id. */
const stageOverrides = async (deps: QueryDeps): Promise<StageOverrides> => {
  const stored = (await deps.store.getDocuments(SETTINGS, [STAGE_PROBABILITIES_ID])).get(STAGE_PROBABILITIES_ID) as
    | StageProbabilities
    | undefined;
  return stored?.probabilities ?? {};
};

/** The budgets of some months, by month. */
const budgetsOf = async (months: readonly Month[], deps: QueryDeps): Promise<Map<Month, Budget>> =>
  (await deps.store.getDocuments(BUDGETS, months)) as Map<Month, Budget>;

let openApi: ReturnType<typeof openApiDocument> | undefined;

const answers: Answers = {
  '/': {
    answer: () => dashboardPage.html,
    // Revalidated each load (a 304 is cheap), so a deploy shows at once.
    cacheControl: 'no-cache',
    headers: {
      'content-security-policy': dashboardPage.contentSecurityPolicy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
  },
  '/v1/metrics': { answer: metricsAnswer, clockForDateAndAsOf: true },
  '/v1/metrics/series': { answer: seriesAnswer, clockForDateAndAsOf: true },
  '/v1/metrics/prometheus': { answer: metricsAnswer, clockForDateAndAsOf: true },
  '/v1/pipeline': {
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
  },
  '/v1/pipeline/requirements': {
    answer: async (params, deps) => {
      const changes = LEVERS.flatMap((lever) => params[lever] ?? []);
      const input = { ...params, changes };
      const aggregates = await deps.store.getAggregates(requirementsAggregateKeys(input));
      // A change that leaves no valid value (a hit rate above 100 %) depends on the figures: a 400 saying so.
      return refusedAsBadRequest(() => pipelineRequirements(input, aggregates, deps.ctx));
    },
  },
  '/v1/nps/detractors': {
    answer: async ({ period, limit }, deps) => {
      const states = await deps.store.listEntities(`detractors#${period}`, limit);
      const responses = states.flatMap((s) => (s.entity === 'survey_response' ? [s] : []));
      const names = await readNames(deps.store, { customers: responses.map((s) => s.data.customerId) });
      const detractors = responses.map((s) => ({
        id: s.id,
        source: s.source,
        score: s.data.score,
        comment: s.data.comment,
        contact: s.data.email,
        customerId: s.data.customerId,
        customerName: names.customer(s.data.customerId),
        submittedAt: s.data.submittedAt,
      }));
      return { period, detractors };
    },
  },
  '/v1/alerts': { answer: async ({ limit }, deps) => ({ alerts: await alertsWithNames(deps.store, limit) }) },
  '/v1/metrics/segments': { answer: ({ period, by }, deps) => segmentsReport(deps.store, period, by, deps.ctx) },
  '/v1/coaching': {
    answer: ({ period, owner }, deps) => coachingReport(deps.store, period, owner, deps.ctx, deps.now()),
  },
  '/v1/acquisition': { answer: ({ period }, deps) => acquisitionReport(deps.store, period, deps.ctx) },
  '/v1/pipeline/stages': {
    answer: async (_params, deps) => stagesAnswer(deps.store, await stageOverrides(deps)),
  },
  '/v1/forecast': {
    answer: async ({ from, to, owner }, deps) => {
      checkMonthRange(from, to);
      const range = { from, to, owner: owner ?? null, current: currentMonth(deps.now(), deps.ctx.timeZone) };
      const [overrides, budgets] = await Promise.all([stageOverrides(deps), budgetsOf(monthRange(from, to), deps)]);
      return forecastAnswer(deps.store, range, { overrides, budgets }, deps.ctx);
    },
  },
  '/v1/budgets': {
    answer: async (_params, deps) => ({
      budgets: [...(await deps.store.listDocuments(BUDGETS))]
        .map(([month, b]) => ({ month, ...(b as Budget) }))
        .sort((a, b) => (a.month < b.month ? -1 : 1)),
    }),
  },
  '/v1/kpis': {
    answer: async ({ user: userId, profile: profileId, period }, deps) => {
      if ((userId === undefined) === (profileId === undefined))
        throw new BadRequest("give either user (one user's KPIs) or profile (every user of a profile)");
      if (userId !== undefined) {
        const user = (await deps.store.getDocuments(USERS, [userId])).get(userId) as User | undefined;
        if (!user) throw new BadRequest(`user "${userId}" does not exist; PUT /v1/users/${userId} first`);
        const profile = (await deps.store.getDocuments(PROFILES, [user.profileId])).get(user.profileId) as
          | Profile
          | undefined;
        if (!profile) throw new BadRequest(`profile "${user.profileId}" of user "${userId}" does not exist`);
        return evaluateKpis(userId, user, profile, deps.store, deps.ctx, deps.now(), period);
      }
      const id = profileId as string;
      const profile = (await deps.store.getDocuments(PROFILES, [id])).get(id) as Profile | undefined;
      if (!profile) throw new BadRequest(`profile "${id}" does not exist; PUT /v1/profiles/${id} first`);
      const members = [...(await deps.store.listDocuments(USERS))].filter(([, u]) => (u as User).profileId === id);
      const now = deps.now();
      return {
        profile: { id, name: profile.name },
        period,
        asOf: now.toISOString(),
        users: await Promise.all(
          members.map(([uid, u]) => evaluateKpis(uid, u as User, profile, deps.store, deps.ctx, now, period)),
        ),
      };
    },
  },
  '/v1/profiles': {
    answer: async (_params, deps) => ({
      profiles: [...(await deps.store.listDocuments(PROFILES))].map(([id, p]) => ({ id, ...(p as Profile) })),
    }),
  },
  '/v1/users': {
    answer: async (_params, deps) => ({
      users: [...(await deps.store.listDocuments(USERS))].map(([id, u]) => ({
        id,
        ...(u as User),
        ownerIds: (u as User).ownerIds ?? [id],
      })),
    }),
  },
  '/v1/stages': {
    answer: async (_params, deps) => ({
      stages: [...(await deps.store.listDocuments(STAGES))].map(([source, s]) => ({
        source,
        ...(s as StageLabels),
      })),
    }),
  },
  '/v1/openapi.json': { answer: () => (openApi ??= openApiDocument(httpRoutes)) },
};

/**
 * Whose figures a read shows, for personal tokens (access.ts): the caller's own (`own`), everyone's
 * (`company`, for tokens granted company figures), or another person's (`other`, never). Routes not listed
 * here show company figures.
 */
type Reach = 'own' | 'company' | 'other';
type ReachOf = (params: Record<string, unknown>, scope: Extract<Scope, { kind: 'personal' }>) => Reach;
const ownerReach: ReachOf = ({ owner }, scope) =>
  owner === undefined ? 'company' : scope.ownerIds.includes(owner as string) ? 'own' : 'other';
const reachOf: Partial<Record<ReadRoutes['path'], ReachOf>> = {
  '/': () => 'own',
  '/v1/openapi.json': () => 'own',
  '/v1/kpis': ({ user }, scope) => (user === scope.userId ? 'own' : 'other'),
  '/v1/pipeline': ownerReach,
  '/v1/pipeline/requirements': ownerReach,
  '/v1/coaching': ownerReach,
  '/v1/forecast': ownerReach,
};

/** Why a scope may not read what these parameters ask for, or undefined when it may. */
const scopeRefusal = (path: ReadRoutes['path'], params: Record<string, unknown>, scope: Scope): string | undefined => {
  if (scope.kind !== 'personal') return undefined;
  const reach = reachOf[path]?.(params, scope) ?? 'company';
  if (reach === 'own' || (reach === 'company' && scope.companyFigures)) return undefined;
  return reach === 'other'
    ? `a personal token reads its own figures only: user=${scope.userId}, owner one of ${scope.ownerIds.join(', ')}`
    : `a personal token reads company-wide figures only when issued with companyFigures; ask for your own (owner one of ${scope.ownerIds.join(', ')})`;
};

/** A read route with its answer, its types erased so that routes of different answers sit in one map. */
type Bound = ReadRoute<string, Params, unknown> & Answer<Parsed<Params>, unknown>;

const routesByPath = new Map<string, Bound>(
  httpRoutes.flatMap((route) =>
    route.kind === 'read' ? [[route.path, { ...route, ...answers[route.path] } as unknown as Bound] as const] : [],
  ),
);

const withVary = (headers: Record<string, string>, ...names: string[]): Record<string, string> => {
  const vary = [headers.vary, ...names].filter(Boolean).join(', ');
  return vary ? { ...headers, vary } : headers;
};

/**
 * The query API and the dashboard page: the read routes of the table. Every answer carries an ETag (a
 * matching If-None-Match gets 304) and a Cache-Control, so polling dashboards cost little: answers are kept
 * beside the read cache and reused while their reads are unchanged (answer-cache.ts); CORS follows
 * `corsOrigins`.
 */
export const makeQueryHandler = (options: QueryDeps) => {
  const readCacheMs = options.readCacheMs ?? 250;
  const deps = { ...options, store: withReadCache(options.store, readCacheMs) };
  const answerCache = makeAnswerCache(deps.store, { reuse: readCacheMs > 0 });
  const origins = deps.corsOrigins ?? [];
  const maxAge = `max-age=${deps.maxAgeSeconds ?? 5}`;
  return async (event: HttpEvent): Promise<HttpResult> => {
    const cors = corsHeaders(header(event, 'origin'), origins);
    const errorHeaders = { ...cors, 'cache-control': 'no-store' };
    const fail = (status: number, message: string, extra: Record<string, string> = {}) =>
      problem(status, message, { ...errorHeaders, ...extra });

    const target = routesByPath.get(event.rawPath);
    const method = event.requestContext.http.method;
    if (method === 'OPTIONS' && target) return preflight(event, origins);
    if (!target) return fail(404, `no route ${event.rawPath}`);
    if (method !== 'GET') return fail(405, 'only GET is supported', { allow: 'GET, OPTIONS' });
    const scope: Scope | undefined =
      target.auth === 'bearer'
        ? await scopeOf(event, { full: deps.apiToken, read: deps.readApiToken }, deps.store)
        : { kind: 'admin' };
    if (!scope) return fail(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
    const formatIndex = negotiate(
      header(event, 'accept'),
      target.formats.map((f) => f.mediaType),
    );
    if (formatIndex === undefined)
      return fail(406, `this route answers ${target.formats.map((f) => f.mediaType).join(' or ')}`);

    try {
      const params = parseParams(target, event.queryStringParameters ?? {}, deps);
      const outOfScope = scopeRefusal(target.path as ReadRoutes['path'], params, scope);
      if (outOfScope) return fail(403, outOfScope);
      const { etag, contentType, body } = await answerCache.answer(
        `${target.path}\n${formatIndex}\n${JSON.stringify(params)}\n${localDateOf(deps.now(), deps.ctx.timeZone)}`,
        { clockForDateAndAsOf: target.clockForDateAndAsOf === true, now: deps.now },
        async (recording) => {
          const { format, body, validator } = render(
            target.formats,
            formatIndex,
            await target.answer(params, { ...deps, ...recording }),
          );
          // The ETag covers the figures, not the moment they were read: a weak validator.
          return { etag: `W/${etagOf(validator)}`, contentType: format.contentType, body };
        },
      );
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
      return { statusCode: 200, headers: { ...headers, 'content-type': contentType }, body };
    } catch (error) {
      if (error instanceof BadRequest) return fail(400, error.message);
      deps.logger.error('query failed', { error, path: event.rawPath });
      return fail(500, 'internal error');
    }
  };
};
