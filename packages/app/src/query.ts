import type { Logger } from '@aws-lambda-powertools/logger';
import { safeEqual } from '@flash/connectors';
import {
  type AggregateView,
  keys as aggregateKeys,
  currentMonth,
  type EntityState,
  type InvalidValueError,
  type MetricContext,
  metricsAggregateKeys,
  metricsReport,
  parseMonth,
  pipelineFigure,
  pipelineRequirements,
  requirementsAggregateKeys,
} from '@flash/core';
import type { AlertRecord } from '@flash/store';
import { etagOf, type HttpEvent, type HttpResult, header, json, problem } from './http.js';

/** What the query function reads; DynamoStore implements it. */
export interface QueryStore {
  getAggregates(keys: readonly string[]): Promise<ReadonlyMap<string, AggregateView>>;
  listEntities(list: string, limit: number): Promise<EntityState[]>;
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
}

class BadRequest extends Error {}

type Route = (event: HttpEvent, deps: QueryDeps) => Promise<unknown>;

const periodParam = (event: HttpEvent, deps: QueryDeps): string => {
  const value = event.queryStringParameters?.period;
  if (value === undefined || value === '') return currentMonth(deps.now(), deps.ctx.timeZone);
  try {
    return parseMonth(value);
  } catch (error) {
    throw new BadRequest((error as InvalidValueError).message);
  }
};

const integerParam = (event: HttpEvent, name: string, fallback: number, min: number, max: number): number => {
  const value = event.queryStringParameters?.[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new BadRequest(`${name} must be a whole number from ${min} to ${max}`);
  return n;
};

const limitParam = (event: HttpEvent, fallback: number) => integerParam(event, 'limit', fallback, 1, 500);

const ownerParam = (event: HttpEvent): string | undefined => {
  const owner = event.queryStringParameters?.owner;
  if (owner !== undefined && (owner === '' || owner.length > 256)) throw new BadRequest('owner must be a non-empty id');
  return owner;
};

const routes: Record<string, Route> = {
  '/v1/metrics': async (event, deps) => {
    const period = periodParam(event, deps);
    const aggregates = await deps.store.getAggregates(metricsAggregateKeys(period));
    return metricsReport(period, aggregates, deps.ctx, deps.now());
  },
  '/v1/pipeline': async (event, deps) => {
    const period = periodParam(event, deps);
    const owner = ownerParam(event);
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
  '/v1/pipeline/requirements': async (event, deps) => {
    const raw = event.queryStringParameters?.budget;
    const budget = Number(raw);
    if (raw === undefined || raw === '' || !Number.isFinite(budget) || budget <= 0) {
      throw new BadRequest('budget is required: a positive number, the monthly budget in the base currency');
    }
    const input = {
      period: periodParam(event, deps),
      budget,
      owner: ownerParam(event),
      months: integerParam(event, 'months', 6, 1, 36),
    };
    const aggregates = await deps.store.getAggregates(requirementsAggregateKeys(input));
    return pipelineRequirements(input, aggregates, deps.ctx);
  },
  '/v1/nps/detractors': async (event, deps) => {
    const period = periodParam(event, deps);
    const states = await deps.store.listEntities(`detractors#${period}`, limitParam(event, 100));
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
  '/v1/alerts': async (event, deps) => ({ alerts: await deps.store.listAlerts(limitParam(event, 50)) }),
};

/**
 * GET /v1/*: the query API. Every answer carries an ETag (a matching If-None-Match gets 304) and a short
 * Cache-Control, so polling dashboards cost little.
 */
export const makeQueryHandler =
  (deps: QueryDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const cacheControl = `max-age=${deps.maxAgeSeconds ?? 5}`;
    if (deps.apiToken) {
      const given = header(event, 'authorization') ?? '';
      if (!safeEqual(given, `Bearer ${deps.apiToken}`)) {
        return problem(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
      }
    }
    const route = routes[event.rawPath];
    if (!route) return problem(404, `no route ${event.rawPath}`);
    if (event.requestContext.http.method !== 'GET') return problem(405, 'only GET is supported', { allow: 'GET' });
    try {
      const payload = await route(event, deps);
      const body = JSON.stringify(payload);
      // `asOf` changes on every request; the validator covers the figures only, so it is a weak ETag.
      const etag = `W/${etagOf(JSON.stringify({ ...(payload as object), asOf: undefined }))}`;
      const headers = { etag, 'cache-control': cacheControl };
      if (
        header(event, 'if-none-match')
          ?.split(/\s*,\s*/)
          .includes(etag)
      )
        return { statusCode: 304, headers };
      return { statusCode: 200, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body };
    } catch (error) {
      if (error instanceof BadRequest) return problem(400, error.message);
      deps.logger.error('query failed', { error, path: event.rawPath });
      return json(500, { error: 'internal error' });
    }
  };
