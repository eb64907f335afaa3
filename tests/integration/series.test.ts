import { Logger } from '@aws-lambda-powertools/logger';
import { makeQueryHandler, rebuildAggregates, SERIES_CSV_COLUMNS } from '@flash/app';
import { addMonths, applyEvents, type CanonicalEvent, type MetricContext, metricModel, monthRange } from '@flash/core';
import { dynamoStore, itemKeys, keyPrefixes } from '@flash/store';
import { describe, expect, it } from 'vitest';
import { tablesPerTest } from '../support/dynamo.js';
import { cost, creditNote, customer, deal, invoice, project, surveyResponse } from '../support/events.js';
import { apiEvent } from '../support/gateway.js';

/**
 * `GET /v1/metrics/series` on DynamoDB Local: each month exactly what `GET /v1/metrics?period=` answers, read
 * with a number of requests that does not grow with the months, and the old key layout migrated by rebuild.
 */

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const NOW = new Date('2026-11-20T10:00:00Z');
const FIRST = '2025-12';
const LAST = '2026-11';

/** A year of history, month i of which has i + 2 answers, an invoice, a credit note every third month and deals. */
const yearOfHistory = (): CanonicalEvent[] => {
  // Costs on a customer project each month, and on an internal customer's project (which never count).
  const events: CanonicalEvent[] = [
    project('P1', 1, { customerId: 'C1', status: 'open' }),
    project('PX', 1, { customerId: 'CX', status: 'open' }),
    customer('CX', 1, { internal: true }),
  ];
  monthRange(FIRST, LAST).forEach((month, i) => {
    events.push(cost(`K1-${month}`, 1, { projectId: 'P1', amount: 1_000 * (i + 1), date: `${month}-20` }));
    events.push(cost(`KX-${month}`, 1, { projectId: 'PX', amount: 99_999, date: `${month}-20` }));
    for (let k = 0; k < i + 2; k++)
      events.push(surveyResponse(`R${month}-${k}`, 1, (i * 3 + k) % 11, `${month}-0${1 + (k % 9)}T08:00:00Z`));
    events.push(invoice(`I${month}`, 1, { status: 'issued', total: (i + 1) * 10_000, invoiceDate: `${month}-10` }));
    if (i % 3 === 0) events.push(creditNote(`K${month}`, 1, { total: 1_500, date: `${month}-12` }));
    if (i % 4 === 1)
      events.push(
        invoice(`U${month}`, 1, { status: 'issued', total: 777, currency: 'USD', invoiceDate: `${month}-11` }),
      );
    const created = `${month}-02T10:00:00Z`;
    events.push(
      deal(`W${month}`, 1, {
        status: 'won',
        amount: 50_000 + i,
        createdAt: created,
        closedAt: `${month}-15T10:00:00Z`,
      }),
    );
    if (i % 2 === 0)
      events.push(deal(`L${month}`, 1, { status: 'lost', createdAt: created, closedAt: `${month}-16T10:00:00Z` }));
    events.push(deal(`O${month}`, 1, { status: 'open', customerId: `C${i}`, createdAt: created }));
  });
  return events;
};

type Json = Record<string, unknown>;

describe('GET /v1/metrics/series on DynamoDB Local', () => {
  const table = tablesPerTest();

  /** A table holding the year, and a query handler over it whose DynamoDB requests are counted. */
  const setUp = async () => {
    const t = await table();
    const store = dynamoStore(t.client, t.tableName);
    for (let i = 0, events = yearOfHistory(); i < events.length; i += 25)
      await applyEvents(events.slice(i, i + 25), { store, model: metricModel, ctx, now: () => NOW });
    const requests: string[] = [];
    const counted = dynamoStore((action, input) => {
      requests.push(action);
      return t.client(action, input);
    }, t.tableName);
    const logger = new Logger({ serviceName: 'series', logLevel: 'SILENT' });
    const query = makeQueryHandler({ store: counted, ctx, now: () => NOW, logger, readCacheMs: 0 });
    const get = async (path: string, params: Record<string, string>, accept = 'application/json') => {
      const result = await query(apiEvent({ path, query: params, headers: { accept }, routeKey: 'GET /v1/{proxy+}' }));
      const body = result.body ?? '';
      return { status: result.statusCode, body, json: () => JSON.parse(body) as Json, headers: result.headers ?? {} };
    };
    return { t, store, requests, get };
  };

  it('answers each month exactly as /v1/metrics?period= does, month by month over a year', async () => {
    const { store, get } = await setUp();
    await store.putSnapshot(
      '2026-10-31',
      { active: 3, prospects: 1, openCount: 4, 'openValue:EUR': 500_000 },
      '2026-10-31T22:50:00.000Z',
    );
    const series = await get('/v1/metrics/series', { from: FIRST, to: LAST });
    expect(series.status).toBe(200);
    const body = series.json();
    expect(body).toMatchObject({ from: FIRST, to: LAST, timezone: 'Europe/Oslo', currency: 'EUR' });
    const months = body.months as Json[];
    expect(months.map((m) => m.period)).toEqual(monthRange(FIRST, LAST));
    for (const element of months) {
      const single = (await get('/v1/metrics', { period: String(element.period) })).json();
      const { timezone: _z, currency: _c, asOf: _a, ...figures } = single;
      expect(element).toEqual(figures);
    }

    // Reference values from the definitions: month i = 2026-03 (i = 3) has 5 answers scored 9, 10, 0, 1, 2.
    const march = months[3] as Json;
    expect(march.nps).toMatchObject({ promoters: 2, detractors: 3, responses: 5, score: -20 });
    // Invoice 400.00 less a credit note of 15.00 (i = 3 is a multiple of 3); February billed 300.00.
    expect(march.billing).toMatchObject({ thisMonth: 385, lastMonth: 300, changePct: 28.3, otherCurrencies: {} });
    expect(march.pipeline).toMatchObject({ created: 2, won: 1, lost: 0, wonValue: 500.03, hitRate: 1 });
    // A past month's "now" figures: the snapshot of its last day, or null without one.
    expect(months[10]).toMatchObject({
      period: '2026-10',
      activeCustomers: 3,
      prospectsInPipeline: 1,
      nowFigures: { basis: 'periodEnd', date: '2026-10-31' },
    });
    expect(months[10]?.pipeline).toMatchObject({ openCount: 4, openValue: 5000 });
    expect(months[9]).toMatchObject({
      activeCustomers: null,
      prospectsInPipeline: null,
      nowFigures: { basis: 'periodEnd' },
    });
    expect(months[9]?.pipeline).toMatchObject({ openCount: null, openValue: null });
    // The month in progress is live: twelve open deals, each on its own customer; C1 has won and been billed.
    expect(months[11]).toMatchObject({
      activeCustomers: 12,
      prospectsInPipeline: 11,
      nowFigures: { basis: 'live', date: null },
    });
  });

  it('exports the series as CSV, one row per month, the same figures as the JSON', async () => {
    const { get } = await setUp();
    const json = (await get('/v1/metrics/series', { from: FIRST, to: LAST })).json();
    const csv = await get('/v1/metrics/series', { from: FIRST, to: LAST }, 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(csv.body.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = csv.body
      .slice(0, -2)
      .split('\r\n')
      .map((line) => line.split(','));
    expect(header).toEqual([...SERIES_CSV_COLUMNS, 'billing_USD']);
    expect(rows).toHaveLength(12);
    const months = json.months as Json[];
    const cell = (row: number, column: string) => rows[row]?.[header?.indexOf(column) ?? -1];
    rows.forEach((_, i) => {
      const month = months[i] as {
        period: string;
        nps: Json;
        billing: Json;
        margin: { thisMonth: Json; yearToMonth: Json };
        pipeline: Json;
      };
      expect(cell(i, 'period')).toBe(month.period);
      expect(cell(i, 'nps_score')).toBe(month.nps.score === null ? '' : String(month.nps.score));
      expect(cell(i, 'billing')).toBe(String(month.billing.thisMonth));
      expect(cell(i, 'pipeline_won_value')).toBe(String(month.pipeline.wonValue));
      expect(cell(i, 'margin_month')).toBe(String(month.margin.thisMonth.margin));
      expect(cell(i, 'margin_year_to_month')).toBe(String(month.margin.yearToMonth.margin));
      expect(cell(i, 'currency')).toBe('EUR');
    });
    // USD invoices (7.77, months 1, 5 and 9) in their own column, never converted.
    expect(rows.map((_, i) => cell(i, 'billing_USD'))).toEqual(months.map((_, i) => (i % 4 === 1 ? '7.77' : '0')));
  });

  it('reads with as many DynamoDB requests for 36 months as for 2', async () => {
    const { requests, get } = await setUp();
    const countFor = async (from: string, to: string) => {
      requests.length = 0;
      expect((await get('/v1/metrics/series', { from, to })).status).toBe(200);
      return requests.length;
    };
    const two = await countFor('2026-10', LAST);
    const twelve = await countFor(FIRST, LAST);
    const thirtySix = await countFor(addMonths(LAST, -35), LAST);
    expect(twelve).toBe(two);
    expect(thirtySix).toBe(two);
    // One Query per month family (NPS, billing, pipeline, margin, acquisition), one per day family (NPS,
    // billing, pipeline) and span "to date" compares (this month's days, last month's), one BatchGetItem of the
    // live counts, one of the snapshots.
    expect(two).toBe(5 + 3 * 2 + 1 + 1);
  });

  it('refuses a bad range with a 400 that says why', async () => {
    const { get } = await setUp();
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ from: '2026-11', to: '2026-10' }, /must not be after/],
      [{ from: '2023-11', to: '2026-11' }, /at most 36 months.*37/],
      [{ to: '2026-11' }, /from is required/],
      [{ from: '2026-1', to: '2026-11' }, /from "2026-1" is not a month/],
      [{ from: '2026-01', to: '2026-13' }, /to "2026-13" is not a month/],
      [{ from: '2026-01', to: '2026-02', period: '2026-01' }, /unknown parameter "period"/],
    ];
    for (const [params, message] of cases) {
      const answer = await get('/v1/metrics/series', params);
      expect(answer.status, JSON.stringify(params)).toBe(400);
      expect(answer.json().error).toMatch(message);
    }
    expect((await get('/v1/metrics/series', { from: '2023-12', to: '2026-11' })).status).toBe(200);
  });

  it('migrates a table in the old key layout with npm run rebuild', async () => {
    const { t, store, get } = await setUp();
    const before = (await get('/v1/metrics/series', { from: FIRST, to: LAST })).json();
    // The old layout kept the month in the partition key (`A#nps#2026-11`, sort key `#`): drop every aggregate
    // and write one month the old way.
    const db = t.client;
    const { aggregates } = await store.scanDerived();
    for (const key of aggregates.keys())
      await db('DeleteItem', { TableName: t.tableName, Key: itemKeys.aggregate(key) });
    await db('PutItem', {
      TableName: t.tableName,
      Item: { pk: `${keyPrefixes.aggregate}nps#2026-11`, sk: '#', 'v:responses': 13, 'v:promoters': 13 },
    });
    const rebuild = (mode: 'verify' | 'rebuild') =>
      rebuildAggregates({ store, model: metricModel, ctx, now: () => NOW, mode });
    expect((await rebuild('rebuild')).drift.map((d) => d.key)).toContain('nps#2026-11');
    expect((await rebuild('verify')).drift).toEqual([]);
    const after = (await get('/v1/metrics/series', { from: FIRST, to: LAST })).json();
    expect({ ...after, asOf: null }).toEqual({ ...before, asOf: null });
  });

  it('migrates costs and margin kept per year to per month with npm run rebuild', async () => {
    const { t, store, get } = await setUp();
    const before = (await get('/v1/metrics/series', { from: FIRST, to: LAST })).json();
    // Before costs were monthly, rollups held `cost:YYYY:CUR` and the margin one item per year: rewrite the
    // table that way.
    const { nodes, aggregates } = await store.scanDerived();
    for (const [key, values] of nodes) {
      const yearly: Record<string, number> = {};
      for (const [field, amount] of Object.entries(values)) {
        const monthly = /^cost:(\d{4})-\d{2}:([A-Z]{3})$/.exec(field);
        const name = monthly ? `cost:${monthly[1]}:${monthly[2]}` : field;
        yearly[name] = (yearly[name] ?? 0) + amount;
      }
      await store.replaceNode(key, yearly);
    }
    const db = t.client;
    const years = new Map<string, Record<string, number>>();
    for (const [key, record] of aggregates) {
      const month = /^margin\|(\d{4})-\d{2}$/.exec(key);
      if (!month) continue;
      await db('DeleteItem', { TableName: t.tableName, Key: itemKeys.aggregate(key) });
      const year = years.get(month[1] as string) ?? {};
      for (const [field, amount] of Object.entries(record.values))
        year[`v:${field}`] = (year[`v:${field}`] ?? 0) + amount;
      years.set(month[1] as string, year);
    }
    for (const [year, fields] of years)
      await db('PutItem', { TableName: t.tableName, Item: { ...itemKeys.aggregate(`margin|${year}`), ...fields } });
    const stale = (await get('/v1/metrics', { period: LAST })).json() as { margin: { cost: number } };
    // Read with the monthly layout, the yearly items count nothing: the year's margin lacks its costs.
    expect(stale.margin.cost).toBe(0);

    const rebuild = (mode: 'verify' | 'rebuild') =>
      rebuildAggregates({ store, model: metricModel, ctx, now: () => NOW, mode });
    const drift = (await rebuild('rebuild')).drift.map((d) => d.key);
    expect(drift).toEqual(expect.arrayContaining(['margin|2026', '@project#P1', '@customer#C1']));
    expect((await rebuild('verify')).drift).toEqual([]);
    const after = (await get('/v1/metrics/series', { from: FIRST, to: LAST })).json();
    expect({ ...after, asOf: null }).toEqual({ ...before, asOf: null });
    // November 2026: 2026's costs on P1 are months 1 to 11 of the history, 2,000 to 12,000 minor units, 77,000
    // in all (770 EUR), November's 12,000 (120 EUR); the internal customer's never count.
    const november = (after.months as { margin: Json }[])[11]?.margin;
    expect(november).toMatchObject({ year: 2026, cost: 770, thisMonth: { cost: 120 }, yearToMonth: { cost: 770 } });
  });

  it('migrates stage items keyed by the stage id alone to source and stage id with npm run rebuild', async () => {
    const { t, store, get } = await setUp();
    // Deals seen open in a stage, then closed, and one open in it expected this month.
    await applyEvents(
      [
        deal('S1', 1, { stage: 'proposal' }, { occurredAt: '2026-11-02T10:00:00Z' }),
        deal('S1', 2, { stage: 'proposal', status: 'won', closedAt: '2026-11-05T10:00:00Z' }),
        deal('S2', 1, { stage: 'proposal' }, { occurredAt: '2026-11-02T10:00:00Z' }),
        deal('S2', 2, { stage: 'proposal', status: 'lost', closedAt: '2026-11-06T10:00:00Z' }),
        deal('S3', 1, { stage: 'proposal', expectedCloseDate: '2026-11-28' }),
      ],
      { store, model: metricModel, ctx, now: () => NOW },
    );
    const stagesBefore = (await get('/v1/pipeline/stages', {})).json();
    const forecastBefore = (await get('/v1/forecast', { from: LAST, to: LAST })).json();
    const coachingBefore = (await get('/v1/coaching', { period: LAST })).json();
    expect(stagesBefore.stages).toMatchObject([
      { source: 'generic', stage: 'proposal', stays: 2, lost: 1, closedReached: 2, wonReached: 1 },
    ]);
    expect(forecastBefore.months).toMatchObject([{ month: LAST, weightedPipeline: 5_000 }]);
    // Before stages named their source, the stage items' members held the id alone (`stage=proposal`, in
    // time in stage, the forecast's open deals and the open pipeline per stage): rewrite them that way.
    const db = t.client;
    const { aggregates } = await store.scanDerived();
    const old: string[] = [];
    for (const [key, record] of aggregates) {
      if (!/^(stage-times|stage-hours|forecast-open|pipeline-stages)/.test(key) || !key.includes('stage=generic:'))
        continue;
      const oldKey = key.replace('stage=generic:', 'stage=');
      old.push(oldKey);
      await db('DeleteItem', { TableName: t.tableName, Key: itemKeys.aggregate(key) });
      const fields = Object.fromEntries(Object.entries(record.values).map(([f, n]) => [`v:${f}`, n]));
      await db('PutItem', { TableName: t.tableName, Item: { ...itemKeys.aggregate(oldKey), ...fields } });
    }
    expect(old).toEqual(
      expect.arrayContaining([
        'stage-times|stage=proposal',
        'forecast-open|none#stage=proposal',
        'pipeline-stages|stage=proposal',
      ]),
    );
    // Read by source and stage, the old items count nothing.
    expect((await get('/v1/pipeline/stages', {})).json().stages).toEqual([]);

    const rebuild = (mode: 'verify' | 'rebuild') =>
      rebuildAggregates({ store, model: metricModel, ctx, now: () => NOW, mode });
    expect((await rebuild('rebuild')).drift.map((d) => d.key)).toEqual(expect.arrayContaining(old));
    expect((await rebuild('verify')).drift).toEqual([]);
    expect((await get('/v1/pipeline/stages', {})).json()).toEqual(stagesBefore);
    expect((await get('/v1/forecast', { from: LAST, to: LAST })).json()).toEqual(forecastBefore);
    expect((await get('/v1/coaching', { period: LAST })).json()).toEqual(coachingBefore);
  });
});
